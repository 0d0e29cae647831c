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

  it('has a usage that names the command, the root scripts and the default version', () => {
    expect(USAGE).toMatch(
      /^usage: pipeline-kafka <up\|down\|status> \[--version X\] \[--port N\] \[--json\]/,
    );
    expect(USAGE).toContain('pnpm kafka:up');
    expect(USAGE).toContain('default 3.9.1');
  });
});
