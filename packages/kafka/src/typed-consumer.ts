import {
  ConfigError,
  isPipelineError,
  type Logger,
  noopLogger,
  PipelineError,
  type RetryOptions,
  withRetry,
} from '@pipeline/common';
import type { DeadLetterReason } from '@pipeline/contracts';
import { isMessageTopic, type MessageTopic, type TopicMessage, type TopicNames } from '@pipeline/topics';
import type { KafkaClient } from './client.js';
import { type Batch, createConsumer } from './consumer.js';
import type { Producer } from './producer.js';
import { deadLetterRecord } from './records/dead-letter-record.js';
import { decodeRecord } from './records/decode-record.js';
import {
  type RecordHeaders,
  readHeaders,
  readStandardHeaders,
  type StandardHeaderValues,
} from './records/headers.js';
import type { ConsumedRecord } from './records/record.js';
import { createWindowedDispatch, type WindowedDispatch } from './windowed-dispatch.js';

/**
 * A decoded record. A union over the subscribed topics, discriminated by `topic` (the LOGICAL name),
 * so `if (m.topic === PLAN)` narrows `m.message` to a Plan.
 */
export type InboundMessage<T extends MessageTopic> = {
  [K in T]: {
    topic: K;
    partition: number;
    offset: string;
    key: string | undefined;
    message: TopicMessage<K>;
    headers: RecordHeaders;
    standard: StandardHeaderValues;
  };
}[T];

