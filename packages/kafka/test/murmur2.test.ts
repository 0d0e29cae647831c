import { randomBytes, randomInt } from 'node:crypto';
import { Partitioners, type PartitionMetadata } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { murmur2, partitionFor } from '../src/records/index.js';

describe('murmur2', () => {
  // From Kafka's own clients/src/test/java/org/apache/kafka/common/utils/UtilsTest.java (testMurmur2).
  it.each([
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ])('matches the Java client for %s', (key, expected) => {
    expect(murmur2(key)).toBe(expected);
    expect(murmur2(new TextEncoder().encode(key))).toBe(expected);
  });

  it('hashes strings as UTF-8', () => {
    expect(murmur2('ünïcode-ключ')).toBe(murmur2(Buffer.from('ünïcode-ключ', 'utf8')));
  });
});

describe('partitionFor', () => {
  const metadata = (n: number): PartitionMetadata[] =>
    Array.from({ length: n }, (_, partitionId) => ({
      partitionErrorCode: 0,
      partitionId,
      leader: 1,
      replicas: [1],
      isr: [1],
    }));

  it('agrees with kafkajs DefaultPartitioner on 1,000 random keys', () => {
    const partitioner = Partitioners.DefaultPartitioner();
    for (const n of [1, 2, 3, 7, 12, 16, 100]) {
      const partitionMetadata = metadata(n);
      for (let i = 0; i < 1000; i++) {
        const key =
          i % 2 === 0
            ? randomBytes(randomInt(0, 40)).toString('hex')
            : `req-${randomBytes(8).toString('base64url')}-ü`;
        const expected = partitioner({ topic: 't', partitionMetadata, message: { key, value: null } });
        expect(partitionFor(key, n)).toBe(expected);
      }
    }
  });

  it('rejects a partition count below 1', () => {
    expect(() => partitionFor('k', 0)).toThrow(RangeError);
    expect(() => partitionFor('k', 1.5)).toThrow(RangeError);
  });
});
