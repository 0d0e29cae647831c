import { describe, expect, it } from 'vitest';
import {
  childTraceparent,
  HEADERS,
  isValidTraceparent,
  newTraceparent,
  readHeaders,
  readStandardHeaders,
  standardHeaders,
} from '../src/records/index.js';

const VALID = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('standard headers', () => {
  it('round-trip through Kafka header values', () => {
    const headers = standardHeaders({
      messageType: 'core.Plan',
      requestId: 'req-1',
      traceparent: VALID,
      producedAt: 1700000000123,
    });
    expect(headers).toEqual({
      'x-message-type': 'core.Plan',
      'x-request-id': 'req-1',
      'x-produced-at': '1700000000123',
      traceparent: VALID,
    });
    // What a consumer gets back from kafkajs: Buffers.
    const raw = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Buffer.from(v)]));
    expect(readStandardHeaders(readHeaders(raw))).toEqual({
      messageType: 'core.Plan',
      requestId: 'req-1',
      producedAt: 1700000000123,
      traceparent: VALID,
    });
  });

  it('defaults producedAt to now and leaves out absent or invalid optional values', () => {
    const before = Date.now();
    const headers = standardHeaders({ messageType: 'core.Plan', traceparent: 'garbage' });
    expect(Object.keys(headers).sort()).toEqual([HEADERS.messageType, HEADERS.producedAt].sort());
    expect(Number(headers[HEADERS.producedAt])).toBeGreaterThanOrEqual(before);
    expect(() => standardHeaders({ messageType: 'x', producedAt: 1.5 })).toThrow(RangeError);
  });

  it('reads Buffer, string and repeated values, taking the last, and skips undefined', () => {
    expect(
      readHeaders({
        a: Buffer.from('å-utf8'),
        b: 'plain',
        c: [Buffer.from('first'), 'second', Buffer.from('last')],
        d: undefined,
        e: [],
      }),
    ).toEqual({ a: 'å-utf8', b: 'plain', c: 'last' });
    expect(readHeaders(undefined)).toEqual({});
  });

  it('reports unparsable standard values as absent', () => {
    expect(
      readStandardHeaders({
        'x-produced-at': 'yesterday',
        traceparent: '00-xyz',
        'x-message-type': '',
        'x-request-id': '',
      }),
    ).toEqual({});
    expect(readStandardHeaders({ 'x-produced-at': '12.5' })).toEqual({});
    expect(readStandardHeaders({ 'x-produced-at': '99999999999999999' })).toEqual({});
  });
});

describe('trace context', () => {
  it.each([
    [VALID, true],
    ['01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra', true],
    ['00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra', false],
    ['ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', false],
    ['00-00000000000000000000000000000000-00f067aa0ba902b7-01', false],
    ['00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01', false],
    ['00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01', false],
    ['00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01', false],
    ['', false],
  ])('%s valid: %s', (value, valid) => {
    expect(isValidTraceparent(value)).toBe(valid);
  });

  it('makes new sampled traces', () => {
    const a = newTraceparent();
    const b = newTraceparent();
    expect(isValidTraceparent(a)).toBe(true);
    expect(a.endsWith('-01')).toBe(true);
    expect(a.split('-')[1]).not.toBe(b.split('-')[1]);
  });

  it('makes children in the same trace with a new parent id and the same flags', () => {
    const parent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00';
    const child = childTraceparent(parent);
    expect(isValidTraceparent(child)).toBe(true);
    const [, traceId, parentId, flags] = child.split('-');
    expect(traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(parentId).not.toBe('00f067aa0ba902b7');
    expect(flags).toBe('00');
  });

  it('starts a new trace for an absent or invalid parent', () => {
    for (const parent of [undefined, 'nonsense']) {
      const child = childTraceparent(parent);
      expect(isValidTraceparent(child)).toBe(true);
    }
    expect(childTraceparent('x').split('-')[1]).not.toBe(childTraceparent('x').split('-')[1]);
  });
});
