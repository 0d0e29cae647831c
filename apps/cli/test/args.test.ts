import { describe, expect, it } from 'vitest';
import { COMMANDS, runCli } from '../src/cli.js';
import { captureIo } from './support/io.js';

// The CLI's command line on commander (through @pipeline/cli-kit's CommandLine, whose own tests cover
// the parser on a made-up command): the behaviours a user relies on, on the real commands.
const NAMES = [
  'submit',
  'status',
  'list',
  'watch',
  'cancel',
  'retry',
  'approve',
  'reject',
  'replay',
  'topics',
];

describe('the pipeline command', () => {
  it('lists every command in its top-level help', async () => {
    const io = captureIo();
    expect(await runCli(['--help'], io)).toBe(0);
    expect(io.output()).toContain('Usage: pipeline <command> [options]');
    for (const name of NAMES) expect(io.output()).toMatch(new RegExp(`\\n  ${name} `));
    expect(io.output()).not.toMatch(/\n {2}demo /);
    expect(io.output()).toContain('Exit status: 0 ok, 1 failure, 2 bad usage or configuration.');
    expect(COMMANDS).toHaveLength(NAMES.length);
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

  it('the demo is not a command of the CLI any more (it is `pnpm demo`)', async () => {
    const io = captureIo();
    expect(await runCli(['demo'], io)).toBe(2);
    expect(io.errors()).toContain('pipeline: unknown command demo');
  });

  it('`pipeline help <command>` is `pipeline <command> --help`', async () => {
    const a = captureIo();
    const b = captureIo();
    expect(await runCli(['help', 'watch'], a)).toBe(0);
    expect(await runCli(['watch', '--help'], b)).toBe(0);
    expect(a.output()).toBe(b.output());
    expect(a.output()).toContain('Usage: pipeline watch');
  });

  it.each(NAMES)('`%s --help` prints its help: usage, options, environment; exit 0', async (name) => {
    const io = captureIo();
    expect(await runCli([name, '--help'], io)).toBe(0);
    expect(io.output()).toContain(`Usage: pipeline ${name} [options]`);
    expect(io.output()).toContain('Options:');
    expect(io.output()).toContain('-h, --help');
    expect(io.output()).toContain('\nEnvironment:\n');
    expect(io.errors()).toBe('');
  });

  it('the help lists defaults and the environment variables', async () => {
    const topics = captureIo();
    await runCli(['topics', '--help'], topics);
    expect(topics.output()).toMatch(/--partitions <n> +partitions of each topic created .*\(default: 12\)/);
    expect(topics.output()).toMatch(
      /--replication-factor <n> +.*\(default: 3, or 1 on a cluster of one broker\)/,
    );
    expect(topics.output()).toMatch(/--allow-single-replica +accept topics with a single replica/);
    expect(topics.output()).toMatch(/ {2}KAFKA_BOOTSTRAP +brokers/);
    expect(topics.output()).toMatch(/ {2}PIPELINE_TOPIC_PREFIX +prefix of every topic name/);
    const watch = captureIo();
    await runCli(['watch', '--help'], watch);
    expect(watch.output()).toMatch(
      /--url <url> +the orchestrator's HTTP address \(default: \$ORCH_URL or http:\/\/localhost:9300\)/,
    );
    expect(watch.output()).toMatch(
      /--timeout <seconds> +give up after this long \(0 = never\) \(default: 0\)/,
    );
    expect(watch.output()).toMatch(/ {2}ORCH_URL +the orchestrator's HTTP address/);
  });

  it('submit --help documents every option and that --fail is for the stub agents only', async () => {
    const io = captureIo();
    await runCli(['submit', '--help'], io);
    for (const option of ['--repo', '--branch', '--description', '--requester', '--id', '--fail'])
      expect(io.output()).toContain(option);
    expect(io.output()).toContain('--fail <coder|build1|precheck|build2>');
    expect(io.output()).toMatch(/STUB agents[\s\S]*real agents ignore it/);
  });

  it.each([
    [['status', 'x', '--nope', '--help']],
    [['watch', '-h']],
    [['status', 'a', 'b', '--help']],
    [['submit', '--fail', 'planner', '--help']],
  ])('--help wins over bad arguments: %j', async (argv) => {
    const io = captureIo();
    expect(await runCli(argv, io)).toBe(0);
    expect(io.output()).toContain(`Usage: pipeline ${argv[0]}`);
    expect(io.errors()).toBe('');
  });

  it.each([
    // unknown option, missing value, surplus argument, missing positional
    [['status', 'x', '--nope'], 'unknown option --nope'],
    [['status', 'x', '--url'], 'option --url needs a value'],
    [['status', 'x', 'y'], 'unexpected argument: y'],
    [['watch', 'x', 'y', 'z'], 'unexpected arguments: y z'],
    [['status'], 'missing <id>'],
    [['watch'], 'missing <id>'],
    // the commands' own checks
    [['submit', '--repo', 'r'], 'missing --branch, --description'],
    [
      ['submit', '--repo', 'r', '--branch', 'b', '--description', 'd', '--fail', 'planner'],
      '--fail planner is not one of coder, build1, precheck, build2',
    ],
    [['submit', '--repo', 'r', '--branch', 'b', '--description', 'd', '--id', ' '], '--id must not be empty'],
    [['status', 'x', '--url', 'not a url'], 'not a url is not a URL: use e.g. http://localhost:9300'],
    [['status', 'x', '--url', 'ftp://x'], 'ftp://x is not an http(s) URL: use e.g. http://localhost:9300'],
    // whole numbers with their range
    [['watch', 'x', '--timeout', '-1'], '--timeout -1 is not a whole number from 0 to 86400'],
    [['watch', 'x', '--timeout=-1'], '--timeout -1 is not a whole number from 0 to 86400'],
    [['watch', 'x', '--timeout', '1.5'], '--timeout 1.5 is not a whole number from 0 to 86400'],
    [['topics', '--partitions', '0'], '--partitions 0 is not a whole number from 1 to 10000'],
    [['cancel', 'cr-1'], 'missing --reason: say why, it is recorded on the request'],
    [['cancel', 'cr-1', '--reason', '  '], 'missing --reason: say why, it is recorded on the request'],
    [['reject', 'cr-1'], 'missing --reason: say why, it is recorded on the request'],
    [
      ['topics', '--replication-factor', '101'],
      '--replication-factor 101 is not a whole number from 1 to 100',
    ],
  ])('%j → exit 2: %s', async (argv, message) => {
    const io = captureIo({ KAFKA_BOOTSTRAP: '127.0.0.1:1' });
    expect(await runCli(argv, io)).toBe(2);
    expect(io.errors()).toBe(`pipeline: ${message}\nrun \`pipeline ${argv[0]} --help\` for usage\n`);
    expect(io.output()).toBe('');
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
