import { KAFKA_ERROR_CODES, KafkaLayerError } from './kafka-layer-error.js';

/**
 * A message of another type handed to a topic. The types normally prevent it; this catches the
 * cases a cast or an `any` let through, before wrong bytes reach a topic that others decode.
 */
export class WrongMessageTypeError extends KafkaLayerError {
  readonly topic: string;
  readonly expectedType: string;
  readonly actualType: string;

  constructor(topic: string, expectedType: string, actualType: string) {
    super(
      KAFKA_ERROR_CODES.wrongMessageType,
      `topic ${topic} carries ${expectedType}, but the message is ${actualType || 'not a protobuf message'}`,
    );
    this.topic = topic;
    this.expectedType = expectedType;
    this.actualType = actualType;
  }
}
