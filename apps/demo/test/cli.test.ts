import type { Io } from '@pipeline/cli-kit';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli.js';

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
    stdinIsTTY: false,
    output: () => out,
    errors: () => err,
  };
}

// The demo's command line (`pnpm demo`, the `pipeline-demo` bin); running it is demo.e2e.test.ts.
describe('pipeline-demo arguments', () => {
  it('--help lists every option with its default, the environment and the exit status; exit 0', async () => {
    const io = captureIo();
    expect(await main(['--help'], io)).toBe(0);
    const help = io.output();
    expect(help).toContain('Usage: pipeline-demo [options]');
    expect(help).toMatch(/--count <n> +change requests to submit \(default: 8\)/);
    expect(help).toMatch(/--ci +non-interactive/);
    expect(help).toMatch(/--timeout <seconds> +.*\(default: 120\)/);
    expect(help).toMatch(/--port <port> +.*\(default: \$ORCH_HTTP_PORT or 9300\)/);
    expect(help).toMatch(/--think-ms <ms> +mean think time of the stub agents \(default: 200\)/);
    expect(help).toMatch(/--keep-broker +leave a broker the demo started running/);
    expect(help).toMatch(/-h, --help +show this help/);
    expect(help).toMatch(/\nEnvironment:\n {2}KAFKA_BOOTSTRAP +use this broker/);
    expect(help).toMatch(/ {2}CI +true = --ci/);
    expect(help).toMatch(/ {2}ORCH_HTTP_PORT +the orchestrator's HTTP port \(--port wins\)/);
    expect(help).toContain(
      'Exit status: 0 every request ended as planned, 1 otherwise or a failure, 2 bad usage',
    );
    expect(io.errors()).toBe('');
  });

  it('--help wins over bad arguments', async () => {
    const io = captureIo();
    expect(await main(['--count', 'many', '--nope', '--help'], io)).toBe(0);
    expect(io.output()).toContain('Usage: pipeline-demo [options]');
  });

  it.each([
    [['--count', 'many'], '--count many is not a whole number from 1 to 10000'],
    [['--count', '0'], '--count 0 is not a whole number from 1 to 10000'],
    [['--timeout', '0'], '--timeout 0 is not a whole number from 1 to 86400'],
    [['--port', '65536'], '--port 65536 is not a whole number from 0 to 65535'],
    [['--think-ms', '-5'], '--think-ms -5 is not a whole number from 0 to 15000'],
    // The stub agents refuse MOCK_THINK_MS above 15 s: the demo said so only once they had died.
    [['--think-ms', '20000'], '--think-ms 20000 is not a whole number from 0 to 15000'],
    [['--count'], 'option --count needs a value'],
    [['--nope'], 'unknown option --nope'],
    [['now'], 'unexpected argument: now'],
  ])('%j → exit 2: %s', async (argv, message) => {
    const io = captureIo();
    expect(await main(argv, io)).toBe(2);
    expect(io.errors()).toBe(`pipeline-demo: ${message}\nrun \`pnpm demo --help\` for usage\n`);
    expect(io.output()).toBe('');
  });
});
