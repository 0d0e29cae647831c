import { isPipelineError, PipelineError } from '@pipeline/common';

/**
 * What a failed Kafka operation means for its caller, read from whatever the client threw. kafkajs
 * errors are recognised by name and type, never by class: kafkajs is CommonJS and may be loaded
 * twice. Its protocol error types are listed in both spellings where kafkajs and the Java client
 * differ.
 */

/**
 * Kafka error types that a retry can cure although kafkajs does not always say so:
 * CONCURRENT_TRANSACTIONS is not retried inside kafkajs (known open issue), and
 * REBALANCE_IN_PROGRESS is marked non-retriable by kafkajs although a rejoin then a retry is exactly
 * the cure.
 */
const RETRIABLE_TYPES = new Set([
  'CONCURRENT_TRANSACTIONS',
  'COORDINATOR_LOAD_IN_PROGRESS',
  'GROUP_LOAD_IN_PROGRESS',
  'NOT_COORDINATOR',
  'NOT_COORDINATOR_FOR_GROUP',
  'COORDINATOR_NOT_AVAILABLE',
  'GROUP_COORDINATOR_NOT_AVAILABLE',
  'REBALANCE_IN_PROGRESS',
  'LEADER_NOT_AVAILABLE',
  'NOT_LEADER_FOR_PARTITION',
  'NOT_LEADER_OR_FOLLOWER',
  'REQUEST_TIMED_OUT',
  'NETWORK_EXCEPTION',
]);

/**
 * A newer producer with the same transactional id exists: this instance is a zombie and must stop,
 * whatever kafkajs' `retriable` says. kafkajs does not know PRODUCER_FENCED (code 90) and reports it
 * as "Unknown error code 90".
 */
const FENCED_TYPES = new Set([
  'INVALID_PRODUCER_EPOCH',
  'PRODUCER_FENCED',
  'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
]);
const FENCED_CODES = new Set([47, 90]);

/**
 * The broker no longer accepts an idempotent producer's id or sequence numbers, typically after a
 * broker restart lost its producer state. kafkajs never asks for a new producer id by itself, so
 * every retry with that kafkajs producer fails the same way: only a new producer can send again.
 */
const BROKEN_PRODUCER_TYPES = new Set(['OUT_OF_ORDER_SEQUENCE_NUMBER', 'UNKNOWN_PRODUCER_ID']);

/**
 * kafkajs' words for a producer that went down under its user: the wrapper checks its own state
 * before every send, so meeting these means kafkajs gave the producer up, not the caller.
 */
const DISCONNECTED_PRODUCER = /^The producer is disconnect(ed|ing)\b/;

/** Error classes whose cause is the network or a slow broker. */
const RETRIABLE_NAMES = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
  'KafkaJSGroupCoordinatorNotFound',
  'KafkaJSMetadataNotLoaded',
  'KafkaJSTopicMetadataNotLoaded',
  'KafkaJSLockTimeout',
]);
const RETRIABLE_SYSTEM_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN']);

/**
 * Names that mean "no broker answered". KafkaJSNumberOfRetriesExceeded is not one of them: it wraps
 * whatever failed last, which may be a missing topic, so its cause decides.
 */
const UNREACHABLE_NAMES = new Set([
  'KafkaJSConnectionError',
  'KafkaJSNoBrokerAvailableError',
  'KafkaJSConnectionClosedError',
  'KafkaJSBrokerNotFound',
  'KafkaJSRequestTimeoutError',
]);
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

const TOO_LARGE_TYPES = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE']);

interface ErrorLike {
  name?: unknown;
  type?: unknown;
  code?: unknown;
  message?: unknown;
  retriable?: unknown;
  cause?: unknown;
  originalError?: unknown;
}

/** Whether trying the same operation again may succeed. Unknown errors are not retriable. */
export function isRetriable(error: unknown): boolean {
  return check(error, 0);
}

function check(error: unknown, depth: number): boolean {
  if (typeof error !== 'object' || error === null || depth > 5) return false;
  if (isPipelineError(error)) return error.canRetry;
  const e = error as ErrorLike;
  if (isFencedOne(e)) return false;
  // kafkajs gives up after its own retries with this wrapper, marked non-retriable; what matters to
  // a caller with a longer patience is whether the underlying cause was transient.
  if (e.name === 'KafkaJSNumberOfRetriesExceeded') return check(e.cause, depth + 1);
  // Nested kafkajs retriers (a send around a metadata refresh): the outer one wraps the inner one's
  // giving up as non-retriable, with the same cause. A broker that refuses connections for longer
  // than the inner retries (a restart of the only broker) surfaces like this; the cause decides.
  if (e.name === 'KafkaJSNonRetriableError' && e.cause !== undefined) return check(e.cause, depth + 1);
  if (typeof e.type === 'string' && RETRIABLE_TYPES.has(e.type)) return true;
  if (typeof e.name === 'string' && RETRIABLE_NAMES.has(e.name)) return true;
  if (typeof e.code === 'string' && RETRIABLE_SYSTEM_CODES.has(e.code)) return true;
  if (typeof e.retriable === 'boolean') return e.retriable;
  return false;
}

