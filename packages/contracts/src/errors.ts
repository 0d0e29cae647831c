import { PipelineError } from '@pipeline/common/errors';

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
