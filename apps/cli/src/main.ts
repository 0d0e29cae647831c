#!/usr/bin/env node
import { runCli } from './cli.js';
import { processIo } from './command.js';

// kafkajs and open sockets can keep the event loop alive after the work is done: exit explicitly,
// once stdout and stderr are flushed.
const code = await runCli(process.argv.slice(2), processIo());
process.exitCode = code;
await Promise.all([flush(process.stdout), flush(process.stderr)]);
process.exit(code);

function flush(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => stream.write('', () => resolve()));
}
