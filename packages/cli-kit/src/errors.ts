/** Exit codes of every command-line tool of the pipeline. */
export const EXIT = { ok: 0, failure: 1, usage: 2, interrupted: 130 } as const;

/**
 * An error a command-line tool reports as one readable message, without a stack trace: the user can
 * act on the message alone (start the broker, fix a variable, check an id).
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failure,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Bad arguments or a bad setting: exit 2, with a pointer to the help (`hint`). */
export class UsageError extends CliError {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message, EXIT.usage);
    this.name = 'UsageError';
  }
}

/** The broker does not answer: the message says where we looked and how to start one. */
export function kafkaUnreachable(brokers: readonly string[]): CliError {
  return new CliError(
    `cannot reach Kafka at ${brokers.join(',')}: is it running? \`pnpm kafka:up\` starts one`,
    EXIT.failure,
  );
}
