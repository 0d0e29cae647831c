import { describe, expect, it } from 'vitest';
import { parseArgs, USAGE } from '../src/cli.js';
import { EXIT_CONFIG, LauncherError } from '../src/errors.js';

function failure(argv: string[]): LauncherError {
  try {
    parseArgs(argv);
  } catch (error) {
    if (error instanceof LauncherError) return error;
    throw error;
  }
  throw new Error(`parseArgs(${JSON.stringify(argv)}) did not throw`);
}

describe('parseArgs', () => {
  it('reads the command and its options, with a value after a space or an =', () => {
    expect(parseArgs(['up'])).toEqual({ command: 'up', json: false });
    expect(parseArgs(['up', '--version', '4.1.2', '--port', '19092'])).toEqual({
      command: 'up',
      version: '4.1.2',
      port: '19092',
      json: false,
    });
    expect(parseArgs(['--version=4.1.2', 'up', '--port=19092', '--json'])).toEqual({
      command: 'up',
      version: '4.1.2',
      port: '19092',
      json: true,
    });
    expect(parseArgs(['status', '--json'])).toEqual({ command: 'status', json: true });
    expect(parseArgs([])).toEqual({ command: undefined, json: false });
  });

  it('takes -h and --help for the help command', () => {
    expect(parseArgs(['-h']).command).toBe('help');
    expect(parseArgs(['up', '--help']).command).toBe('help');
  });

  it('leaves an unknown command to main (which reports it with the usage)', () => {
    expect(parseArgs(['frob']).command).toBe('frob');
  });

  it('refuses unknown flags, a second command and a flag without its value, with exit code 2 and the usage', () => {
    for (const [argv, message] of [
      [['up', '--verbose'], 'unknown argument "--verbose"'],
      [['up', 'down'], 'unknown argument "down"'],
      [['up', '--version'], '--version needs a value'],
      [['up', '--port'], '--port needs a value'],
    ] as const) {
      const error = failure([...argv]);
      expect(error.exitCode).toBe(EXIT_CONFIG);
      expect(error.message).toBe(`${message}\n\n${USAGE}`);
    }
  });

  it('reads --brokers for up, checked: 1 or 3 to 5', () => {
    expect(parseArgs(['up', '--brokers', '3'])).toEqual({ command: 'up', brokers: 3, json: false });
    expect(parseArgs(['up', '--brokers=5', '--json'])).toEqual({ command: 'up', brokers: 5, json: true });
    expect(parseArgs(['up', '--brokers', '1'])).toMatchObject({ brokers: 1 });
    for (const b of ['0', '2', '6', 'x', '3.5', '-3']) {
      const error = failure(['up', '--brokers', b]);
      expect(error.exitCode).toBe(EXIT_CONFIG);
      expect(error.message).toBe(
        `invalid broker count "${b}" (--brokers must be 1, or 3 to 5 for a cluster: 2 could not lose a node).`,
      );
    }
    expect(failure(['status', '--brokers', '3']).message).toMatch(/^--brokers is only for up\n\n/);
  });

  it('reads --cluster for up only', () => {
    expect(parseArgs(['up', '--cluster'])).toEqual({ command: 'up', cluster: true, json: false });
    expect(failure(['down', '--cluster']).message).toMatch(/^--cluster is only for up\n\n/);
  });

  it('reads stop-node N [--hard] and start-node N', () => {
    expect(parseArgs(['stop-node', '2'])).toEqual({ command: 'stop-node', node: 2, json: false });
    expect(parseArgs(['stop-node', '--hard', '3', '--json'])).toEqual({
      command: 'stop-node',
      node: 3,
      hard: true,
      json: true,
    });
    expect(parseArgs(['start-node', '1'])).toEqual({ command: 'start-node', node: 1, json: false });
  });

  it('refuses a node command without a number, a bad number, a second number and a misplaced --hard', () => {
    for (const [argv, message] of [
      [['stop-node'], 'stop-node needs a node number, e.g. `stop-node 2`'],
      [['start-node', '1', '--hard'], '--hard is only for stop-node'],
      [['start-node'], 'start-node needs a node number, e.g. `start-node 2`'],
      [['stop-node', '0'], 'invalid node "0" (a node number: 1, 2, …)'],
      [['stop-node', 'two'], 'invalid node "two" (a node number: 1, 2, …)'],
      [['stop-node', '1.5'], 'invalid node "1.5" (a node number: 1, 2, …)'],
      [['stop-node', '1', '2'], 'unknown argument "2"'],
      [['up', '--hard'], '--hard is only for stop-node'],
      [['up', '3'], 'unknown argument "3"'],
    ] as const) {
      const error = failure([...argv]);
      expect(error.exitCode).toBe(EXIT_CONFIG);
      expect(error.message).toBe(`${message}\n\n${USAGE}`);
    }
  });

  it('has a usage that names the command, the root scripts and the default version', () => {
    expect(USAGE).toMatch(
      /^usage: pipeline-kafka <up\|down\|status> \[--version X\] \[--port N\] \[--json\]/,
    );
    expect(USAGE).toContain('pnpm kafka:up');
    expect(USAGE).toContain('pipeline-kafka <stop-node|start-node> N [--hard]');
    expect(USAGE).toContain('--brokers N');
    expect(USAGE).toContain('default 3.9.1');
  });
});
