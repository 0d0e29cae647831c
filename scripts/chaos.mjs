#!/usr/bin/env node
// The fault suite (`pnpm chaos`): makes the checkout ready (the pinned pnpm, the dependencies, a
// build: scripts/ensure-toolchain.mjs), then runs apps/chaos (`@pipeline/chaos`, a devDependency of
// the root): every scenario against a 3-broker Kafka cluster in .chaos/cluster, each ended by an
// independent exactly-once audit; one line per scenario and a JSON report under .chaos/.
//
//   pnpm chaos [--only NAME,…] [--size full|ci] [--keep-cluster] [--list] [--help]
//
// Plain Node with no dependencies until the toolchain is ready.
import { ensureToolchain } from './ensure-toolchain.mjs';

try {
  await ensureToolchain({ log: (line) => process.stderr.write(`[setup] ${line}\n`) });
} catch (error) {
  process.stderr.write(`[setup] ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}

const { main } = await import('@pipeline/chaos');
process.exit(await main(process.argv.slice(2)));
