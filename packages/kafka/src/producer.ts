import { type Logger, noopLogger, PipelineError, type RetryOptions, withRetry } from '@pipeline/common';
import type { MessageTopic, TopicMessage, TopicNames } from '@pipeline/topics';
import { type Producer as KafkajsProducer, Partitioners } from 'kafkajs';
import { type KafkaClient, kafkajsOf } from './client.js';
import { type Compression, checkCompression, kafkajsCompression } from './codecs.js';
import { isRetriable } from './errors.js';
import { type EncodeOptions, encodeRecord } from './records/encode-record.js';
import type { OutboundRecord } from './records/record.js';
import { toTopicMessages } from './send.js';

export interface Producer {
  /** Connects; retries while the cluster is unreachable. */
  connect(): Promise<void>;
  /** Encodes and sends one message; resolves once all in-sync replicas have it. */
  send<T extends MessageTopic>(topic: T, message: TopicMessage<T>, options?: EncodeOptions): Promise<void>;
  /** Sends ready records (e.g. dead letters) in one request, whatever their topics. */
  sendRecords(records: readonly OutboundRecord[]): Promise<void>;
  /** Idempotent. */
  disconnect(): Promise<void>;
}

export interface ProducerOptions {
  /** Logical → physical topic names of the records it sends. */
  names: TopicNames;
  logger?: Logger;
  /** Patience for transient failures on top of the client's own per-request retries. */
  retry?: RetryOptions;
  /** Codec of the batches it writes; default none. Every codec is read by every common client. */
  compression?: Compression;
}

/** The part of a kafkajs producer this wrapper uses; tests give fakes through `createProducerOver`. */
export type KafkajsProducerLike = Pick<KafkajsProducer, 'connect' | 'disconnect' | 'sendBatch'>;

/**
 * An at-least-once producer. Idempotent, so that the client's internal retries cannot write a record
 * twice; that requires acks from all in-sync replicas and, in kafkajs, one request in flight
 * (otherwise its sequence numbers can go out of order after a retry).
 */
export function createProducer(client: KafkaClient, options: ProducerOptions): Producer {
  const kafka = kafkajsOf(client);
  return createProducerOver(
    () =>
      kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        // Topics are provisioned, never created by accident through a typo.
        allowAutoTopicCreation: false,
        // The Java client's partitioner (murmur2), named explicitly; also silences kafkajs' v2 warning.
        createPartitioner: Partitioners.DefaultPartitioner,
      }),
    options,
  );
}

/**
 * The producer over kafkajs producers made by `make`. For this package and its tests only (not
 * exported from the package): it is how a test puts a fake kafkajs producer behind the wrapper.
 */
export function createProducerOver(make: () => KafkajsProducerLike, options: ProducerOptions): Producer {
  const logger = (options.logger ?? noopLogger).child({ component: 'producer' });
  const compression = kafkajsCompression(checkCompression(options.compression));
  const producer = make();
  let state: 'idle' | 'connected' | 'disconnected' = 'idle';
  let connecting: Promise<void> | undefined;

  const retry = (what: string): RetryOptions => ({
    isRetriable,
    ...options.retry,
    onRetry: (error, attempt, delayMs) => {
      logger.warn({ err: error, attempt, delayMs }, `${what} failed, retrying`);
      options.retry?.onRetry?.(error, attempt, delayMs);
    },
  });

  const sendRecords = async (records: readonly OutboundRecord[]): Promise<void> => {
    if (state !== 'connected') {
      throw new PipelineError(
        'NOT_CONNECTED',
        `producer is ${state === 'idle' ? 'not connected yet' : 'disconnected'}: call connect() first`,
      );
    }
    if (records.length === 0) return;
    // One request for all topics: one round trip, and the client retries it as a whole.
    const topicMessages = toTopicMessages(records, options.names);
    await withRetry(
      () =>
        producer.sendBatch({
          acks: -1,
          topicMessages,
          ...(compression === undefined ? {} : { compression }),
        }),
      retry('send'),
    );
  };

  return {
    async connect() {
      if (state === 'connected') return;
      if (state === 'disconnected')
        throw new PipelineError('NOT_CONNECTED', 'producer was disconnected; create a new one');
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
      await sendRecords([encodeRecord(topic, message, sendOptions)]);
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
