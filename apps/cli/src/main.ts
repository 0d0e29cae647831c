#!/usr/bin/env node
import { flush, processIo } from '@pipeline/cli-kit';
import { runCli } from './cli.js';

// kafkajs and open sockets can keep the event loop alive after the work is done: exit explicitly,
// once stdout and stderr are flushed.
const code = await runCli(process.argv.slice(2), processIo());
process.exitCode = code;
await Promise.all([flush(process.stdout), flush(process.stderr)]);
process.exit(code);
