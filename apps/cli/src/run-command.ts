import { parseCommandArgs, renderHelp } from './args.js';
import type { Command, Io } from './command.js';
import { CliError, EXIT, UsageError } from './errors.js';

/**
 * Parses and runs one command, and turns its errors into the CLI's output: `--help` prints the
 * help; a CliError prints its message alone (no stack) and exits with its code; anything else is a
 * bug or an unforeseen failure: its message, the stack only with LOG_LEVEL=debug, exit 1.
 */
export async function runCommand(command: Command, argv: readonly string[], io: Io): Promise<number> {
  try {
    const args = parseCommandArgs(command.spec, argv);
    if (args.help) {
      io.out(renderHelp(command.spec));
      return EXIT.ok;
    }
    return await command.run(args, io);
  } catch (error) {
    return reportError(error, io);
  }
}

export function reportError(error: unknown, io: Io): number {
  if (error instanceof UsageError) {
    io.err(`pipeline: ${error.message}\n${error.hint}\n`);
    return error.exitCode;
  }
  if (error instanceof CliError) {
    io.err(`pipeline: ${error.message}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.err(`pipeline: ${message}\n`);
  if (io.env.LOG_LEVEL === 'debug' && error instanceof Error && error.stack) io.err(`${error.stack}\n`);
  return EXIT.failure;
}
