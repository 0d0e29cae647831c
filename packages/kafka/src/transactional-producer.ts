import { type Logger, noopLogger, PipelineError } from '@pipeline/common';
import type { Topic, TopicNames } from '@pipeline/topics';
import { type Producer as KafkajsProducer, Partitioners } from 'kafkajs';
import { type KafkaClient, kafkajsOf } from './client.js';
import { type Compression, checkCompression, kafkajsCompression } from './codecs.js';
import type { OutboundRecord } from './records/record.js';
import { toTopicMessages } from './send.js';

/** An input offset committed with a transaction: the next offset to read (last processed + 1). */
export interface OffsetCommit {
  groupId: string;
  topic: Topic;
  partition: number;
  offset: bigint;
}

export interface TransactionalProducer {
  readonly transactionalId: string;
  /**
   * Connects and registers the transactional id. Doing so fences every older producer with the same
   * id and aborts its open transaction: nothing can be committed behind our back from here on.
   */
  open(): Promise<void>;
  /**
   * Writes records and commits input offsets in ONE transaction, all or nothing, and tries once.
   * After a failure the producer must not be used again: close it and open a new one (the caller
   * then finds out from the cluster whether an ambiguous commit happened).
   */
  commit(records: readonly OutboundRecord[], offsets: readonly OffsetCommit[]): Promise<void>;
  close(): Promise<void>;
}

export interface TransactionalProducerOptions {
  transactionalId: string;
  names: TopicNames;
  logger?: Logger;
  /** Codec of the batches it writes; default none. Every codec is read by every common client. */
  compression?: Compression;
}

/** The broker aborts a transaction left open this long (see open()). */
export const TRANSACTION_TIMEOUT_MS = 15_000;

/**
 * The producer of one unit of exactly-once work. kafkajs speaks exactly-once v1: one transactional
 * id per input partition, so whoever opens the id next (e.g. the instance that takes the partition
 * over after a crash) fences this one.
 */
export function createTransactionalProducer(
  client: KafkaClient,
  options: TransactionalProducerOptions,
): TransactionalProducer {
  const { transactionalId, names } = options;
  const logger = (options.logger ?? noopLogger).child({ transactionalId });
  const compression = kafkajsCompression(checkCompression(options.compression));
  let producer: KafkajsProducer | undefined;
  return {
    transactionalId,
    async open() {
      const next = kafkajsOf(client).producer({
        transactionalId,
        idempotent: true,
        maxInFlightRequests: 1,
        // How long the broker keeps a transaction of a dead producer open, holding back every
        // read_committed reader of its partitions, when nobody takes its id over (a new owner aborts it
        // at once). A transaction here writes at most half a max.message.bytes per partition and takes
        // well under a second; 15 s leaves room for a slow broker, not for minutes of blocked readers.
        transactionTimeout: TRANSACTION_TIMEOUT_MS,
        // Named, not defaulted: kafkajs warns on every producer left to its default partitioner (the
        // default changed in 2.0). This one is murmur2 of the key, as the Java client: what
        // co-partitioning needs (records/murmur2.ts).
        createPartitioner: Partitioners.DefaultPartitioner,
        // The broker answers CONCURRENT_TRANSACTIONS while it still writes the previous commit's
        // markers (a few ms). kafkajs retries that, but by default only after ~300 ms, which would
        // stall every back-to-back transaction; the Java client waits 20 ms.
        retry: { initialRetryTime: 10, maxRetryTime: 1000, factor: 0.2, multiplier: 2, retries: 10 },
      });
      await next.connect();
      // kafkajs registers the transactional id only when a producer begins its first transaction
      // (connect() alone fences nothing); an empty transaction does that now, sending no EndTxn.
      const registering = await next.transaction();
      await registering.abort();
      producer = next;
    },
    async commit(records, offsets) {
      // kafkajs leaves a producer stuck when EndTxn fails, and reusing its sequence numbers after an
      // abort can make the broker drop a retried batch as a duplicate: hence one try per producer.
      if (!producer) throw new PipelineError('NOT_CONNECTED', `producer ${transactionalId} is not open`);
      const tx = await producer.transaction();
      try {
        if (records.length > 0)
          await tx.sendBatch({
            topicMessages: toTopicMessages(records, names),
            acks: -1,
            ...(compression === undefined ? {} : { compression }),
          });
        for (const group of groupOffsets(offsets, names)) await tx.sendOffsets(group);
        await tx.commit();
      } catch (error) {
        await tx
          .abort()
          .catch((abortError: unknown) => logger.debug({ err: abortError }, 'abort after failure failed'));
        throw error;
      }
    },
    async close() {
      const closing = producer;
      producer = undefined;
      await closing
        ?.disconnect()
        .catch((error: unknown) => logger.debug({ err: error }, 'producer disconnect failed'));
    },
  };
}

function groupOffsets(offsets: readonly OffsetCommit[], names: TopicNames) {
  const byGroup = new Map<string, Map<string, Array<{ partition: number; offset: string }>>>();
  for (const { groupId, topic, partition, offset } of offsets) {
    const topics = byGroup.get(groupId) ?? new Map<string, Array<{ partition: number; offset: string }>>();
    const physical = names.physical(topic);
    topics.set(physical, [...(topics.get(physical) ?? []), { partition, offset: String(offset) }]);
    byGroup.set(groupId, topics);
  }
  return [...byGroup].map(([consumerGroupId, topics]) => ({
    consumerGroupId,
    topics: [...topics].map(([topic, partitions]) => ({ topic, partitions })),
  }));
}
