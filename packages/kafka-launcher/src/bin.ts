#!/usr/bin/env node
// The `pipeline-kafka` command (what `pnpm kafka:up|kafka:down|kafka:status` run).
import { runCli } from './cli.js';

await runCli();
