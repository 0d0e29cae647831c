import { type Logger, noopLogger, PipelineError } from '@pipeline/common';
import type { Topic, TopicNames } from '@pipeline/topics';
import type { EachBatchPayload, Consumer as KafkajsConsumer } from 'kafkajs';
import { type KafkaClient, kafkajsOf } from './client.js';
import { createCoPartitionAssigner } from './co-partition-assigner.js';
import { isUnreachable } from './errors.js';
import type { ConsumedRecord } from './records/record.js';

export interface ConsumerOptions {
  groupId: string;
  /** Logical topics; `names` maps them to the cluster's. */
  topics: readonly Topic[];
  names: TopicNames;
  /** Where a group without committed offsets starts: true = oldest record, false (default) = new ones only. */
  fromBeginning?: boolean;
  /** One member owns partition p of every subscribed topic (see co-partition-assigner.ts). */
  coPartitioned?: boolean;
  /**
   * With coPartitioned: where this member answers (e.g. its HTTP address), told to the group at each
   * join; other members read it with KafkaAdmin.groupMembers.
   */
  endpoint?: () => string | undefined;
  /** With coPartitioned: the numbers whose state this member has a copy of (sticky-numbers.ts). */
  warm?: () => readonly number[];
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /**
   * Longest wait of one fetch when there is nothing to read. Default 1000 ms, not kafkajs' 5000: a
   * stop waits for the fetch in flight, so this bounds how long stopping takes.
   */
  maxWaitTimeMs?: number;
  /**
   * Most bytes one fetch brings (kafkajs: 10 MiB in all, 1 MiB per partition): every record of a
   * fetch is in memory at once, so a consumer that reads long histories keeps its memory lower with
   * less. A record larger than these still comes, alone.
   */
  maxBytes?: number;
  maxBytesPerPartition?: number;
  /** Partitions handled at once (order is kept within a partition). Default 1. */
  concurrency?: number;
  /** How often the client restarts the consumer after a retriable failure before it gives up. */
  retries?: number;
  logger?: Logger;
}

/**
 * Records of one partition as fetched, read_committed. Nothing counts as processed until `resolve`d;
 * offsets are committed only by `commit` (or by a transaction), never on a timer.
 */
export interface Batch {
  readonly topic: Topic;
  readonly partition: number;
  readonly records: readonly ConsumedRecord[];
  /** The offset after this fetch: the next one to read (transaction markers included). */
  readonly nextOffset: bigint;
  /** Records after this batch not yet read, as of the fetch. */
  lag(): bigint;
  /** Marks records up to `offset` as processed. */
  resolve(offset: string): void;
  heartbeat(): Promise<void>;
  /** False once the consumer stops or a rebalance took the partition away: stop working on it. */
  isActive(): boolean;
  /** Stops fetching this partition; call the returned function to resume (unresolved records come again). */
  pause(): () => void;
  /** Commits the offsets resolved so far (at-least-once consumers; transactional ones commit in their transaction). */
  commit(): Promise<void>;
}

export type ConsumerEvent =
  | { type: 'joined'; memberId: string; protocol: string; partitions: ReadonlyMap<Topic, readonly number[]> }
  | { type: 'rebalancing' }
  /**
   * The consumer moved past records no batch showed: transaction markers, aborted records. Its
   * position in that partition is now `nextOffset` (a batch's own position is its `nextOffset`).
   */
  | { type: 'skipped'; topic: Topic; partition: number; nextOffset: bigint }
  | { type: 'crashed'; error: unknown; restarting: boolean }
  | { type: 'stopped' };

export interface Consumer {
  /** Connects, subscribes and joins the group; resolves once it consumes. */
  run(onBatch: (batch: Batch) => Promise<void>): Promise<void>;
  /** Stops fetching and waits for the batches in hand; stays connected. */
  stop(): Promise<void>;
  /**
   * Commits these offsets (the next record to read, per partition), whatever was resolved: for
   * consumers that finish records out of order and commit only below the first unfinished one.
   */
  commit(offsets: ReadonlyArray<{ topic: Topic; partition: number; offset: bigint }>): Promise<void>;
  /**
   * Reads `partition` of `topic` from `offset` on (the next fetch of it): for consumers that keep
   * their position elsewhere than in the group (a store checkpointed with the offsets it read).
   * Only while running; from a `joined` listener it takes effect before the first fetch.
   */
  seek(topic: Topic, partition: number, offset: bigint): void;
  /** Stops fetching these partitions of `topic` until resumed (they stay assigned). */
  pause(topic: Topic, partitions: readonly number[]): void;
  /** Fetches these partitions of `topic` again, from where they stood. */
  resume(topic: Topic, partitions: readonly number[]): void;
  /** Stops and disconnects (leaves the group). Idempotent. */
  close(): Promise<void>;
  /** Group membership and failures; returns a function that removes the listener. */
  on(listener: (event: ConsumerEvent) => void): () => void;
}

