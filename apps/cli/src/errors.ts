/** Exit codes of every command. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/**
 * An error the CLI reports as one readable message, without a stack trace: the user can act on
 * the message alone (start the broker, fix a variable, check an id).
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

/** Bad arguments or a bad setting: exit 2, with a pointer to the command's help. */
export class UsageError extends CliError {
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message, EXIT.usage);
    this.name = 'UsageError';
  }

  get hint(): string {
    return `run \`pipeline ${this.command ? `${this.command} ` : ''}--help\` for usage`;
  }
}

/** The broker does not answer: the message says where we looked and how to start one. */
export function kafkaUnreachable(brokers: readonly string[]): CliError {
  return new CliError(
    `cannot reach Kafka at ${brokers.join(',')}: is it running? \`pnpm kafka:up\` starts one`,
    EXIT.failure,
  );
}

export function orchestratorUnreachable(url: string, cause?: string): CliError {
  return new CliError(
    `cannot reach the orchestrator at ${url}: is it running?${cause ? ` (${cause})` : ''}`,
    EXIT.failure,
  );
}

/** The most specific text of an error for a one-line message. */
export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
