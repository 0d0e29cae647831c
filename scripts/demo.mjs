#!/usr/bin/env node
// The demo (`npm run demo` / `pnpm demo`): the first command to run on a fresh clone. It makes the
// checkout ready (the pinned pnpm, the dependencies, a build: scripts/ensure-toolchain.mjs), then
// runs the demo of apps/cli: a local Kafka, the orchestrator and the stub agents, a few change
// requests through every stage and every regress path, and a summary.
//
//   pnpm demo [--count N] [--ci] [--timeout S] [--port P] [--think-ms MS] [--keep-broker] [--help]
//
// Plain Node with no dependencies: it runs before anything is installed.
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ensureToolchain } from './ensure-toolchain.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

try {
  await ensureToolchain({ log: (line) => process.stderr.write(`[setup] ${line}\n`) });
} catch (error) {
  process.stderr.write(`[setup] ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}

const demo = await import(pathToFileURL(join(root, 'apps', 'cli', 'dist', 'demo', 'run-demo.js')).href);
const code = await demo.main(process.argv.slice(2));
process.exit(code);
