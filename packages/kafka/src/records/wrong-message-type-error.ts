import { PipelineError } from '@pipeline/common/errors';

/**
 * A message of another type handed to a topic. The types normally prevent it; this catches the
 * cases a cast or an `any` let through, before wrong bytes reach a topic that others decode.
 */
export class WrongMessageTypeError extends PipelineError {
  readonly topic: string;
  readonly expectedType: string;
  readonly actualType: string;

  constructor(topic: string, expectedType: string, actualType: string) {
    super(
      'WRONG_MESSAGE_TYPE',
      `topic ${topic} carries ${expectedType}, but the message is ${actualType || 'not a protobuf message'}`,
    );
    this.topic = topic;
    this.expectedType = expectedType;
    this.actualType = actualType;
  }
}