export interface TypedConsumerOptions<T extends MessageTopic> {
  groupId: string;
  topics: readonly T[];
  names: TopicNames;
  /** Where a group without committed offsets starts: true = oldest record, false (default) = new ones only. */
  fromBeginning?: boolean;
  logger?: Logger;
  /** Sends dead letters (to DLQ). Connected by `start()` if it is not yet. */
  producer: Producer;
  /** Handles one message. Throwing means "try again"; after the retries the message is dead-lettered. */
  handle: (message: InboundMessage<T>) => Promise<void>;
  /**
   * Retries of a failing handler. By default every error is retried except a PipelineError with
   * `canRetry: false` (it says itself that trying again cannot help).
   */
  retry?: RetryOptions;
  /** Partitions handled in parallel (order is kept within a partition). Default 1. */
  concurrency?: number;
  /**
   * Handle up to this many records at once, across and within partitions, each partition committed
   * below its first unfinished record (windowed-dispatch.ts): for handlers that take minutes. Unset:
   * the records of one partition one after another, `concurrency` partitions at once.
   */
  inFlight?: number;
  /** Use the co-partition assignment: one member owns partition p of every subscribed topic. */
  coPartitioned?: boolean;
  /** Longest wait of one fetch when there is nothing to read; bounds how long `stop()` takes. Default 1000 ms. */
  maxWaitTimeMs?: number;
  /** Told after each dead letter is written (for metrics). */
  onDeadLetter?: (reason: DeadLetterReason) => void;
  /** How long the group waits for a silent member (kafkajs default 30 s). */
  sessionTimeoutMs?: number;
  /**
   * How often the member heartbeats, also while a handler runs (kafkajs default 3 s): a handler that
   * takes longer than the session keeps the member in the group.
   */
  heartbeatIntervalMs?: number;
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

const handlerErrorIsRetriable = (error: unknown): boolean => !(isPipelineError(error) && !error.canRetry);

/**
 * At-least-once consumption for agents and tools. Offsets are committed only for messages that were
 * handled or dead-lettered, after each batch. Reads committed records only, so aborted transactions
 * of the orchestrator never reach a handler. One bad message never stops the loop: it is
 * dead-lettered with its original bytes and consumption goes on. What does stop the batch is losing
 * the group or failing to write a dead letter; then the uncommitted messages are delivered again
 * (to this or another member) rather than lost.
 */
export function createTypedConsumer<T extends MessageTopic>(
  client: KafkaClient,
  options: TypedConsumerOptions<T>,
): TypedConsumer {
  validate(options);
  const logger = (options.logger ?? noopLogger).child({
    component: 'typed-consumer',
    groupId: options.groupId,
  });
  const consumer = createConsumer(client, {
    groupId: options.groupId,
    topics: options.topics,
    names: options.names,
    fromBeginning: options.fromBeginning ?? false,
    coPartitioned: options.coPartitioned ?? false,
    maxWaitTimeMs: options.maxWaitTimeMs ?? 1000,
    concurrency: options.concurrency ?? 1,
    logger: options.logger ?? noopLogger,
    ...(options.sessionTimeoutMs === undefined ? {} : { sessionTimeoutMs: options.sessionTimeoutMs }),
    ...(options.heartbeatIntervalMs === undefined
      ? {}
      : { heartbeatIntervalMs: options.heartbeatIntervalMs }),
  });
  const heartbeatEveryMs = options.heartbeatIntervalMs ?? 3000;
  const stopping = new AbortController();
  const stopReason = new Error('consumer stopping');
  let inGroup = false;
  let startPromise: Promise<void> | undefined;
  let stopPromise: Promise<void> | undefined;

  const removeListener = consumer.on((event) => {
    if (event.type === 'crashed' || event.type === 'stopped') inGroup = false;
    if (event.type === 'joined') {
      inGroup = true;
      logger.info(
        { memberId: event.memberId, assignment: Object.fromEntries(event.partitions) },
        'joined group',
      );
    }
  });

  const deadLetter = async (raw: ConsumedRecord, reason: DeadLetterReason, error: unknown) => {
    const source = {
      topic: options.names.physical(raw.topic),
      partition: raw.partition,
      offset: raw.offset,
      key: raw.key,
      value: raw.value,
      headers: raw.headers,
    };
    const { offset, partition } = raw;
    logger.warn({ topic: source.topic, partition, offset, reason, err: error }, 'dead-lettering message');
    await options.producer.sendRecords([deadLetterRecord(source, reason, error, Date.now())]);
    options.onDeadLetter?.(reason);
  };

  /** Handles one record; false when stopping interrupted it (then it stays unresolved). */
  const processOne = async (raw: ConsumedRecord, batch: Pick<Batch, 'heartbeat'>): Promise<boolean> => {
    const topic = raw.topic as T;
    const decoded = decodeRecord(topic, raw.value);
    if (!decoded.ok) {
      await deadLetter(raw, 'undecodable', decoded.error);
      return true;
    }
    const headers = readHeaders(raw.headers);
    const inbound = {
      topic,
      partition: raw.partition,
      offset: raw.offset,
      key: raw.key === null ? undefined : raw.key.toString('utf8'),
      message: decoded.message,
      headers,
      standard: readStandardHeaders(headers),
    } as InboundMessage<T>;

    const retryOptions = options.retry ?? {};
    const isRetriable = retryOptions.isRetriable ?? handlerErrorIsRetriable;
    const where = { topic: raw.topic, partition: raw.partition, offset: raw.offset };
    try {
      await withRetry(
        async (attempt) => {
          if (attempt > 1) {
            // Waiting between attempts must not cost the group membership.
            await batch.heartbeat().catch((e: unknown) => {
              throw new GroupLost(e);
            });
          }
          await whileAlive(batch, () => options.handle(inbound));
        },
        {
          ...retryOptions,
          isRetriable: (e) => !(e instanceof GroupLost) && isRetriable(e),
          signal: stopping.signal,
          onRetry: (error, attempt, delayMs) => {
            // A handler interrupted by stop() is not failing: the message stays uncommitted.
            if (!stopping.signal.aborted)
              logger.warn({ ...where, err: error, attempt, delayMs }, 'handler failed, retrying');
            retryOptions.onRetry?.(error, attempt, delayMs);
          },
        },
      );
      return true;
    } catch (error) {
      if (error instanceof GroupLost) throw error.cause;
      // A handler that fails while the consumer stops (an agent abandoning its work at the end of its
      // grace) is not a bad message: it stays uncommitted and is delivered again.
      if (error === stopReason || stopping.signal.aborted) return false;
      await deadLetter(raw, 'handler_failed', error);
      return true;
    }
  };

  /**
   * Runs `work` while heartbeating for the member: kafkajs heartbeats only between messages, so a
   * handler longer than the session (an AI agent working for minutes) would otherwise be expelled
   * from the group mid-command, its commit refused and the command handled again by someone else.
   */
  const whileAlive = async (batch: Pick<Batch, 'heartbeat'>, work: () => Promise<void>): Promise<void> => {
    const timer = setInterval(() => {
      batch
        .heartbeat()
        .catch((error: unknown) => logger.debug({ err: error }, 'heartbeat during a handler failed'));
    }, heartbeatEveryMs);
    try {
      await work();
    } finally {
      clearInterval(timer);
    }
  };

  const onBatch = async (batch: Batch): Promise<void> => {
    let failure: unknown;
    try {
      for (const raw of batch.records) {
        if (!batch.isActive() || stopping.signal.aborted) break;
        if (!(await processOne(raw, batch))) break;
        batch.resolve(raw.offset);
        await batch.heartbeat();
      }
    } catch (error) {
      failure = error;
    }
    // Commit what was finished even when the batch ends early, so it is not delivered again. Offsets
    // the client resolves by itself (transaction markers, aborted records) ride along with the next commit.
    try {
      await batch.commit();
    } catch (error) {
      if (failure === undefined) throw error;
      logger.warn({ err: error }, 'commit after a failed batch failed too');
    }
    if (failure !== undefined) throw failure;
  };

  // Out of order (options.inFlight): the fetch loop runs on while handlers work and heartbeats for
  // the member, so a handler needs none of its own.
  const alwaysAlive = { heartbeat: async () => {} };
  const windowed: WindowedDispatch | undefined =
    options.inFlight === undefined
      ? undefined
      : createWindowedDispatch({
          consumer,
          limit: options.inFlight,
          run: (raw) => processOne(raw, alwaysAlive),
          stopping: stopping.signal,
          heartbeatEveryMs,
          logger,
        });
  const removeWindowListener = windowed ? consumer.on((event) => windowed.onEvent(event)) : () => {};

  const start = async (): Promise<void> => {
    await options.producer.connect();
    await consumer.run(windowed ? (batch) => windowed.onBatch(batch) : onBatch);
  };

  return {
    start() {
      if (stopPromise)
        return Promise.reject(new PipelineError('NOT_CONNECTED', 'consumer was stopped; create a new one'));
      startPromise ??= start();
      return startPromise;
    },
    stop() {
      stopPromise ??= (async () => {
        stopping.abort(stopReason);
        await startPromise?.catch(() => {});
        try {
          // While the consumer still runs: it commits nothing once stopped.
          await windowed?.drain();
          await consumer.close();
        } finally {
          inGroup = false;
          removeListener();
          removeWindowListener();
        }
      })();
      return stopPromise;
    },
    ready: () => inGroup && stopPromise === undefined,
  };
}

function validate<T extends MessageTopic>(options: TypedConsumerOptions<T>): void {
  const problems: string[] = [];
  if (typeof options.groupId !== 'string' || options.groupId.trim() === '')
    problems.push('groupId must be a non-empty string');
  if (!Array.isArray(options.topics) || options.topics.length === 0)
    problems.push('topics must list at least one topic');
  if (typeof options.handle !== 'function') problems.push('handle must be a function');
  if (options.producer === undefined) problems.push('producer is required (it writes the dead letters)');
  const concurrency = options.concurrency;
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1)) {
    problems.push(`concurrency must be a whole number >= 1, got ${concurrency}`);
  }
  const inFlight = options.inFlight;
  if (inFlight !== undefined && (!Number.isInteger(inFlight) || inFlight < 1)) {
    problems.push(`inFlight must be a whole number >= 1, got ${inFlight}`);
  }
  const maxWait = options.maxWaitTimeMs;
  if (maxWait !== undefined && (!Number.isInteger(maxWait) || maxWait < 0)) {
    problems.push(`maxWaitTimeMs must be a whole number >= 0, got ${maxWait}`);
  }
  for (const topic of options.topics ?? []) {
    if (!isMessageTopic(topic))
      problems.push(`topic "${String(topic)}" carries no protobuf message: subscribe to MESSAGE_TOPICS only`);
  }
  if (problems.length > 0) throw new ConfigError(problems, 'typed consumer options');
}
