import { PipelineError } from '@pipeline/common';
import { isMessageTopic, type MessageTopic } from '@pipeline/topics';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { CoPartitionAssigner } from '../assigner/co-partition-assigner.js';
import { ConfigError } from '../errors/config-error.js';
import { KAFKA_ERROR_CODES, KafkaLayerError } from '../errors/kafka-layer-error.js';
import { readHeaders, readStandardHeaders } from '../headers/standard-headers.js';
import { type Logger, noopLogger } from '../logging/logger.js';
import type { TypedProducer } from '../producer/typed-producer.js';
import { deadLetterRecord } from '../records/dead-letter-record.js';
import { decodeRecord } from '../records/decode-record.js';
import { type RetryOptions, withRetry } from '../retry/with-retry.js';
import { physicalTopic, type TopicNames } from '../topics/topic-names.js';
import type { InboundMessage } from './inbound-message.js';

/** Dead-letter reasons this consumer writes into x-dlq-reason. */
export const DEAD_LETTER_REASONS = { undecodable: 'undecodable', handlerFailed: 'handler_failed' } as const;

export interface TypedConsumerOptions<T extends MessageTopic> {
  groupId: string;
  topics: readonly T[];
  /** Where a group without committed offsets starts: true = oldest record, false (default) = new ones only. */
  fromBeginning?: boolean;
  logger?: Logger;
  /** Sends dead letters. Connected by `start()` if it is not yet. */
  producer: TypedProducer;
  /** Handles one message. Throwing means "try again"; after the retries the message is dead-lettered. */
  handle: (message: InboundMessage<T>) => Promise<void>;
  /**
   * Retries of a failing handler. By default every error is retried except a PipelineError with
   * `canRetry: false` (it says itself that trying again cannot help).
   */
  retry?: RetryOptions;
  /** Partitions handled in parallel (order is kept within a partition). Default 1. */
  partitionsConsumedConcurrently?: number;
  /** Logical → physical topic names (see TopicNames). */
  topicNames?: TopicNames;
  /** Where dead letters go. Default DLQ (`orchestrator.dlq`). */
  deadLetterTopic?: string;
  /** Use CoPartitionAssigner: one member owns partition p of every subscribed topic. */
  coPartitioned?: boolean;
  /**
   * Longest wait of one fetch when there is nothing to read. Default 1000 ms, not kafkajs' 5000: a
   * stop waits for the fetch in flight, so this bounds how long `stop()` takes; an idle consumer
   * then polls once a second, which costs next to nothing.
   */
  maxWaitTimeMs?: number;
}

export interface TypedConsumer {
  /** Connects, subscribes and joins the group; resolves once it consumes. */
  start(): Promise<void>;
  /** Stops fetching, lets the message in hand finish, commits, leaves the group, disconnects. Idempotent. */
  stop(): Promise<void>;
  /** In a group with partitions assigned (or waiting for some), i.e. consuming. */
  ready(): boolean;
}

/** Raised inside the handler retry loop when the group is lost; ends the batch without dead-lettering. */
class GroupLost {
  constructor(readonly cause: unknown) {}
}

const handlerErrorIsRetriable = (error: unknown): boolean =>
  !(error instanceof PipelineError && !error.canRetry);

/**
 * At-least-once consumption for agents and tools. Offsets are committed only for messages that were
 * handled or dead-lettered, after each batch (auto-commit is off: kafkajs would otherwise commit
 * on a timer, possibly before the handler ran). Reads committed records only, so aborted
 * transactions of the orchestrator never reach a handler. One bad message never stops the loop: it
 * is dead-lettered with its original bytes and consumption goes on. What does stop the batch is
 * losing the group or failing to write a dead letter; then the uncommitted messages are delivered
 * again (to this or another member) rather than lost.
 */
