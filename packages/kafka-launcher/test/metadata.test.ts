import { describe, expect, it } from 'vitest';
import { type ClusterMetadata, metadataRequest, parseMetadataResponse } from '../src/metadata.js';
import { formatLeaders, isWatchedTopic, selectLeaders } from '../src/topic-leaders.js';

/** Builds a Metadata v4 response the way a broker encodes it. */
function encode(correlationId: number, m: ClusterMetadata): Buffer {
  const parts: Buffer[] = [];
  const int8 = (v: number) => parts.push(Buffer.from([v]));
  const int16 = (v: number) => {
    const b = Buffer.alloc(2);
    b.writeInt16BE(v);
    parts.push(b);
  };
  const int32 = (v: number) => {
    const b = Buffer.alloc(4);
    b.writeInt32BE(v);
    parts.push(b);
  };
  const str = (s: string | null) => {
    if (s === null) return int16(-1);
    int16(Buffer.byteLength(s));
    parts.push(Buffer.from(s));
  };
  const array = <T>(items: readonly T[], each: (item: T) => void) => {
    int32(items.length);
    for (const item of items) each(item);
  };
  int32(correlationId);
  int32(0); // throttle_time_ms
  array(m.brokers, (b) => {
    int32(b.nodeId);
    str(b.host);
    int32(b.port);
    str(null); // rack
  });
  str(m.clusterId);
  int32(m.controllerId);
  array(m.topics, (t) => {
    int16(t.errorCode);
    str(t.name);
    int8(t.internal ? 1 : 0);
    array(t.partitions, (p) => {
      int16(p.errorCode);
      int32(p.partition);
      int32(p.leader);
      array(p.replicas, int32);
      array(p.isr, int32);
    });
  });
  const body = Buffer.concat(parts);
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  return Buffer.concat([size, body]);
}

const partition = (p: number, leader: number, replicas: number[], isr = replicas) => ({
  partition: p,
  leader,
  replicas,
  isr,
  errorCode: 0,
});

const metadata: ClusterMetadata = {
  brokers: [
    { nodeId: 1, host: '127.0.0.1', port: 40001 },
    { nodeId: 3, host: '127.0.0.1', port: 40003 },
  ],
  clusterId: 'S4vsbzQ7eztWv8PxZUCIXQ',
  controllerId: 3,
  topics: [
    {
      name: 'pipeline.orchestrator.state',
      internal: false,
      errorCode: 0,
      partitions: [partition(1, 3, [3, 1, 2], [3, 1]), partition(0, -1, [2], [])],
    },
    {
      name: '__transaction_state',
      internal: true,
      errorCode: 0,
      partitions: [partition(0, 1, [1, 2, 3], [1, 3])],
    },
    { name: '__consumer_offsets', internal: true, errorCode: 0, partitions: [partition(0, 1, [1, 2, 3])] },
    { name: 'change.request.in', internal: false, errorCode: 0, partitions: [partition(0, 3, [3, 1, 2])] },
  ],
};

describe('the Metadata request', () => {
  it('is api key 3, version 4, our client id, every topic (null array) and no auto-creation', () => {
    const request = metadataRequest(42);
    expect(request.readInt32BE(0)).toBe(request.length - 4);
    expect(request.readInt16BE(4)).toBe(3);
    expect(request.readInt16BE(6)).toBe(4);
    expect(request.readInt32BE(8)).toBe(42);
    const clientIdLength = request.readInt16BE(12);
    expect(request.subarray(14, 14 + clientIdLength).toString()).toBe('pipeline-kafka-launcher');
    expect(request.readInt32BE(14 + clientIdLength)).toBe(-1);
    expect(request.readInt8(18 + clientIdLength)).toBe(0);
    expect(request.length).toBe(19 + clientIdLength);
  });
});

describe('parseMetadataResponse', () => {
  it('reads brokers, cluster id, controller and every partition, once the whole response is there', () => {
    const full = encode(7, metadata);
    expect(parseMetadataResponse(full.subarray(0, 3), 7)).toBeUndefined();
    expect(parseMetadataResponse(full.subarray(0, full.length - 1), 7)).toBeUndefined();
    expect(parseMetadataResponse(full, 7)).toEqual({ ok: true, metadata });
  });

  it('refuses another correlation id, and throws on a response that ends early', () => {
    expect(parseMetadataResponse(encode(7, metadata), 8)).toEqual({
      ok: false,
      reason: 'correlation id 7, expected 8',
    });
    const truncated = encode(7, metadata);
    const size = 20;
    truncated.writeInt32BE(size, 0);
    expect(() => parseMetadataResponse(truncated.subarray(0, 4 + size), 7)).toThrow(/response ends at byte/);
  });
});

describe('the leaders status shows', () => {
  it('are those of __transaction_state and of the topics ending in orchestrator.state, sorted', () => {
    expect(isWatchedTopic('__transaction_state')).toBe(true);
    expect(isWatchedTopic('orchestrator.state')).toBe(true);
    expect(isWatchedTopic('it.orchestrator.state')).toBe(true);
    expect(isWatchedTopic('orchestrator.state.backup')).toBe(false);
    expect(isWatchedTopic('__consumer_offsets')).toBe(false);
    expect(selectLeaders(metadata)).toEqual([
      { topic: '__transaction_state', partition: 0, leader: 1, replicas: [1, 2, 3], isr: [1, 3] },
      { topic: 'pipeline.orchestrator.state', partition: 0, leader: null, replicas: [2], isr: [] },
      { topic: 'pipeline.orchestrator.state', partition: 1, leader: 3, replicas: [3, 1, 2], isr: [3, 1] },
    ]);
  });

  it('are printed one partition a line, with "none" for a partition without a leader', () => {
    expect(formatLeaders(selectLeaders(metadata))).toEqual([
      '__transaction_state-0          leader 1  replicas 1,2,3  isr 1,3',
      'pipeline.orchestrator.state-0  leader none  replicas 2  isr -',
      'pipeline.orchestrator.state-1  leader 3  replicas 3,1,2  isr 3,1',
    ]);
    expect(formatLeaders([])).toEqual([]);
  });
});
