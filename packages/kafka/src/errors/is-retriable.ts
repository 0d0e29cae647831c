import { PipelineError } from '@pipeline/common';

/**
 * Kafka error types that a retry can cure although kafkajs does not always say so (kafkajs names
 * some of them differently from the Java client; both spellings are listed). CONCURRENT_TRANSACTIONS
 * in particular is not retried inside kafkajs (known open issue), and REBALANCE_IN_PROGRESS is
 * marked non-retriable by kafkajs although a rejoin then a retry is exactly the cure.
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

/** Error classes whose cause is the network or a slow broker. Compared by name: kafkajs may be loaded twice. */
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

interface ErrorLike {
  name?: unknown;
  type?: unknown;
  code?: unknown;
  message?: unknown;
  retriable?: unknown;
  cause?: unknown;
}

/** Whether trying the same operation again may succeed. Unknown errors are not retriable. */
export function isRetriable(error: unknown): boolean {
  return check(error, 0);
}

function check(error: unknown, depth: number): boolean {
  if (typeof error !== 'object' || error === null || depth > 5) return false;
  if (error instanceof PipelineError) return error.canRetry;
  const e = error as ErrorLike;
  if (isFenced(e)) return false;
  // kafkajs gives up after its own retries with this wrapper, marked non-retriable; what matters to
  // a caller with a longer patience is whether the underlying cause was transient.
  if (e.name === 'KafkaJSNumberOfRetriesExceeded') return check(e.cause, depth + 1);
  if (typeof e.type === 'string' && RETRIABLE_TYPES.has(e.type)) return true;
  if (typeof e.name === 'string' && RETRIABLE_NAMES.has(e.name)) return true;
  if (typeof e.code === 'string' && RETRIABLE_SYSTEM_CODES.has(e.code)) return true;
  if (typeof e.retriable === 'boolean') return e.retriable;
  return false;
}

function isFenced(e: ErrorLike): boolean {
  if (typeof e.type === 'string' && FENCED_TYPES.has(e.type)) return true;
  if (typeof e.code === 'number' && FENCED_CODES.has(e.code)) return true;
  return typeof e.message === 'string' && /\bUnknown error code 90\b/.test(e.message);
}
