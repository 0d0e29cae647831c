#!/usr/bin/env node
// The fault suite (`pnpm chaos`): makes the checkout ready (the pinned pnpm, the dependencies, a
// build: scripts/ensure-toolchain.mjs), then runs apps/chaos (`@pipeline/chaos`, a devDependency of
// the root): every scenario against a 3-broker Kafka cluster in .chaos/cluster, each ended by an
// independent exactly-once audit; one line per scenario and a JSON report under .chaos/.
//
//   pnpm chaos [--only NAME,…] [--size full|ci] [--keep-cluster] [--list] [--help]
//
// Plain Node with no dependencies until the toolchain is ready.
import { runWhenReady } from './ensure-toolchain.mjs';

await runWhenReady('@pipeline/chaos');
