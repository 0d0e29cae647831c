import { type Logger, noopLogger, PipelineError, type RetryOptions, withRetry } from '@pipeline/common';
import type { MessageTopic, TopicMessage, TopicNames } from '@pipeline/topics';
import { type Producer as KafkajsProducer, Partitioners } from 'kafkajs';
import { type KafkaClient, kafkajsOf } from './client.js';
import { type Compression, checkCompression, kafkajsCompression } from './codecs.js';
import { brokenProducerReason, isBrokenProducer, isRetriable } from './errors.js';
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
  let producer = make();
  let state: 'idle' | 'connected' | 'disconnected' = 'idle';
  let connecting: Promise<void> | undefined;
  /** Why `producer` must be replaced before the next send (brokenProducerReason); undefined while it works. */
  let brokenBy: string | undefined;
  let replacing: Promise<void> | undefined;

  const notConnected = () =>
    new PipelineError(
      'NOT_CONNECTED',
      `producer is ${state === 'idle' ? 'not connected yet' : 'disconnected'}: call connect() first`,
    );

  const retry = (what: string, retriable = options.retry?.isRetriable ?? isRetriable): RetryOptions => ({
    ...options.retry,
    isRetriable: retriable,
    onRetry: (error, attempt, delayMs) => {
      // A breakage was said once, at warn, when it was found; the retry that follows is routine.
      const level = isBrokenProducer(error) ? 'debug' : 'warn';
      logger[level]({ err: error, attempt, delayMs }, `${what} failed, retrying`);
      options.retry?.onRetry?.(error, attempt, delayMs);
    },
  });

  /** Marks the producer in use as broken, once, when this error of `failed` says it can never send again. */
  const noteBroken = (failed: KafkajsProducerLike, error: unknown): void => {
    // Sends that were in flight on an older producer fail as expected once it is thrown away.
    if (failed !== producer || brokenBy !== undefined || state !== 'connected') return;
    const reason = brokenProducerReason(error);
    if (reason === undefined) return;
    brokenBy = reason;
    logger.warn(
      { err: error, reason },
      'producer broken: replacing it with a new one (a new producer id) before the next attempt',
    );
  };

  /**
   * Throws the broken kafkajs producer away and connects a new one, which gets a new producer id
   * and fresh sequence numbers. One replacement at a time: concurrent sends wait for the same one.
   */
  const replace = (): Promise<void> => {
    replacing ??= (async () => {
      // Sends still in flight on the broken one fail now, and are retried with the new one.
      await producer
        .disconnect()
        .catch((error: unknown) => logger.debug({ err: error }, 'disconnecting the broken producer failed'));
      const fresh = make();
      try {
        await fresh.connect();
      } catch (error) {
        // Still broken: the next attempt tries again with yet another producer.
        await fresh.disconnect().catch(() => {});
        throw error;
      }
      if (state !== 'connected') {
        // disconnect() ran meanwhile and must not leave a producer connected behind it.
        await fresh.disconnect().catch(() => {});
        throw notConnected();
      }
      logger.debug({ replaced: brokenBy }, 'new producer connected');
      producer = fresh;
      brokenBy = undefined;
    })().finally(() => {
      replacing = undefined;
    });
    return replacing;
  };

  /** Sends these records now, retrying (with a new kafkajs producer when the old one broke). */
  const sendNow = async (records: readonly OutboundRecord[]): Promise<void> => {
    // One request for all topics: one round trip, and the client retries it as a whole.
    const topicMessages = toTopicMessages(records, options.names);
    const retriable = options.retry?.isRetriable ?? isRetriable;
    await withRetry(
      async () => {
        // Again on every attempt: disconnect() may have run during the wait before it.
        if (state !== 'connected') throw notConnected();
        if (brokenBy !== undefined) await replace();
        const current = producer;
        try {
          await current.sendBatch({
            acks: -1,
            topicMessages,
            ...(compression === undefined ? {} : { compression }),
          });
        } catch (error) {
          noteBroken(current, error);
          throw error;
        }
      },
      // The same records again, with the new producer. At least once: a batch the broken producer
      // did write before failing is then written twice, and readers deduplicate.
      retry('send', (error) => isBrokenProducer(error) || retriable(error)),
    );
  };

  /**
   * Sends waiting for the one in flight. kafkajs' idempotent producer must never run two sends at
   * once: when a request fails, it gives its sequence numbers back and retries with them, and a send
   * that took the same numbers meanwhile is answered by the broker as a duplicate of what the failed
   * request had in fact written, and silently dropped (a builder's acknowledged reply went missing in
   * broker-rolling-restart). So sends go one at a time; those that wait meanwhile go together.
   */
  const waiting: Array<{ records: readonly OutboundRecord[]; done: (error?: unknown) => void }> = [];
  let pumping = false;

  const pump = async (): Promise<void> => {
    if (pumping) return;
    pumping = true;
    try {
      while (waiting.length > 0) {
        const group = takeGroup(waiting);
        try {
          await sendNow(group.flatMap((send) => send.records));
          for (const send of group) send.done();
        } catch (error) {
          if (group.length === 1) (group[0] as (typeof group)[number]).done(error);
          // A record of one caller (too large, say) must not fail the others: each on its own.
          else for (const send of group) await sendNow(send.records).then(() => send.done(), send.done);
        }
      }
    } finally {
      pumping = false;
    }
  };

  const sendRecords = (records: readonly OutboundRecord[]): Promise<void> => {
    if (state !== 'connected') return Promise.reject(notConnected());
    if (records.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      waiting.push({ records, done: (error) => (error === undefined ? resolve() : reject(error)) });
      void pump();
    });
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
      // A replacement under way ends first, so the producer disconnected here is the last one.
      await replacing?.catch(() => {});
      await producer.disconnect();
    },
  };
}

/** Sends that wait together go in one request, up to these bounds (a broker refuses huge requests). */
const GROUP_RECORDS = 500;
const GROUP_BYTES = 512 * 1024;

/** The first waiting sends, in order, up to the bounds (at least one). */
function takeGroup<T extends { records: readonly OutboundRecord[] }>(waiting: T[]): T[] {
  let records = 0;
  let bytes = 0;
  let count = 0;
  for (const send of waiting) {
    const size = send.records.reduce((sum, r) => sum + (r.value?.length ?? 0) + (r.key?.length ?? 0), 0);
    if (count > 0 && (records + send.records.length > GROUP_RECORDS || bytes + size > GROUP_BYTES)) break;
    records += send.records.length;
    bytes += size;
    count++;
  }
  return waiting.splice(0, count);
}
