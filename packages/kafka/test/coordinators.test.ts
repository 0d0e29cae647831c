import { describe, expect, it } from 'vitest';
import { coordinatorPartition, javaStringHash } from '../src/coordinators.js';

describe('coordinator partitions', () => {
  it("hashes like Java's String.hashCode, overflow included", () => {
    expect(javaStringHash('')).toBe(0);
    expect(javaStringHash('hello')).toBe(99162322);
    // Two strings Java hashes alike, and the one whose hash is Integer.MIN_VALUE.
    expect(javaStringHash('Aa')).toBe(2112);
    expect(javaStringHash('BB')).toBe(2112);
    expect(javaStringHash('polygenelubricants')).toBe(-2147483648);
    // Non-ASCII: UTF-16 code units, as Java sees them (é = 0xe9; 😀 = two surrogates).
    expect(javaStringHash('é')).toBe(0xe9);
    expect(javaStringHash('😀')).toBe(31 * 0xd83d + 0xde00);
  });

  it('picks the partition Kafka picks: abs by masking, then modulo the partition count', () => {
    expect(coordinatorPartition('hello', 50)).toBe(99162322 % 50);
    expect(coordinatorPartition('polygenelubricants', 50)).toBe(0);
    // A negative hash: Kafka masks the sign bit instead of negating.
    const negative = 'orchestrator-group-3';
    const h = javaStringHash(negative);
    expect(coordinatorPartition(negative, 7)).toBe((h & 0x7fffffff) % 7);
    expect(() => coordinatorPartition('x', 0)).toThrow(RangeError);
  });
});
