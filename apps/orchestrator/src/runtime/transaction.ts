import type { Kafka, Logger } from '@pipeline/kafka';
import type { Producer } from 'kafkajs';

/** A record to write; `value: null` is a tombstone (compacted topics forget the key). */
export interface TxRecord {
  topic: string;
  key?: string;
  value: Buffer | null;
  headers: Record<string, string>;
  partition?: number;
}

export interface OffsetCommit {
  consumerGroupId: string;
  topic: string;
  partition: number;
  /** The next offset to read (last processed + 1). */
  offset: string;
}

/**
 * The transactional producer of ONE input partition number. Its transactional id is fixed per
 * partition (exactly-once v1, the protocol kafkajs speaks): whoever opens it next, e.g. the instance
 * that takes the partition over after a crash, fences this one and aborts its open transaction.
 */
export class PartitionProducer {
  private producer: Producer | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly transactionalId: string,
    private readonly logger: Logger,
  ) {}

  async open(): Promise<void> {
    const producer = this.kafka.producer({
      transactionalId: this.transactionalId,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: 60_000,
      // The broker answers CONCURRENT_TRANSACTIONS while it still writes the previous commit's
      // markers (a few ms). kafkajs retries that, but by default only after ~300 ms, which would
      // stall every back-to-back transaction; the Java client waits 20 ms.
      retry: { initialRetryTime: 10, maxRetryTime: 1000, factor: 0.2, multiplier: 2, retries: 10 },
    });
    await producer.connect();
    this.producer = producer;
  }

  /**
   * Writes records and commits input offsets in one transaction, all or nothing, and tries ONCE.
   * After a failure this producer is not to be used again: kafkajs leaves it stuck when EndTxn
   * fails, and reusing its sequence numbers after an abort can make the broker drop a retried
   * batch as a duplicate. The worker throws it away and restores the partition instead (fence,
   * barrier, re-read), which also settles whether an ambiguous commit happened.
   */
  async commit(records: readonly TxRecord[], offsets: readonly OffsetCommit[]): Promise<void> {
    const producer = this.producer;
    if (!producer) throw new Error(`producer ${this.transactionalId} is closed`);
    const tx = await producer.transaction();
    try {
      if (records.length > 0) await tx.sendBatch({ topicMessages: groupByTopic(records), acks: -1 });
      for (const group of groupOffsets(offsets)) await tx.sendOffsets(group);
      await tx.commit();
    } catch (error) {
      await tx
        .abort()
        .catch((abortError: unknown) =>
          this.logger.debug(
            { err: abortError, transactionalId: this.transactionalId },
            'abort after failure failed',
          ),
        );
      throw error;
    }
  }

  async close(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    await producer
      ?.disconnect()
      .catch((error: unknown) =>
        this.logger.debug(
          { err: error, transactionalId: this.transactionalId },
          'producer disconnect failed',
        ),
      );
  }
}

function groupByTopic(records: readonly TxRecord[]) {
  const byTopic = new Map<
    string,
    Array<{ key?: string; value: Buffer | null; headers: Record<string, string>; partition?: number }>
  >();
  for (const record of records) {
    const messages = byTopic.get(record.topic) ?? [];
    const message: {
      key?: string;
      value: Buffer | null;
      headers: Record<string, string>;
      partition?: number;
    } = {
      value: record.value,
      headers: record.headers,
    };
    if (record.key !== undefined) message.key = record.key;
    if (record.partition !== undefined) message.partition = record.partition;
    messages.push(message);
    byTopic.set(record.topic, messages);
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}

function groupOffsets(offsets: readonly OffsetCommit[]) {
  const byGroup = new Map<string, Map<string, Array<{ partition: number; offset: string }>>>();
  for (const { consumerGroupId, topic, partition, offset } of offsets) {
    const topics = byGroup.get(consumerGroupId) ?? new Map();
    const partitions = topics.get(topic) ?? [];
    partitions.push({ partition, offset });
    topics.set(topic, partitions);
    byGroup.set(consumerGroupId, topics);
  }
  return [...byGroup].map(([consumerGroupId, topics]) => ({
    consumerGroupId,
    topics: [...topics].map(([topic, partitions]) => ({ topic, partitions })),
  }));
}
