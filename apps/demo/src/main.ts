#!/usr/bin/env node
import { flush } from '@pipeline/cli-kit';
import { main } from './cli.js';

// Child processes and open sockets can keep the event loop alive: exit explicitly, once stdout and
// stderr are flushed.
const code = await main();
await Promise.all([flush(process.stdout), flush(process.stderr)]);
process.exit(code);
