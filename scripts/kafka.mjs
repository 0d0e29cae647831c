#!/usr/bin/env node
// `pnpm kafka:up|kafka:down|kafka:status [--version X] [--port N] [--brokers N] [--json]` and
// `pnpm kafka:stop-node|kafka:start-node N [--hard]`: the local Kafka broker (or cluster) of this
// checkout (docs/kafka-launcher.md). The launcher is the workspace package
// @pipeline/kafka-launcher; this makes the checkout ready for it first (the pinned pnpm, the
// dependencies, a build of the launcher and what it depends on: scripts/ensure-toolchain.mjs), so it
// works on a fresh clone too. The setup's output goes to stderr: with --json, stdout is the result only.
//
// Plain Node with no dependencies: it runs before anything is installed.
import { ensureToolchain } from './ensure-toolchain.mjs';

try {
  await ensureToolchain({
    build: ['@pipeline/kafka-launcher'],
    quiet: true,
    log: (line) => process.stderr.write(`[setup] ${line}\n`),
  });
} catch (error) {
  process.stderr.write(`[setup] ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}

// After the setup: the root package.json declares the launcher (workspace:*), so it resolves by name.
const { runCli } = await import('@pipeline/kafka-launcher/cli');
await runCli(process.argv.slice(2));
