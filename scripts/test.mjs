#!/usr/bin/env node
// The test command (`npm test` / `pnpm test`): makes the checkout ready (the pinned pnpm, the
// dependencies: scripts/ensure-toolchain.mjs), builds the workspace, makes sure there is a real Kafka broker
// (KAFKA_BOOTSTRAP when set, otherwise one started with @pipeline/kafka-launcher for this run and
// stopped after it), runs every package's tests in one vitest run, and ends with the line CI reads:
// `N passed, N failed`. A broker that cannot start fails the run: integration tests never skip.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureToolchain } from './ensure-toolchain.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const resultsFile = join(root, '.test-results', 'vitest.json');
// `pnpm test -- --project x` hands the `--` through; vitest would read what follows as file filters.
const vitestArgs = process.argv.slice(2).filter((arg, i) => !(i === 0 && arg === '--'));

// Ctrl-C goes to the whole foreground process group: the children stop on their own, and this
// process stays alive long enough to stop the broker it started.
process.on('SIGINT', () => console.log('\ninterrupted; cleaning up'));
process.env.TURBO_TELEMETRY_DISABLED = '1';

let exitCode = 1;
let startedBroker = false;
/** @type {typeof import('@pipeline/kafka-launcher') | undefined} */
let launcher;
let counts = { passed: 0, failed: 0, skipped: 0 };
try {
  step('setup and build');
  await ensureToolchain({ log: (line) => console.log(`[setup] ${line}`) });
  // Only now: before the setup, the launcher may be neither installed nor built. The root package.json
  // declares it (workspace:*), so it resolves by name.
  launcher = await import('@pipeline/kafka-launcher');

  let bootstrap = process.env.KAFKA_BOOTSTRAP;
  if (bootstrap) {
    step(`broker: using KAFKA_BOOTSTRAP=${bootstrap}`);
  } else {
    step('broker: starting a local Kafka for this run (set KAFKA_BOOTSTRAP to use your own)');
    const broker = await launcher.up({});
    startedBroker = !broker.alreadyRunning;
    bootstrap = broker.bootstrap;
  }

  step('tests');
  rmSync(resultsFile, { force: true });
  mkdirSync(join(root, '.test-results'), { recursive: true });
  const code = await run(
    'pnpm',
    [
      'exec',
      'vitest',
      'run',
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${resultsFile}`,
      ...vitestArgs,
    ],
    { env: { ...process.env, KAFKA_BOOTSTRAP: bootstrap }, allowFailure: true },
  );
  counts = readCounts(resultsFile);
  // vitest exits non-zero for failures, for errors outside tests and for "no test files".
  exitCode = code === 0 && counts.failed === 0 ? 0 : 1;
  if (code !== 0 && counts.failed === 0) counts.failed = 1;
} catch (error) {
  console.error(`\ntest run failed: ${error instanceof Error ? error.message : String(error)}`);
  counts.failed = Math.max(counts.failed, 1);
  exitCode = 1;
} finally {
  if (startedBroker && launcher) {
    step('broker: stopping');
    await launcher.down().catch((error) => console.error(`could not stop the broker: ${error.message}`));
  }
}
const skipped = counts.skipped > 0 ? `, ${counts.skipped} skipped` : '';
console.log(`\n${counts.passed} passed, ${counts.failed} failed${skipped}`);
process.exit(exitCode);

function step(text) {
  console.log(`\n▶ ${text}`);
}

function readCounts(file) {
  try {
    const json = JSON.parse(readFileSync(file, 'utf8'));
    return {
      passed: json.numPassedTests,
      failed: json.numFailedTests,
      skipped: json.numPendingTests + json.numTodoTests,
    };
  } catch {
    return { passed: 0, failed: 1, skipped: 0 };
  }
}

function run(command, args, { env = process.env, allowFailure = false } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, env, stdio: 'inherit' });
    // Ctrl-C reaches the child through the terminal; we only wait for it and then clean up.
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      const status = code ?? (signal ? 128 : 1);
      if (status !== 0 && !allowFailure)
        reject(new Error(`${command} ${args.join(' ')} exited with ${status}`));
      else resolve(status);
    });
  });
}
