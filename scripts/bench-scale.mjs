#!/usr/bin/env node
// The scale benchmark (`pnpm bench:scale`): makes the checkout ready (scripts/ensure-toolchain.mjs),
// then runs `scaleMain` of apps/bench: many finished requests in the state topic, several
// orchestrator instances, memory, restores, lookups and takeover printed; .bench/scale.json written.
//
//   pnpm bench:scale [--records N] [--real N] [--instances N] [--lookups N] [--dir DIR] [--help]
import { runWhenReady } from './ensure-toolchain.mjs';

await runWhenReady('@pipeline/bench', 'scaleMain');
