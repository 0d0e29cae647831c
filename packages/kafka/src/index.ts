// @pipeline/kafka: the only package that talks to Kafka. Its API speaks the pipeline's terms
// (logical topics, records, offsets); no type of the client library crosses it.
export { type GroupMember, KafkaAdmin, type PartitionInfo, type PartitionOffsets } from './admin.js';
export { type ClientOptions, type ClientProfile, createKafkaClient, KafkaClient } from './client.js';
export { CO_PARTITION_PROTOCOL } from './co-partition-assigner.js';
export { COMPRESSIONS, type Compression } from './codecs.js';
export {
  KAFKA_ENV,
  type KafkaConfig,
  kafkaConfigFromEnv,
  readKafkaConfig,
  SASL_MECHANISMS,
  type SaslMechanism,
} from './config.js';
export {
  type Batch,
  type Consumer,
  type ConsumerEvent,
  type ConsumerOptions,
  createConsumer,
} from './consumer.js';
export {
  COORDINATOR_TOPICS,
  type CoordinatorKind,
  coordinatorPartition,
  javaStringHash,
} from './coordinators.js';
export {
  checkDurability,
  enforceDurability,
  type PipelineProvisionOptions,
  type PipelineProvisionResult,
  provisionPipelineTopics,
  readClusterFacts,
} from './durability.js';
export {
  brokenProducerReason,
  isBrokenProducer,
  isFenced,
  isRetriable,
  isTooLarge,
  isUnknownTopic,
  isUnreachable,
  type PartitionMismatch,
  PartitionMismatchError,
} from './errors.js';
export { createProducer, type Producer, type ProducerOptions } from './producer.js';
export {
  assertPartitionsMatch,
  describeTopics,
  type ProvisionOptions,
  type ProvisionResult,
  provisionTopics,
  type TopicDescription,
} from './provision.js';
export * from './records/index.js';
export {
  createTransactionalProducer,
  type OffsetCommit,
  type TransactionalProducer,
  type TransactionalProducerOptions,
} from './transactional-producer.js';
export {
  createTypedConsumer,
  type InboundMessage,
  type TypedConsumer,
  type TypedConsumerOptions,
} from './typed-consumer.js';
