#!/usr/bin/env node
// The `pipeline-kafka` command (what `pnpm kafka:up|kafka:down|kafka:status` run). All of its code is
// src/cli.ts; this file only starts it. It is committed, not built, so that `pnpm install` can link the
// bin before anything is built.
let cli;
try {
  cli = await import('../dist/cli.js');
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
  process.stderr.write(
    '[kafka] error: @pipeline/kafka-launcher is not built: run `pnpm build` (`pnpm kafka:up` builds it too).\n',
  );
  process.exit(2);
}
await cli.runCli(process.argv.slice(2));
