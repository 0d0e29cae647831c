import type { MessageTopic, TopicMessage } from '@pipeline/topics';
import { type Kafka, Partitioners, type Producer } from 'kafkajs';
import { KAFKA_ERROR_CODES, KafkaLayerError } from '../errors/kafka-layer-error.js';
import { type Logger, noopLogger } from '../logging/logger.js';
import { type EncodeOptions, encodeRecord } from '../records/encode-record.js';
import { groupByTopic } from '../records/group-by-topic.js';
import type { OutboundRecord } from '../records/outbound-record.js';
import { type RetryOptions, withRetry } from '../retry/with-retry.js';
import type { TopicNames } from '../topics/topic-names.js';

export interface TypedProducer {
  /** Connects; retries while the cluster is unreachable. */
  connect(): Promise<void>;
  /** Encodes and sends one message; resolves once all in-sync replicas have it. */
  send<T extends MessageTopic>(topic: T, message: TopicMessage<T>, options?: EncodeOptions): Promise<void>;
  /** Sends ready records (e.g. dead letters) in one request, whatever their topics. */
  sendRecords(records: OutboundRecord[]): Promise<void>;
  /** Idempotent. */
  disconnect(): Promise<void>;
}

export interface TypedProducerOptions {
  logger?: Logger;
  /** Patience for transient failures on top of kafkajs' own per-request retries. */
  retry?: RetryOptions;
  /** Logical → physical topic names for `send` (a per-call `topicNames` wins). */
  topicNames?: TopicNames;
}

/**
 * An at-least-once producer. Idempotent, so that kafkajs' internal retries cannot write a record
 * twice; that requires acks from all in-sync replicas (-1) and, in kafkajs, one request in flight
 * (otherwise its sequence numbers can go out of order after a retry).
 */
export function createTypedProducer(kafka: Kafka, options: TypedProducerOptions = {}): TypedProducer {
  const logger = (options.logger ?? noopLogger).child({ component: 'typed-producer' });
  const producer: Producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    // Topics are provisioned, never created by accident through a typo.
    allowAutoTopicCreation: false,
    // The Java client's partitioner (murmur2), named explicitly; also silences kafkajs' v2 warning.
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  let state: 'idle' | 'connected' | 'disconnected' = 'idle';
  let connecting: Promise<void> | undefined;

  const retry = (what: string): RetryOptions => ({
    ...options.retry,
    onRetry: (error, attempt, delayMs) => {
      logger.warn({ err: error, attempt, delayMs }, `${what} failed, retrying`);
      options.retry?.onRetry?.(error, attempt, delayMs);
    },
  });

  const sendRecords = async (records: OutboundRecord[]): Promise<void> => {
    if (state !== 'connected') {
      throw new KafkaLayerError(
        KAFKA_ERROR_CODES.notConnected,
        `producer is ${state === 'idle' ? 'not connected yet' : 'disconnected'}: call connect() first`,
      );
    }
    if (records.length === 0) return;
    // One request for all topics: one round trip, and kafkajs retries it as a whole.
    const topicMessages = groupByTopic(records);
    await withRetry(() => producer.sendBatch({ acks: -1, topicMessages }), retry('send'));
  };

  return {
    async connect() {
      if (state === 'connected') return;
      if (state === 'disconnected')
        throw new KafkaLayerError(
          KAFKA_ERROR_CODES.notConnected,
          'producer was disconnected; create a new one',
        );
      connecting ??= withRetry(() => producer.connect(), retry('connect')).then(
        () => {
          state = 'connected';
        },
        (error: unknown) => {
          connecting = undefined;
          throw error;
        },
      );
      await connecting;
    },
    async send(topic, message, sendOptions = {}) {
      const record = encodeRecord(topic, message, {
        ...sendOptions,
        topicNames: { ...options.topicNames, ...sendOptions.topicNames },
      });
      await sendRecords([record]);
    },
    sendRecords,
    async disconnect() {
      if (state === 'disconnected') return;
      state = 'disconnected';
      await connecting?.catch(() => {});
      await producer.disconnect();
    },
  };
}
