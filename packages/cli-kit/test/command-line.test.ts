import { describe, expect, it } from 'vitest';
import { type Command, CommandLine, helpAfterOptions, type Io } from '../src/index.js';

function captureIo(env: NodeJS.ProcessEnv = {}): Io & { output: () => string; errors: () => string } {
  let out = '';
  let err = '';
  return {
    out: (text) => {
      out += text;
    },
    err: (text) => {
      err += text;
    },
    env,
    output: () => out,
    errors: () => err,
  };
}

/** `tool thing <id> [--url <url>] [--json] [-n <n>]`: what it was called with, as JSON on stdout. */
function tool(io: Io): { line: CommandLine; program: Command } {
  const line = new CommandLine(io, 'tool');
  const program = line.command().description('A tool.');
  const thing = line
    .command('thing')
    .description('Does a thing.')
    .argument('<id>', 'the id')
    .option('--url <url>', 'where (default: here)')
    .option('--json', 'raw output');
  line.wholeNumberOption(thing, '-n, --count <n>', 'how many', { min: 1, max: 10, fallback: 7 });
  helpAfterOptions(thing, { environment: [['THING_URL', 'where, too']], notes: ['A note.'] });
  line.action(thing, async (positionals, options) => {
    io.out(JSON.stringify({ positionals, options }));
    return options.json ? 3 : 0;
  });
  program.addCommand(thing);
  return { line, program };
}

async function run(argv: string[]) {
  const io = captureIo();
  const { line, program } = tool(io);
  const code = await line.run(program, argv);
  return { code, out: io.output(), err: io.errors() };
}

describe('CommandLine on commander', () => {
  it('reads options, flags and positionals; the action decides the exit code', async () => {
    const result = await run(['thing', 'abc', '--url', 'http://x', '--json', '-n', '3']);
    expect(result.code).toBe(3);
    expect(JSON.parse(result.out)).toEqual({
      positionals: ['abc'],
      options: { url: 'http://x', json: true, count: 3 },
    });
  });

  it('accepts --name=value, and applies the default of a whole-number option', async () => {
    const result = await run(['thing', 'abc', '--url=http://y']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.out).options).toEqual({ url: 'http://y', count: 7 });
  });

  it('--help and -h win over bad arguments: the help on stdout, exit 0', async () => {
    for (const argv of [
      ['thing', '--nope', '--help'],
      ['thing', '-h'],
      ['thing', 'a', 'b', '--help'],
      ['thing', 'abc', '-n', 'x', '--help'],
    ]) {
      const result = await run(argv);
      expect(result.code, argv.join(' ')).toBe(0);
      expect(result.out).toContain('Usage: tool thing [options] <id>');
      expect(result.err).toBe('');
    }
  });

  it.each([
    [['thing', 'abc', '--nope'], 'unknown option --nope'],
    [['thing', 'abc', '--jsn'], 'unknown option --jsn (did you mean --json?)'],
    [['thing', 'abc', '--url'], 'option --url needs a value'],
    [['thing', 'abc', '-n'], 'option --count needs a value'],
    [['thing'], 'missing <id>'],
    [['thing', 'a', 'b'], 'unexpected argument: b'],
    [['thing', 'a', 'b', 'c'], 'unexpected arguments: b c'],
    [['thing', 'abc', '-n', '11'], '--count 11 is not a whole number from 1 to 10'],
    [['thing', 'abc', '--count=x'], '--count x is not a whole number from 1 to 10'],
    [['thing', 'abc', '-n', '-1'], '--count -1 is not a whole number from 1 to 10'],
  ])('%j is a usage error, exit 2: %s', async (argv, message) => {
    const result = await run(argv);
    expect(result.code).toBe(2);
    expect(result.err).toBe(`tool: ${message}\nrun \`tool thing --help\` for usage\n`);
    expect(result.out).toBe('');
  });

  it('an unknown command is a usage error of the program', async () => {
    const result = await run(['frobnicate']);
    expect(result.code).toBe(2);
    expect(result.err).toBe('tool: unknown command frobnicate\nrun `tool --help` for usage\n');
  });

  it('the help shows usage, arguments, options with defaults, environment and notes', async () => {
    const { out } = await run(['thing', '--help']);
    expect(out).toBe(
      [
        'Usage: tool thing [options] <id>',
        '',
        'Does a thing.',
        '',
        'Arguments:',
        '  id               the id',
        '',
        'Options:',
        '  --url <url>      where (default: here)',
        '  --json           raw output',
        '  -n, --count <n>  how many (default: 7)',
        '  -h, --help       show this help',
        '',
        'Environment:',
        '  THING_URL  where, too',
        '',
        'A note.',
        '',
      ].join('\n'),
    );
  });

  it('a failure of the action is one line, no stack; exit 1', async () => {
    const io = captureIo();
    const line = new CommandLine(io, 'tool');
    const program = line.action(line.command(), async () => {
      throw new Error('boom');
    });
    expect(await line.run(program, [])).toBe(1);
    expect(io.errors()).toBe('tool: boom\n');
  });

  it('hints name how the program is run', async () => {
    const io = captureIo();
    const line = new CommandLine(io, 'tool-demo', 'pnpm demo');
    const program = line.action(line.command(), async () => 0);
    expect(await line.run(program, ['--nope'])).toBe(2);
    expect(io.errors()).toBe('tool-demo: unknown option --nope\nrun `pnpm demo --help` for usage\n');
  });
});
