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

/**
 * kafkajs error names that mean "no broker answered" (compared by name: kafkajs is CommonJS and its
 * classes are not importable). KafkaJSNumberOfRetriesExceeded is not one of them: it wraps whatever
 * failed last, which may be a missing topic, so its cause decides.
 */
const CONNECTION_ERROR_NAMES = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSBrokerNotFound',
  'KafkaJSRequestTimeoutError',
]);
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** The error and its causes (kafkajs nests them in `cause` or `originalError`). */
function causeChain(
  error: unknown,
): Array<{ name?: unknown; code?: unknown; type?: unknown; message?: unknown }> {
  const chain: Array<{ name?: unknown; code?: unknown; type?: unknown; message?: unknown }> = [];
  let current: unknown = error;
  while (current && typeof current === 'object' && !chain.includes(current) && chain.length < 10) {
    chain.push(current);
    current =
      (current as { cause?: unknown }).cause ?? (current as { originalError?: unknown }).originalError;
  }
  return chain;
}

/** True when an error (or one of its causes) means the broker could not be reached at all. */
export function isKafkaConnectionError(error: unknown): boolean {
  return causeChain(error).some(
    (e) =>
      (typeof e.name === 'string' && CONNECTION_ERROR_NAMES.has(e.name)) ||
      (typeof e.code === 'string' && CONNECTION_CODES.has(e.code)) ||
      (typeof e.message === 'string' && /^Connection (error|timeout)/i.test(e.message)),
  );
}

/** True when the broker says a topic does not exist (UNKNOWN_TOPIC_OR_PARTITION). */
export function isUnknownTopicError(error: unknown): boolean {
  return causeChain(error).some((e) => e.type === 'UNKNOWN_TOPIC_OR_PARTITION');
}

/** The most specific text of an error for a one-line message. */
export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
