import { createHash } from 'node:crypto';
import { ConfigError } from '@pipeline/common';
import { create, DecodeError, schemas } from '@pipeline/contracts';
import { CRQ, DLQ, PLAN, STATE, type TopicMessage, TopicNames } from '@pipeline/topics';
import { describe, expect, it } from 'vitest';
import {
  deadLetterRecord,
  decodeRecord,
  encodeRecord,
  HEADERS,
  isValidTraceparent,
  recordBytes,
  WrongMessageTypeError,
} from '../src/records/index.js';
import { toTopicMessages } from '../src/send.js';

const plan = create(schemas.Plan, { id: 'plan-1', parentRequestId: 'req-1', taskIds: ['t1', 't2'] });
const TRACE = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('encodeRecord', () => {
  it('encodes the message with the standard headers; requestId defaults to the key', () => {
    const record = encodeRecord(PLAN, plan, { key: 'req-1', traceparent: TRACE, now: 1234 });
    expect(record.topic).toBe(PLAN);
    expect(record.key).toBe('req-1');
    expect(record.partition).toBeUndefined();
    expect(record.headers).toEqual({
      [HEADERS.messageType]: 'core.Plan',
      [HEADERS.requestId]: 'req-1',
      [HEADERS.producedAt]: '1234',
      [HEADERS.traceparent]: TRACE,
    });
    const decoded = decodeRecord(PLAN, record.value);
    expect(decoded.ok && decoded.message).toEqual(plan);
  });

  it('starts a trace when none is given, keeps extra headers, lets standard ones win, keeps the logical topic', () => {
    const record = encodeRecord(PLAN, plan, {
      requestId: 'r',
      partition: 3,
      headers: { 'x-custom': 'yes', [HEADERS.messageType]: 'lie' },
    });
    expect(record.topic).toBe(PLAN);
    expect(record.key).toBeUndefined();
    expect(record.partition).toBe(3);
    expect(record.headers['x-custom']).toBe('yes');
    expect(record.headers[HEADERS.messageType]).toBe('core.Plan');
    expect(record.headers[HEADERS.requestId]).toBe('r');
    expect(isValidTraceparent(record.headers[HEADERS.traceparent])).toBe(true);
  });

  it('refuses a message of another type smuggled in by a cast', () => {
    const changeRequest = create(schemas.ChangeRequest, { id: 'req-1' });
    const smuggled = changeRequest as unknown as TopicMessage<typeof PLAN>;
    expect(() => encodeRecord(PLAN, smuggled)).toThrow(WrongMessageTypeError);
    expect(() => encodeRecord(PLAN, smuggled)).toThrow(
      /plan\.out carries core\.Plan, but the message is core\.ChangeRequest/,
    );
    expect(() => encodeRecord(PLAN, { id: 'x' } as unknown as TopicMessage<typeof PLAN>)).toThrow(
      /not a protobuf message/,
    );
  });

  it('validates topic and partition', () => {
    expect(() => encodeRecord('nope' as typeof PLAN, plan)).toThrow(ConfigError);
    expect(() => encodeRecord(PLAN, plan, { partition: -1 })).toThrow(/partition must be a whole number/);
  });
});

describe('decodeRecord', () => {
  it('decodes empty bytes as the default message', () => {
    const decoded = decodeRecord(CRQ, Buffer.alloc(0));
    expect(decoded.ok).toBe(true);
    if (decoded.ok) expect(decoded.message.id).toBe('');
  });

  it('reports a tombstone', () => {
    const decoded = decodeRecord(CRQ, null);
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) {
      expect(decoded.error).toBeInstanceOf(DecodeError);
      expect(decoded.error.message).toContain('empty value');
      expect(decoded.error.typeName).toBe('core.ChangeRequest');
    }
  });

  it('reports invalid bytes without throwing', () => {
    for (const bytes of [
      Buffer.from([0x0f, 0xff]),
      Buffer.from([0x0a, 0x05, 0x61]),
      Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
    ]) {
      const decoded = decodeRecord(CRQ, bytes);
      expect(decoded.ok).toBe(false);
      if (!decoded.ok) {
        expect(decoded.error.code).toBe('DECODE_FAILED');
        expect(decoded.error.message).toContain('core.ChangeRequest');
      }
    }
  });
});