export function createTypedConsumer<T extends MessageTopic>(
  kafka: Kafka,
  options: TypedConsumerOptions<T>,
): TypedConsumer {
  const logicalByPhysical = validate(options);
  const logger = (options.logger ?? noopLogger).child({
    component: 'typed-consumer',
    groupId: options.groupId,
  });
  const consumer: Consumer = kafka.consumer({
    groupId: options.groupId,
    readUncommitted: false,
    allowAutoTopicCreation: false,
    maxWaitTimeInMs: options.maxWaitTimeMs ?? 1000,
    ...(options.coPartitioned ? { partitionAssigners: [CoPartitionAssigner] } : {}),
  });
  const stopping = new AbortController();
  const stopReason = new Error('consumer stopping');
  let inGroup = false;
  let fatal: unknown;
  let startPromise: Promise<void> | undefined;
  let stopPromise: Promise<void> | undefined;

  const listeners = [
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      inGroup = true;
      logger.info({ memberId: e.payload.memberId, assignment: e.payload.memberAssignment }, 'joined group');
    }),
    consumer.on(consumer.events.CRASH, (e) => {
      inGroup = false;
      if (!e.payload.restart) fatal = e.payload.error;
      logger.error({ err: e.payload.error, restart: e.payload.restart }, 'consumer crashed');
    }),
    consumer.on(consumer.events.DISCONNECT, () => {
      inGroup = false;
    }),
    consumer.on(consumer.events.STOP, () => {
      inGroup = false;
    }),
  ];

  const deadLetter = async (
    topic: string,
    partition: number,
    raw: KafkaMessage,
    reason: string,
    error: unknown,
  ) => {
    const headers = readHeaders(raw.headers);
    const record = deadLetterRecord(
      { topic, partition, offset: raw.offset, key: raw.key, value: raw.value, headers },
      reason,
      error,
      Date.now(),
      options.deadLetterTopic === undefined ? {} : { deadLetterTopic: options.deadLetterTopic },
    );
    logger.warn(
      { topic, partition, offset: raw.offset, reason, err: error, deadLetterTopic: record.topic },
      'dead-lettering message',
    );
    await options.producer.sendRecords([record]);
  };

  /** Handles one record; false when stopping interrupted it (then it stays unresolved). */
  const processOne = async (
    topic: string,
    partition: number,
    raw: KafkaMessage,
    heartbeat: () => Promise<void>,
  ): Promise<boolean> => {
    const logical = logicalByPhysical.get(topic) as T;
    const decoded = decodeRecord(logical, raw.value);
    if (!decoded.ok) {
      await deadLetter(topic, partition, raw, DEAD_LETTER_REASONS.undecodable, decoded.error);
      return true;
    }
    const headers = readHeaders(raw.headers);
    const inbound = {
      topic: logical,
      partition,
      offset: raw.offset,
      key: raw.key === null ? undefined : raw.key.toString('utf8'),
      message: decoded.message,
      headers,
      standard: readStandardHeaders(headers),
    } as unknown as InboundMessage<T>;

    const retryOptions = options.retry ?? {};
    const isRetriable = retryOptions.isRetriable ?? handlerErrorIsRetriable;
    try {
      await withRetry(
        async (attempt) => {
          if (attempt > 1) {
            // Waiting between attempts must not cost the group membership.
            await heartbeat().catch((e: unknown) => {
              throw new GroupLost(e);
            });
          }
          await options.handle(inbound);
        },
        {
          ...retryOptions,
          isRetriable: (e) => !(e instanceof GroupLost) && isRetriable(e),
          signal: stopping.signal,
          onRetry: (error, attempt, delayMs) => {
            // A handler interrupted by stop() is not failing: the message stays uncommitted.
            if (!stopping.signal.aborted)
              logger.warn(
                { topic, partition, offset: raw.offset, err: error, attempt, delayMs },
                'handler failed, retrying',
              );
            retryOptions.onRetry?.(error, attempt, delayMs);
          },
        },
      );
      return true;
    } catch (error) {
      if (error instanceof GroupLost) throw error.cause;
      if (error === stopReason) return false;
      await deadLetter(topic, partition, raw, DEAD_LETTER_REASONS.handlerFailed, error);
      return true;
    }
  };

  const eachBatch = async (payload: EachBatchPayload): Promise<void> => {
    const { batch, resolveOffset, heartbeat, isRunning, isStale } = payload;
    let failure: unknown;
    try {
      for (const raw of batch.messages) {
        if (!isRunning() || isStale() || stopping.signal.aborted) break;
        const handled = await processOne(batch.topic, batch.partition, raw, heartbeat);
        if (!handled) break;
        resolveOffset(raw.offset);
        await heartbeat();
      }
    } catch (error) {
      failure = error;
    }
    // Commit what was finished even when the batch ends early, so it is not delivered again. Offsets
    // kafkajs resolves by itself (transaction markers, aborted records) ride along with the next commit.
    try {
      await payload.commitOffsetsIfNecessary(payload.uncommittedOffsets());
    } catch (error) {
      if (failure === undefined) throw error;
      logger.warn({ err: error }, 'commit after a failed batch failed too');
    }
    if (failure !== undefined) throw failure;
  };

  const start = async (): Promise<void> => {
    await options.producer.connect();
    await consumer.connect();
    await consumer.subscribe({
      topics: [...logicalByPhysical.keys()],
      fromBeginning: options.fromBeginning ?? false,
    });
    // Resolves after kafkajs joined the group (or crashed trying: `fatal` tells).
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 1,
      eachBatch,
    });
    if (fatal !== undefined) {
      throw new KafkaLayerError(
        KAFKA_ERROR_CODES.consumerCrashed,
        `consumer of group ${options.groupId} crashed while starting`,
        {
          cause: fatal,
        },
      );
    }
  };

  return {
    start() {
      if (stopPromise)
        return Promise.reject(
          new KafkaLayerError(KAFKA_ERROR_CODES.notConnected, 'consumer was stopped; create a new one'),
        );
      startPromise ??= start();
      return startPromise;
    },
    stop() {
      stopPromise ??= (async () => {
        stopping.abort(stopReason);
        await startPromise?.catch(() => {});
        try {
          await consumer.stop();
          await consumer.disconnect();
        } finally {
          inGroup = false;
          for (const remove of listeners) remove();
        }
      })();
      return stopPromise;
    },
    ready: () => inGroup && stopPromise === undefined,
  };
}

