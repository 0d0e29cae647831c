/**
 * Every code a PipelineError can carry, across the workspace. A closed list: callers switch on it,
 * and a new failure mode is added here, where its neighbours show whether it is really new.
 */
export const ERROR_CODES = [
  /** Settings that cannot work; the error lists every problem (ConfigError). */
  'INVALID_CONFIG',
  /** Bytes that are not a valid encoding of the expected protobuf message. */
  'DECODE_FAILED',
  /** A protobuf type name that the contracts do not define. */
  'UNKNOWN_MESSAGE_TYPE',
  /** A message handed to a topic that carries another type. */
  'WRONG_MESSAGE_TYPE',
  /** Existing topics with another partition count than co-partitioning needs. */
  'PARTITION_MISMATCH',
  /** A client used before it connected or after it was closed. */
  'NOT_CONNECTED',
  /** A consumer that stopped for good. */
  'CONSUMER_CRASHED',
  /** The cluster did not reach a state in time (e.g. partitions without leaders). */
  'KAFKA_TIMEOUT',
  /** A persisted stage-machine snapshot the machine could not have produced. */
  'INVALID_SNAPSHOT',
  /**
   * The local Kafka launcher could not start, stop or find a broker (LauncherError; its `exitCode`
   * says whether the setup is wrong or the broker failed).
   */
  'LAUNCHER_FAILED',
  /** An agent command with neither a key nor a request id in its payload: no reply can be keyed. */
  'MISSING_REQUEST_ID',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

// A registered symbol, not a class check: two copies of this package (two bundles, two versions in
// one node_modules) still recognise each other's errors.
const BRAND = Symbol.for('@pipeline/common.PipelineError');

/**
 * The one error base of the pipeline. `code` says what failed; `canRetry` whether trying the same
 * thing again may succeed. Recognise one with `isPipelineError`, not `instanceof`.
 */
export class PipelineError extends Error {
  readonly code: ErrorCode;
  readonly canRetry: boolean;
  declare readonly [BRAND]: true;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; canRetry?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.canRetry = options.canRetry ?? false;
    Object.defineProperty(this, BRAND, { value: true });
  }
}

export function isPipelineError(error: unknown): error is PipelineError {
  return typeof error === 'object' && error !== null && (error as { [BRAND]?: unknown })[BRAND] === true;
}

/** True only for a PipelineError that says a retry may help; anything unknown is not retried. */
export function canRetry(error: unknown): boolean {
  return isPipelineError(error) && error.canRetry;
}

/**
 * Configuration that cannot work. It lists every problem found, not only the first, so that one
 * failed start tells the operator everything to fix; each problem names the variable or option and
 * what it accepts.
 */
export class ConfigError extends PipelineError {
  readonly problems: readonly string[];

  constructor(problems: readonly string[], subject = 'configuration') {
    const list = problems.map((p) => `  - ${p}`).join('\n');
    super('INVALID_CONFIG', `invalid ${subject}:\n${list}`);
    this.problems = [...problems];
  }
}

export function isConfigError(error: unknown): error is ConfigError {
  return isPipelineError(error) && error.code === 'INVALID_CONFIG' && 'problems' in error;
}

/** The message of anything thrown, for one-line reports. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
