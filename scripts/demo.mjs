#!/usr/bin/env node
// The demo (`npm run demo` / `pnpm demo`): the first command to run on a fresh clone. It makes the
// checkout ready (the pinned pnpm, the dependencies, a build: scripts/ensure-toolchain.mjs), then
// runs the demo (apps/demo, `@pipeline/demo`, a devDependency of the root): a local Kafka, the
// orchestrator and the stub agents, a few change requests through every stage and every regress
// path, and a summary.
//
//   pnpm demo [--count N] [--ci] [--timeout S] [--port P] [--think-ms MS] [--keep-broker] [--help]
//
// Plain Node with no dependencies until the toolchain is ready: it runs before anything is
// installed, so the demo is imported (by its package name) only after that.
import { ensureToolchain } from './ensure-toolchain.mjs';

try {
  await ensureToolchain({ log: (line) => process.stderr.write(`[setup] ${line}\n`) });
} catch (error) {
  process.stderr.write(`[setup] ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}

const { main } = await import('@pipeline/demo');
const code = await main(process.argv.slice(2));
process.exit(code);