/** A group consumer in the pipeline's terms: logical topics, raw records, explicit offsets. */
export function createConsumer(client: KafkaClient, options: ConsumerOptions): Consumer {
  const { names } = options;
  const logger = (options.logger ?? noopLogger).child({ component: 'consumer', groupId: options.groupId });
  // The partition numbers of the last assignment, told to the group at the next join (sticky).
  let owned: number[] = [];
  const consumer: KafkajsConsumer = kafkajsOf(client).consumer({
    groupId: options.groupId,
    readUncommitted: false,
    allowAutoTopicCreation: false,
    maxWaitTimeInMs: options.maxWaitTimeMs ?? 1000,
    ...(options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes }),
    ...(options.maxBytesPerPartition === undefined
      ? {}
      : { maxBytesPerPartition: options.maxBytesPerPartition }),
    ...(options.coPartitioned
      ? { partitionAssigners: [createCoPartitionAssigner(() => owned, options.endpoint, options.warm)] }
      : {}),
    ...(options.sessionTimeoutMs === undefined ? {} : { sessionTimeout: options.sessionTimeoutMs }),
    ...(options.heartbeatIntervalMs === undefined ? {} : { heartbeatInterval: options.heartbeatIntervalMs }),
    ...(options.retries === undefined ? {} : { retry: { retries: options.retries } }),
  });
  const listeners = new Set<(event: ConsumerEvent) => void>();
  const emit = (event: ConsumerEvent) => {
    for (const listener of listeners) listener(event);
  };
  let fatal: unknown;
  const { events } = consumer;
  consumer.on(events.GROUP_JOIN, ({ payload }) => {
    const partitions = new Map<Topic, number[]>();
    for (const [name, numbers] of Object.entries(payload.memberAssignment)) {
      const topic = names.logical(name);
      if (topic)
        partitions.set(
          topic,
          [...numbers].sort((a, b) => a - b),
        );
    }
    owned = [...new Set([...partitions.values()].flat())].sort((a, b) => a - b);
    emit({ type: 'joined', memberId: payload.memberId, protocol: payload.groupProtocol, partitions });
  });
  consumer.on(events.REBALANCING, () => emit({ type: 'rebalancing' }));
  // kafkajs resolves a fetch of only markers or aborted records itself and says so only here.
  consumer.on(events.END_BATCH_PROCESS, ({ payload }) => {
    const topic = names.logical(payload.topic);
    if (payload.batchSize !== 0 || !topic) return;
    emit({
      type: 'skipped',
      topic,
      partition: payload.partition,
      nextOffset: BigInt(payload.lastOffset) + 1n,
    });
  });
  consumer.on(events.CRASH, ({ payload }) => {
    if (!payload.restart) fatal = payload.error;
    // A broker out of reach makes kafkajs restart the consumer until it is back: a warning. Anything
    // else, or a crash it does not restart from, is an error.
    const level = payload.restart && isUnreachable(payload.error) ? 'warn' : 'error';
    logger[level]({ err: payload.error, restart: payload.restart }, 'consumer crashed');
    emit({ type: 'crashed', error: payload.error, restarting: payload.restart });
  });
  consumer.on(events.STOP, () => emit({ type: 'stopped' }));
  consumer.on(events.DISCONNECT, () => emit({ type: 'stopped' }));

  const toBatch = (payload: EachBatchPayload): Batch | undefined => {
    const { batch } = payload;
    const topic = names.logical(batch.topic);
    if (!topic) return undefined;
    return {
      topic,
      partition: batch.partition,
      records: batch.messages.map((m) => ({
        topic,
        partition: batch.partition,
        offset: m.offset,
        key: m.key,
        value: m.value,
        headers: m.headers ?? {},
      })),
      nextOffset: BigInt(batch.lastOffset()) + 1n,
      lag: () => BigInt(batch.offsetLag()),
      resolve: (offset) => payload.resolveOffset(offset),
      heartbeat: () => payload.heartbeat(),
      isActive: () => payload.isRunning() && !payload.isStale(),
      pause: () => payload.pause(),
      commit: () => payload.commitOffsetsIfNecessary(payload.uncommittedOffsets()),
    };
  };

  let closing: Promise<void> | undefined;
  return {
    async run(onBatch) {
      await consumer.connect();
      await consumer.subscribe({
        topics: options.topics.map((t) => names.physical(t)),
        fromBeginning: options.fromBeginning ?? false,
      });
      // Resolves after the client joined the group (or crashed trying: `fatal` tells).
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: options.concurrency ?? 1,
        eachBatch: async (payload) => {
          const batch = toBatch(payload);
          if (batch) await onBatch(batch);
        },
      });
      if (fatal !== undefined) {
        throw new PipelineError(
          'CONSUMER_CRASHED',
          `consumer of group ${options.groupId} crashed while starting`,
          {
            cause: fatal,
          },
        );
      }
    },
    stop: () => consumer.stop(),
    seek: (topic, partition, offset) =>
      consumer.seek({ topic: names.physical(topic), partition, offset: String(offset) }),
    pause: (topic, partitions) => {
      if (partitions.length > 0)
        consumer.pause([{ topic: names.physical(topic), partitions: [...partitions] }]);
    },
    resume: (topic, partitions) => {
      if (partitions.length > 0)
        consumer.resume([{ topic: names.physical(topic), partitions: [...partitions] }]);
    },
    commit: (offsets) =>
      consumer.commitOffsets(
        offsets.map((o) => ({
          topic: names.physical(o.topic),
          partition: o.partition,
          offset: String(o.offset),
        })),
      ),
    close() {
      closing ??= (async () => {
        await consumer.stop();
        await consumer.disconnect();
      })();
      return closing;
    },
    on(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
