import { ConfigError, isPipelineError, PipelineError } from '@pipeline/common';
import {
  KafkaJSConnectionError,
  KafkaJSError,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
  KafkaJSRequestTimeoutError,
} from 'kafkajs';
import { describe, expect, it } from 'vitest';
import {
  brokenProducerReason,
  isBrokenProducer,
  isFenced,
  isRetriable,
  isTooLarge,
  isUnknownTopic,
  isUnreachable,
  PartitionMismatchError,
  WrongMessageTypeError,
} from '../src/index.js';

const protocolError = (type: string, code: number, retriable: boolean, message = type) =>
  new KafkaJSProtocolError({ type, code, retriable, message } as never);

describe('isRetriable', () => {
  it('follows the retriable flag of kafkajs errors', () => {
    expect(isRetriable(protocolError('UNKNOWN_TOPIC_OR_PARTITION', 3, true))).toBe(true);
    expect(isRetriable(protocolError('INVALID_REQUIRED_ACKS', 21, false))).toBe(false);
  });

  it('treats connection and timeout errors as retriable', () => {
    expect(isRetriable(new KafkaJSConnectionError('refused'))).toBe(true);
    expect(isRetriable(new KafkaJSRequestTimeoutError('slow'))).toBe(true);
    expect(isRetriable(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBe(true);
  });

  it.each([
    ['CONCURRENT_TRANSACTIONS', 51],
    ['GROUP_LOAD_IN_PROGRESS', 14],
    ['COORDINATOR_LOAD_IN_PROGRESS', 14],
    ['NOT_COORDINATOR_FOR_GROUP', 16],
    ['NOT_COORDINATOR', 16],
    ['REBALANCE_IN_PROGRESS', 27],
  ])('treats %s as retriable even if marked otherwise', (type, code) => {
    expect(isRetriable(protocolError(type, code, false))).toBe(true);
  });

  it('never retries a fenced producer', () => {
    expect(isRetriable(protocolError('INVALID_PRODUCER_EPOCH', 47, true))).toBe(false);
    expect(isRetriable(protocolError('PRODUCER_FENCED', 90, true))).toBe(false);
    // kafkajs does not know code 90 and reports it like this:
    expect(isRetriable(protocolError('KAFKAJS_UNKNOWN_ERROR_CODE', -99, true, 'Unknown error code 90'))).toBe(
      false,
    );
  });

  it('looks through kafkajs giving up to the cause', () => {
    const wrapped = (cause: Error) =>
      new KafkaJSNumberOfRetriesExceeded(cause, { retryCount: 5, retryTime: 100 });
    expect(isRetriable(wrapped(new KafkaJSConnectionError('refused')))).toBe(true);
    expect(isRetriable(wrapped(protocolError('INVALID_PRODUCER_EPOCH', 47, false)))).toBe(false);
  });

  it('looks through nested kafkajs retriers giving up while the only broker restarts', () => {
    // single-broker-stop-15s: the inner retrier (metadata, 5 tries in ~9 s) gives up on ECONNREFUSED;
    // the outer one (the send) sees a non-retriable error and wraps it with the same cause.
    // kafkajs' retrier passes the cause as a second argument its typings do not declare.
    const NonRetriable = KafkaJSNonRetriableError as unknown as new (
      e: Error,
      options: { cause: Error },
    ) => Error;
    const nested = (cause: Error) =>
      new NonRetriable(new KafkaJSNumberOfRetriesExceeded(cause, { retryCount: 5, retryTime: 4800 }), {
        cause,
      });
    expect(isRetriable(nested(new KafkaJSConnectionError('Connection error: connect ECONNREFUSED')))).toBe(
      true,
    );
    expect(isRetriable(nested(protocolError('INVALID_PRODUCER_EPOCH', 47, false)))).toBe(false);
    expect(isRetriable(new KafkaJSNonRetriableError(new Error('bad')))).toBe(false);
  });

  it('follows canRetry of pipeline errors and rejects unknown things', () => {
    expect(isRetriable(new PipelineError('KAFKA_TIMEOUT', 'x', { canRetry: true }))).toBe(true);
    expect(isRetriable(new PipelineError('KAFKA_TIMEOUT', 'x'))).toBe(false);
    expect(isRetriable(new Error('bug'))).toBe(false);
    expect(isRetriable('text')).toBe(false);
    expect(isRetriable(undefined)).toBe(false);
  });
});

describe('brokenProducerReason (issue 10, finding 17)', () => {
  it('names the producer-state errors that only a new producer id cures', () => {
    expect(brokenProducerReason(protocolError('UNKNOWN_PRODUCER_ID', 59, false))).toBe('UNKNOWN_PRODUCER_ID');
    expect(brokenProducerReason(protocolError('OUT_OF_ORDER_SEQUENCE_NUMBER', 45, false))).toBe(
      'OUT_OF_ORDER_SEQUENCE_NUMBER',
    );
    expect(brokenProducerReason(protocolError('INVALID_PRODUCER_EPOCH', 47, false))).toBe(
      'INVALID_PRODUCER_EPOCH',
    );
    expect(
      brokenProducerReason(protocolError('KAFKAJS_UNKNOWN_ERROR_CODE', -99, false, 'Unknown error code 90')),
    ).toBe('PRODUCER_FENCED');
    expect(brokenProducerReason(new KafkaJSError('The producer is disconnected'))).toBe(
      'The producer is disconnected',
    );
  });

  it('looks through kafkajs giving up', () => {
    const wrapped = new KafkaJSNumberOfRetriesExceeded(protocolError('UNKNOWN_PRODUCER_ID', 59, false), {
      retryCount: 5,
      retryTime: 100,
    });
    expect(isBrokenProducer(wrapped)).toBe(true);
  });

  it('leaves out what a new producer cannot cure, and routine trouble', () => {
    expect(isBrokenProducer(protocolError('TRANSACTIONAL_ID_AUTHORIZATION_FAILED', 53, false))).toBe(false);
    expect(isBrokenProducer(protocolError('MESSAGE_TOO_LARGE', 10, false))).toBe(false);
    expect(isBrokenProducer(new KafkaJSConnectionError('refused'))).toBe(false);
    expect(isBrokenProducer(new Error('bug'))).toBe(false);
    expect(isBrokenProducer(undefined)).toBe(false);
  });

  it('does not change what isRetriable says: a retry with the same producer cannot help', () => {
    expect(isRetriable(protocolError('UNKNOWN_PRODUCER_ID', 59, false))).toBe(false);
    expect(isRetriable(protocolError('OUT_OF_ORDER_SEQUENCE_NUMBER', 45, false))).toBe(false);
  });
});

describe('errors', () => {
  it('are PipelineErrors with codes', () => {
    const config = new ConfigError(['A is bad: fix A']);
    expect(isPipelineError(config)).toBe(true);
    expect(config).toBeInstanceOf(PipelineError);
    expect([config.code, config.canRetry, config.name]).toEqual(['INVALID_CONFIG', false, 'ConfigError']);

    const wrong = new WrongMessageTypeError('plan.out', 'core.Plan', 'core.ChangeRequest');
    expect(isPipelineError(wrong)).toBe(true);
    expect(wrong.code).toBe('WRONG_MESSAGE_TYPE');
    expect(wrong.message).toContain('core.Plan');

    const mismatch = new PartitionMismatchError([
      { topic: 'a', expectedPartitions: 12, actualPartitions: 3 },
      { topic: 'b', expectedPartitions: 12, actualPartitions: 1 },
    ]);
    expect(mismatch.code).toBe('PARTITION_MISMATCH');
    expect(mismatch.message).toContain('a: expected 12 partitions, found 3');
    expect(mismatch.message).toContain('b: expected 12 partitions, found 1');
  });
});

describe('what a failure means', () => {
  it('tells a fenced producer, through wrappers', () => {
    expect(isFenced(protocolError('PRODUCER_FENCED', 90, true))).toBe(true);
    expect(isFenced(protocolError('KAFKAJS_UNKNOWN_ERROR_CODE', -99, true, 'Unknown error code 90'))).toBe(
      true,
    );
    const wrapped = new KafkaJSNumberOfRetriesExceeded(protocolError('INVALID_PRODUCER_EPOCH', 47, false), {
      retryCount: 5,
      retryTime: 100,
    });
    expect(isFenced(wrapped)).toBe(true);
    expect(isFenced(protocolError('CONCURRENT_TRANSACTIONS', 51, true))).toBe(false);
  });

  it('tells an unreachable cluster from a missing topic', () => {
    expect(
      isUnreachable(new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:1')),
    ).toBe(true);
    expect(isUnreachable(Object.assign(new Error('x'), { cause: { code: 'ENOTFOUND' } }))).toBe(true);
    const missing = protocolError('UNKNOWN_TOPIC_OR_PARTITION', 3, true);
    const retriesOnMissing = new KafkaJSNumberOfRetriesExceeded(missing, { retryCount: 2, retryTime: 10 });
    expect(isUnreachable(retriesOnMissing)).toBe(false);
    expect(isUnknownTopic(retriesOnMissing)).toBe(true);
    expect(isUnknownTopic(new KafkaJSConnectionError('refused'))).toBe(false);
  });

  it('tells a record too large to ever be sent', () => {
    expect(isTooLarge(protocolError('MESSAGE_TOO_LARGE', 10, false))).toBe(true);
    expect(isTooLarge(protocolError('RECORD_LIST_TOO_LARGE', 18, false))).toBe(true);
    expect(isTooLarge(protocolError('NOT_LEADER_OR_FOLLOWER', 6, true))).toBe(false);
  });
});
