import { describe, expect, it } from 'vitest';
import { type CommandSpec, intValue, parseCommandArgs, renderHelp } from '../src/args.js';
import { COMMANDS, renderTopHelp, runCli } from '../src/cli.js';
import { UsageError } from '../src/errors.js';
import { captureIo } from './support/io.js';

const spec: CommandSpec = {
  name: 'thing',
  summary: 'Does a thing.',
  positionals: [{ name: 'id', description: 'the id', required: true }],
  options: {
    url: { type: 'string', placeholder: '<url>', description: 'where', defaultText: 'here' },
    json: { type: 'boolean', description: 'raw output' },
    count: { type: 'string', short: 'n', placeholder: '<n>', description: 'how many' },
  },
  env: [['THING_URL', 'where, too']],
  notes: ['A note.'],
};

describe('parseCommandArgs', () => {
  it('reads options, flags and positionals', () => {
    const args = parseCommandArgs(spec, ['abc', '--url', 'http://x', '--json', '-n', '3']);
    expect(args).toEqual({
      help: false,
      positionals: ['abc'],
      values: { url: 'http://x', json: true, count: '3' },
    });
  });

  it('accepts --name=value', () => {
    expect(parseCommandArgs(spec, ['abc', '--url=http://y']).values.url).toBe('http://y');
  });

  it('--help and -h win over anything else, even bad arguments', () => {
    expect(parseCommandArgs(spec, ['--nope', '--help']).help).toBe(true);
    expect(parseCommandArgs(spec, ['-h']).help).toBe(true);
  });

  it.each([
    [['abc', '--nope'], 'unknown option --nope'],
    [['abc', '--url'], 'option --url needs a value'],
    [[], 'missing <id>'],
    [['a', 'b'], 'unexpected argument: b'],
  ])('%j is a usage error: %s', (argv, message) => {
    let error: unknown;
    try {
      parseCommandArgs(spec, argv);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toBe(message);
    expect((error as UsageError).exitCode).toBe(2);
    expect((error as UsageError).hint).toBe('run `pipeline thing --help` for usage');
  });

  it('intValue checks the range', () => {
    const args = parseCommandArgs(spec, ['abc', '-n', '3']);
    expect(intValue(args, 'thing', 'count', 1, 1, 10)).toBe(3);
    expect(intValue(parseCommandArgs(spec, ['abc']), 'thing', 'count', 7, 1, 10)).toBe(7);
    expect(() => intValue(parseCommandArgs(spec, ['abc', '-n', '11']), 'thing', 'count', 1, 1, 10)).toThrow(
      '--count 11 is not a whole number from 1 to 10',
    );
    expect(() => intValue(parseCommandArgs(spec, ['abc', '-n', 'x']), 'thing', 'count', 1, 1, 10)).toThrow(
      UsageError,
    );
  });
});

describe('renderHelp', () => {
  it('shows usage, arguments, options with defaults, environment and notes', () => {
    expect(renderHelp(spec)).toBe(
      [
        'Does a thing.',
        '',
        'Usage: pipeline thing <id> [options]',
        '',
        'Arguments:',
        '  <id>  the id',
        '',
        'Options:',
        '  --url <url>      where (default: here)',
        '  --json           raw output',
        '  -n, --count <n>  how many',
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
});

describe('the pipeline command', () => {
  it('lists every command in its top-level help', async () => {
    const io = captureIo();
    expect(await runCli(['--help'], io)).toBe(0);
    expect(io.output()).toBe(renderTopHelp());
    for (const name of ['submit', 'status', 'watch', 'topics', 'demo'])
      expect(io.output()).toMatch(`  ${name} `);
  });

  it('without a command prints the help and exits 2', async () => {
    const io = captureIo();
    expect(await runCli([], io)).toBe(2);
    expect(io.output()).toContain('Usage: pipeline <command> [options]');
  });

  it('an unknown command is a usage error', async () => {
    const io = captureIo();
    expect(await runCli(['frobnicate'], io)).toBe(2);
    expect(io.errors()).toBe(
      'pipeline: unknown command frobnicate\nrun `pipeline --help` for the commands\n',
    );
  });

  it('`pipeline help <command>` is `pipeline <command> --help`', async () => {
    const a = captureIo();
    const b = captureIo();
    await runCli(['help', 'watch'], a);
    await runCli(['watch', '--help'], b);
    expect(a.output()).toBe(b.output());
  });

  it.each(COMMANDS.map((c) => [c.spec.name, c] as const))(
    '`%s --help` prints its help, exit 0',
    async (name, c) => {
      const io = captureIo();
      expect(await runCli([name, '--help'], io)).toBe(0);
      expect(io.output()).toBe(renderHelp(c.spec));
      expect(io.output()).toContain(`Usage: pipeline ${name}`);
      expect(io.output()).toContain('-h, --help');
      expect(io.errors()).toBe('');
    },
  );

  it('submit --help documents every option and that --fail is for the stub agents only', async () => {
    const io = captureIo();
    await runCli(['submit', '--help'], io);
    for (const option of ['--repo', '--branch', '--description', '--requester', '--id', '--fail'])
      expect(io.output()).toContain(option);
    expect(io.output()).toMatch(/STUB agents.*real agents ignore it/);
  });

  it.each([
    [['submit', '--repo', 'r'], 'missing --branch, --description'],
    [
      ['submit', '--repo', 'r', '--branch', 'b', '--description', 'd', '--fail', 'planner'],
      '--fail planner is not one of coder, build1, precheck, build2',
    ],
    [['status'], 'missing <id>'],
    [['status', 'x', '--url', 'not a url'], 'not a url is not a URL: use e.g. http://localhost:9300'],
    [
      ['watch', 'x', '--timeout', '-1'],
      'option --timeout needs a value (write --timeout=<value> for a value',
    ],
    [['watch', 'x', '--timeout=-1'], '--timeout -1 is not a whole number from 0 to 86400'],
    [['topics', '--partitions', '0'], '--partitions 0 is not a whole number from 1 to 10000'],
    [['demo', '--count', 'many'], '--count many is not a whole number from 1 to 10000'],
  ])('%j → exit 2: %s', async (argv, message) => {
    const io = captureIo({ KAFKA_BOOTSTRAP: '127.0.0.1:1' });
    expect(await runCli(argv, io)).toBe(2);
    expect(io.errors()).toContain(`pipeline: ${message}`);
    expect(io.errors()).toContain(`run \`pipeline ${argv[0]} --help\` for usage`);
  });

  it('a missing KAFKA_BOOTSTRAP is a configuration error with the library message, exit 2', async () => {
    const io = captureIo({});
    expect(await runCli(['submit', '--repo', 'r', '--branch', 'b', '--description', 'd'], io)).toBe(2);
    expect(io.errors()).toContain('KAFKA_BOOTSTRAP is not set');
    expect(io.errors()).not.toMatch(/\n\s+at /);
  });

  it('a bad PIPELINE_TOPIC_PREFIX is a configuration error, exit 2', async () => {
    const io = captureIo({ KAFKA_BOOTSTRAP: '127.0.0.1:1', PIPELINE_TOPIC_PREFIX: 'a b' });
    expect(await runCli(['topics'], io)).toBe(2);
    expect(io.errors()).toContain("PIPELINE_TOPIC_PREFIX=a b may only use letters, digits, '.', '_' and '-'");
  });
});
