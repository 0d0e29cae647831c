export { ConfigError } from './config-error.js';
export { isRetriable } from './is-retriable.js';
export { KAFKA_ERROR_CODES, type KafkaErrorCode, KafkaLayerError } from './kafka-layer-error.js';
export { type PartitionMismatch, PartitionMismatchError } from './partition-mismatch-error.js';
export { WrongMessageTypeError } from './wrong-message-type-error.js';
