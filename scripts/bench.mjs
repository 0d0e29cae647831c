#!/usr/bin/env node
// The benchmark (`pnpm bench`): makes the checkout ready (the pinned pnpm, the dependencies, a build:
// scripts/ensure-toolchain.mjs), then runs apps/bench (`@pipeline/bench`, a devDependency of the
// root): the orchestrator, a transactional relay, a plain relay and a Kafka Streams application (its
// jar built with Maven when missing or stale) with the same stub agents on one broker; figures and
// ratios printed, .bench/bench.json and .bench/bench.png written.
//
//   pnpm bench [--burst N] [--small-burst N] [--sequential N] [--only SYSTEM,…] [--dir DIR] [--help]
//
// Plain Node with no dependencies until the toolchain is ready.
import { runWhenReady } from './ensure-toolchain.mjs';

await runWhenReady('@pipeline/bench');
