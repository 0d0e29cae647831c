import { PipelineError } from '@pipeline/common';

/** Every code a KafkaLayerError can carry; callers switch on these rather than on class names. */
export const KAFKA_ERROR_CODES = {
  invalidConfig: 'INVALID_CONFIG',
  wrongMessageType: 'WRONG_MESSAGE_TYPE',
  partitionMismatch: 'PARTITION_MISMATCH',
  notConnected: 'NOT_CONNECTED',
  consumerCrashed: 'CONSUMER_CRASHED',
  timeout: 'KAFKA_TIMEOUT',
} as const;

export type KafkaErrorCode = (typeof KAFKA_ERROR_CODES)[keyof typeof KAFKA_ERROR_CODES];

/** Base class of the errors this package raises itself (kafkajs errors pass through unchanged). */
export class KafkaLayerError extends PipelineError {
  declare readonly code: KafkaErrorCode;

  constructor(code: KafkaErrorCode, message: string, options: { cause?: unknown; canRetry?: boolean } = {}) {
    super(code, message, options);
  }
}