function validate<T extends MessageTopic>(options: TypedConsumerOptions<T>): Map<string, T> {
  const problems: string[] = [];
  if (typeof options.groupId !== 'string' || options.groupId.trim() === '')
    problems.push('groupId must be a non-empty string');
  if (!Array.isArray(options.topics) || options.topics.length === 0)
    problems.push('topics must list at least one topic');
  if (typeof options.handle !== 'function') problems.push('handle must be a function');
  if (options.producer === undefined) problems.push('producer is required (it writes the dead letters)');
  const concurrency = options.partitionsConsumedConcurrently;
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1)) {
    problems.push(`partitionsConsumedConcurrently must be a whole number >= 1, got ${concurrency}`);
  }
  const maxWait = options.maxWaitTimeMs;
  if (maxWait !== undefined && (!Number.isInteger(maxWait) || maxWait < 0)) {
    problems.push(`maxWaitTimeMs must be a whole number >= 0, got ${maxWait}`);
  }
  const logicalByPhysical = new Map<string, T>();
  for (const topic of options.topics ?? []) {
    if (!isMessageTopic(topic)) {
      problems.push(`topic "${String(topic)}" carries no protobuf message: subscribe to MESSAGE_TOPICS only`);
      continue;
    }
    const physical = physicalTopic(topic, options.topicNames);
    const other = logicalByPhysical.get(physical);
    if (other !== undefined && other !== topic)
      problems.push(`topics ${other} and ${topic} both map to ${physical}`);
    logicalByPhysical.set(physical, topic);
  }
  if (options.deadLetterTopic !== undefined && logicalByPhysical.has(options.deadLetterTopic)) {
    problems.push(
      `deadLetterTopic ${options.deadLetterTopic} is also an input topic: dead letters would be read again`,
    );
  }
  if (problems.length > 0) throw new ConfigError(problems, 'typed consumer options');
  return logicalByPhysical;
}
