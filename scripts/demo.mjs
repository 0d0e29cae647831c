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
import { runWhenReady } from './ensure-toolchain.mjs';

await runWhenReady('@pipeline/demo');