/** A newer producer owns this transactional id: the caller is a zombie and must not go on. */
export function isFenced(error: unknown): boolean {
  return causeChain(error).some(isFencedOne);
}

function isFencedOne(e: ErrorLike): boolean {
  if (typeof e.type === 'string' && FENCED_TYPES.has(e.type)) return true;
  if (typeof e.code === 'number' && FENCED_CODES.has(e.code)) return true;
  return typeof e.message === 'string' && /\bUnknown error code 90\b/.test(e.message);
}

/**
 * Why a kafkajs producer can never send again (the Kafka error type, e.g. UNKNOWN_PRODUCER_ID, or
 * kafkajs' message), or undefined when it may. Fenced counts: a non-transactional producer is
 * "fenced" only by a stale epoch, which a new producer id cures. Whoever gets a reason throws the
 * kafkajs producer away and makes a new one.
 */
export function brokenProducerReason(error: unknown): string | undefined {
  for (const e of causeChain(error)) {
    if (typeof e.type === 'string' && BROKEN_PRODUCER_TYPES.has(e.type)) return e.type;
    // An authorization failure is not cured by a new producer id; a stale epoch is.
    if (isFencedOne(e) && e.type !== 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED')
      return e.type === 'INVALID_PRODUCER_EPOCH' || e.code === 47
        ? 'INVALID_PRODUCER_EPOCH'
        : 'PRODUCER_FENCED';
    if (typeof e.message === 'string' && DISCONNECTED_PRODUCER.test(e.message)) return e.message;
  }
  return undefined;
}

/** The kafkajs producer behind this error is unusable for good; see `brokenProducerReason`. */
export function isBrokenProducer(error: unknown): boolean {
  return brokenProducerReason(error) !== undefined;
}

/** No broker could be reached at all (refused, timed out, unknown host). */
export function isUnreachable(error: unknown): boolean {
  return causeChain(error).some(
    (e) =>
      (typeof e.name === 'string' && UNREACHABLE_NAMES.has(e.name)) ||
      (typeof e.code === 'string' && UNREACHABLE_CODES.has(e.code)) ||
      (typeof e.message === 'string' && /^Connection (error|timeout)/i.test(e.message)),
  );
}

/** The broker says a topic does not exist (UNKNOWN_TOPIC_OR_PARTITION). */
export function isUnknownTopic(error: unknown): boolean {
  return causeChain(error).some((e) => e.type === 'UNKNOWN_TOPIC_OR_PARTITION');
}

/** A record or a batch over the broker's or the topic's size limit: sending it again cannot work. */
export function isTooLarge(error: unknown): boolean {
  return causeChain(error).some((e) => typeof e.type === 'string' && TOO_LARGE_TYPES.has(e.type));
}

/** The error and its causes (kafkajs nests them in `cause` or `originalError`). */
function causeChain(error: unknown): ErrorLike[] {
  const chain: ErrorLike[] = [];
  let current: unknown = error;
  while (current && typeof current === 'object' && !chain.includes(current) && chain.length < 10) {
    chain.push(current);
    current = (current as ErrorLike).cause ?? (current as ErrorLike).originalError;
  }
  return chain;
}

export interface PartitionMismatch {
  topic: string;
  expectedPartitions: number;
  actualPartitions: number;
}

/**
 * Existing topics whose partition count differs from the spec. Co-partitioning (same key → same
 * partition number on every topic) silently breaks then, so services refuse to start. Kafka can only
 * add partitions, and adding them moves keys; the fix is an operator decision, never automatic.
 */
export class PartitionMismatchError extends PipelineError {
  readonly mismatches: readonly PartitionMismatch[];

  constructor(mismatches: readonly PartitionMismatch[]) {
    const list = mismatches
      .map((m) => `  - ${m.topic}: expected ${m.expectedPartitions} partitions, found ${m.actualPartitions}`)
      .join('\n');
    super(
      'PARTITION_MISMATCH',
      `topics exist with another partition count than the pipeline needs:\n${list}\n` +
        'Recreate these topics (losing their data) or configure the partition count they have.',
    );
    this.mismatches = mismatches.map((m) => ({ ...m }));
  }
}
