// Kafka's murmur2, as in the Java client's Utils.murmur2 (and kafkajs' DefaultPartitioner): the
// partition of a key must be the same whichever client produced it, or one request's records would
// land on different partition numbers and co-partitioning would break. Java int arithmetic is
// reproduced with Math.imul and `| 0`.

const SEED = 0x9747b28c;
const M = 0x5bd1e995;
const R = 24;

const utf8 = new TextEncoder();

/** The 32-bit signed murmur2 hash of the key's bytes (strings as UTF-8), equal to Java's `Utils.murmur2`. */
export function murmur2(key: Uint8Array | string): number {
  const data = typeof key === 'string' ? utf8.encode(key) : key;
  const length = data.length;
  let h = (SEED ^ length) | 0;
  const length4 = length >>> 2;

  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k =
      ((data[i4] as number) & 0xff) |
      (((data[i4 + 1] as number) & 0xff) << 8) |
      (((data[i4 + 2] as number) & 0xff) << 16) |
      (((data[i4 + 3] as number) & 0xff) << 24);
    k = Math.imul(k, M);
    k ^= k >>> R;
    k = Math.imul(k, M);
    h = Math.imul(h, M);
    h ^= k;
  }

  // Java's switch falls through 3 → 2 → 1; spelled out as ifs (the compiler forbids fall-through).
  const tail = length & ~3;
  const rest = length % 4;
  if (rest === 3) h ^= ((data[tail + 2] as number) & 0xff) << 16;
  if (rest >= 2) h ^= ((data[tail + 1] as number) & 0xff) << 8;
  if (rest >= 1) {
    h ^= (data[tail] as number) & 0xff;
    h = Math.imul(h, M);
  }

  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** The partition the Java client and kafkajs' DefaultPartitioner choose for a keyed record. */
export function partitionFor(key: string, numPartitions: number): number {
  if (!Number.isInteger(numPartitions) || numPartitions < 1) {
    throw new RangeError(`numPartitions must be a whole number >= 1, got ${numPartitions}`);
  }
  return (murmur2(key) & 0x7fffffff) % numPartitions;
}
