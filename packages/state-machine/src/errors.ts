import { PipelineError } from '@pipeline/common/errors';

/** The one code this package throws with: a persisted snapshot the machine could not have produced. */
export type StateMachineErrorCode = 'INVALID_SNAPSHOT';

/** Always `canRetry: false`: the same input will fail the same way. */
export class StateMachineError extends PipelineError {
  declare readonly code: StateMachineErrorCode;

  constructor(code: StateMachineErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, options);
  }
}
