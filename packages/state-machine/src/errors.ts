/**
 * Codes this package throws with. Mirrors `PipelineError` of @pipeline/contracts (code + canRetry)
 * without depending on it: the state machine is pure logic and must stay usable on its own.
 */
export type StateMachineErrorCode = 'INVALID_SNAPSHOT';

export class StateMachineError extends Error {
  readonly code: StateMachineErrorCode;
  /** Always false: the same input will fail the same way. */
  readonly canRetry = false;

  constructor(code: StateMachineErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
  }
}