describe('deadLetterRecord', () => {
  const source = {
    topic: 'plan.out',
    partition: 4,
    offset: '1234',
    key: Buffer.from('req-9'),
    value: Buffer.from([0x0f, 0xff]),
    headers: { [HEADERS.requestId]: 'req-9', 'x-custom': 'kept', [HEADERS.dlqError]: 'old error' },
  };

  it('keeps key, original bytes and headers and adds the x-dlq headers', () => {
    const record = deadLetterRecord(
      source,
      'undecodable',
      new DecodeError('core.Plan', 'bad wire type'),
      5678,
    );
    expect(record.topic).toBe(DLQ);
    // The key's bytes as they came (finding 15: a key that is not UTF-8 must survive too).
    expect(record.key).toEqual(Buffer.from('req-9'));
    expect(record.value?.equals(Buffer.from([0x0f, 0xff]))).toBe(true);
    expect(record.headers).toEqual({
      [HEADERS.requestId]: 'req-9',
      'x-custom': 'kept',
      [HEADERS.dlqReason]: 'undecodable',
      [HEADERS.dlqError]: 'DecodeError: cannot decode core.Plan: bad wire type',
      [HEADERS.dlqSourceTopic]: 'plan.out',
      [HEADERS.dlqSourcePartition]: '4',
      [HEADERS.dlqSourceOffset]: '1234',
      [HEADERS.dlqAt]: '5678',
    });
  });

  it('handles a missing error, a null key and value, and long errors', () => {
    const record = deadLetterRecord({ ...source, key: null, value: null }, 'handler_failed', undefined, 1);
    expect(record.topic).toBe(DLQ);
    expect(record.key).toBeUndefined();
    expect(record.value?.length).toBe(0);
    expect(record.headers[HEADERS.dlqError]).toBeUndefined();
    const long = deadLetterRecord(source, 'handler_failed', 'x'.repeat(10_000), 1);
    expect(long.headers[HEADERS.dlqError]?.length).toBe(2000);
    expect(deadLetterRecord(source, 'handler_failed', { why: 'object' }, 1).headers[HEADERS.dlqError]).toBe(
      '{"why":"object"}',
    );
  });
});

describe('a record that can never fit (finding 2)', () => {
  it('is dead-lettered as a truncated copy with its size and sha256, under the limit', () => {
    const value = Buffer.alloc(1_048_467, 7);
    const source = {
      topic: 'plan.out',
      partition: 0,
      offset: '9',
      key: 'req-1',
      value,
      headers: { big: 'h'.repeat(5000) },
    };
    const letter = deadLetterRecord(source, 'undecodable', new Error('bad'), 1, 512 * 1024);
    expect(recordBytes(letter)).toBeLessThanOrEqual(512 * 1024);
    expect(letter.headers[HEADERS.dlqReason]).toBe('too_large');
    expect(letter.headers[HEADERS.dlqError]).toContain('undecodable');
    expect(letter.headers[HEADERS.dlqOriginalBytes]).toBe('1048467');
    expect(letter.headers[HEADERS.dlqOriginalSha256]).toBe(createHash('sha256').update(value).digest('hex'));
    expect(letter.headers[HEADERS.dlqSourceOffset]).toBe('9');
    expect(letter.headers.big).toBeUndefined();
    expect(letter.key).toBe('req-1');
    expect(letter.value?.length).toBeGreaterThan(400_000);
    expect(letter.value?.equals(value.subarray(0, letter.value.length))).toBe(true);
    // What fits is copied whole.
    const small = deadLetterRecord(
      { ...source, value: Buffer.from('x'), headers: {} },
      'undecodable',
      'e',
      1,
      512 * 1024,
    );
    expect(small.headers[HEADERS.dlqReason]).toBe('undecodable');
    expect(small.headers[HEADERS.dlqOriginalBytes]).toBeUndefined();
  });

  it('estimates the bytes a record takes in a batch', () => {
    const record = { topic: PLAN, key: 'k', value: Buffer.alloc(100), headers: { a: 'bb' } } as const;
    expect(recordBytes(record)).toBeGreaterThan(103);
    expect(recordBytes(record)).toBeLessThan(250);
  });
});

describe('toTopicMessages', () => {
  it('groups by physical topic, keeping order, key, partition, headers and tombstones', () => {
    const names = TopicNames.prefixed('test.');
    const r = (
      topic: typeof PLAN | typeof STATE,
      key?: string,
      partition?: number,
      value: Buffer | null = Buffer.from(topic + (key ?? '')),
    ) => ({
      topic,
      value,
      headers: { h: '1' },
      ...(key !== undefined ? { key } : {}),
      ...(partition !== undefined ? { partition } : {}),
    });
    expect(toTopicMessages([r(PLAN, 'k1'), r(STATE, 'k3', 1, null), r(PLAN, 'k2', 3)], names)).toEqual([
      {
        topic: 'test.plan.out',
        messages: [
          { key: 'k1', value: Buffer.from('plan.outk1'), headers: { h: '1' } },
          { key: 'k2', value: Buffer.from('plan.outk2'), headers: { h: '1' }, partition: 3 },
        ],
      },
      {
        topic: 'test.orchestrator.state',
        messages: [{ key: 'k3', value: null, headers: { h: '1' }, partition: 1 }],
      },
    ]);
    expect(toTopicMessages([r(PLAN)], names)).toEqual([
      {
        topic: 'test.plan.out',
        messages: [{ key: null, value: Buffer.from('plan.out'), headers: { h: '1' } }],
      },
    ]);
    expect(toTopicMessages([], names)).toEqual([]);
  });
});
