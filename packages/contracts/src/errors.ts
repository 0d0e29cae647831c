/**
 * The one error base class of the pipeline: every package throws subclasses of it, so a caller can
 * tell by `code` what failed and by `canRetry` whether trying the same thing again may succeed.
 */
export class PipelineError extends Error {
  readonly code: string;
  readonly canRetry: boolean;

  constructor(code: string, message: string, options: { cause?: unknown; canRetry?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.canRetry = options.canRetry ?? false;
  }
}

/** Bytes that are not a valid encoding of the expected message type. Retrying cannot help. */
export class DecodeError extends PipelineError {
  readonly typeName: string;

  constructor(typeName: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super('DECODE_FAILED', `cannot decode ${typeName}: ${reason}`, { cause });
    this.typeName = typeName;
  }
}

/** A type name that no schema in the registry carries. */
export class UnknownMessageTypeError extends PipelineError {
  readonly typeName: string;

  constructor(typeName: string) {
    super('UNKNOWN_MESSAGE_TYPE', `no message type named ${typeName} in @pipeline/contracts`);
    this.typeName = typeName;
  }
}
