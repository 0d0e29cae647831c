#!/usr/bin/env node
import { main } from './cli.js';

process.exitCode = await main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(`chaos: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return 1;
});
