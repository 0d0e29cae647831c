import { PipelineError } from '@pipeline/common';
import {
  KafkaJSConnectionError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
  KafkaJSRequestTimeoutError,
} from 'kafkajs';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  isRetriable,
  KafkaLayerError,
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

  it('follows canRetry of pipeline errors and rejects unknown things', () => {
    expect(isRetriable(new PipelineError('KAFKA_TIMEOUT', 'x', { canRetry: true }))).toBe(true);
    expect(isRetriable(new PipelineError('KAFKA_TIMEOUT', 'x'))).toBe(false);
    expect(isRetriable(new Error('bug'))).toBe(false);
    expect(isRetriable('text')).toBe(false);
    expect(isRetriable(undefined)).toBe(false);
  });
});

describe('errors', () => {
  it('are PipelineErrors with codes', () => {
    const config = new ConfigError(['A is bad: fix A']);
    expect(config).toBeInstanceOf(KafkaLayerError);
    expect(config).toBeInstanceOf(PipelineError);
    expect([config.code, config.canRetry, config.name]).toEqual(['INVALID_CONFIG', false, 'ConfigError']);

    const wrong = new WrongMessageTypeError('plan.out', 'core.Plan', 'core.ChangeRequest');
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
