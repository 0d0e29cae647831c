import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runningBootstrap } from '@pipeline/kafka-launcher';
import { afterAll, describe, expect, it } from 'vitest';

// The local broker launcher, driven as a user would: its command (the package's bin, `pipeline-kafka`,
// which `pnpm kafka:up` runs), in a private run-state folder so it never touches the broker of this
// test run. The jar cache is shared, so this is a warm start.
const require = createRequire(import.meta.url);
const packageJson = require.resolve('@pipeline/kafka-launcher/package.json');
const { bin } = require('@pipeline/kafka-launcher/package.json') as { bin: Record<string, string> };
const launcher = join(dirname(packageJson), bin['pipeline-kafka'] as string);
const home = mkdtempSync(join(tmpdir(), 'launcher-test-'));
const env = { ...process.env, PIPELINE_KAFKA_HOME: home, KAFKA_VERSION: '' };

function run(...args: string[]) {
  const result = spawnSync(process.execPath, [launcher, ...args], {
    env,
    encoding: 'utf8',
    // `up` may try twice, each attempt with a 90 s readiness deadline, and stop a failed attempt.
    timeout: 300_000,
  });
  return { code: result.status, out: `${result.stdout}${result.stderr}` };
}

/** JVMs started from this test's run-state folder (their command line names it). */
function ourJvms(): string[] {
  return readdirSync('/proc')
    .filter((pid) => /^\d+$/.test(pid))
    .filter((pid) => {
      try {
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        return cmdline.includes('kafka.Kafka') && cmdline.includes(home);
      } catch {
        return false;
      }
    });
}

afterAll(() => {
  run('down');
  rmSync(home, { recursive: true, force: true });
});

describe('kafka launcher', () => {
  // Up to two start attempts of 90 s each, the reuse and the stop: far more than vitest's default.
  it('starts a broker that answers, reuses it, stops it, and is safe to stop twice', {
    timeout: 600_000,
  }, () => {
    expect(runningBootstrap({ home })).toBeUndefined();
    const first = run('up');
    expect(first.code, first.out).toBe(0);
    expect(first.out).toMatch(/Kafka \S+ ready at 127\.0\.0\.1:\d+ in \d+(\.\d+)?s/);
    const bootstrap = readFileSync(join(home, 'bootstrap'), 'utf8').trim();
    expect(bootstrap).toMatch(/^127\.0\.0\.1:\d+$/);

    const status = run('status', '--json');
    expect(status.code).toBe(0);
    expect(JSON.parse(status.out.trim().split('\n').at(-1) ?? '{}')).toMatchObject({
      running: true,
      bootstrap,
    });

    const again = run('up');
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/already running|reus/i);
    expect(readFileSync(join(home, 'bootstrap'), 'utf8').trim()).toBe(bootstrap);
    expect(ourJvms()).toHaveLength(1);
    // What other packages (e.g. @pipeline/testkit) read instead of the bootstrap file.
    expect(runningBootstrap({ home })).toBe(bootstrap);

    expect(run('down').code).toBe(0);
    expect(ourJvms()).toEqual([]);
    expect(existsSync(join(home, 'broker.json'))).toBe(false);
    const twice = run('down');
    expect(twice.code).toBe(0);
    expect(twice.out).toMatch(/no broker running/);
    expect(run('status').code).toBe(1);
    expect(runningBootstrap({ home })).toBeUndefined();
  });

  it('prints its usage with --help, and exits 2 on an unknown command', () => {
    const help = run('--help');
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/usage: pipeline-kafka <up\|down\|status>/);
    const unknown = run('frob');
    expect(unknown.code).toBe(2);
    expect(unknown.out).toMatch(/unknown command "frob"/);
  });

  it('says what to install when Java is missing, and points at compose', () => {
    const result = spawnSync(process.execPath, [launcher, 'up'], {
      env: {
        PATH: '/nonexistent',
        PIPELINE_KAFKA_HOME: home,
        HOME: home,
        PIPELINE_KAFKA_CACHE: join(home, 'empty-cache'),
      },
      encoding: 'utf8',
    });
    expect(result.status).toBe(2);
    const out = `${result.stdout}${result.stderr}`;
    expect(out).toMatch(/Java 17/);
    expect(out).toMatch(/docker compose up/);
  });

  it('refuses a version that does not exist with a clear message', () => {
    const result = run('up', '--version', 'not-a-version');
    expect(result.code).toBe(2);
    expect(result.out).toMatch(/version/i);
  });
});
