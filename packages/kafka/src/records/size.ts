import type { OutboundRecord } from './record.js';

/**
 * Kafka's own framing around a record in a batch (length, attributes, timestamp and offset deltas,
 * varints), rounded up: what a record costs beyond its key, value and headers.
 */
const RECORD_OVERHEAD_BYTES = 64;

function bytesOf(value: string | Buffer | undefined | null): number {
  if (value === undefined || value === null) return 0;
  return typeof value === 'string' ? Buffer.byteLength(value) : value.length;
}

/** How many bytes a record takes in a batch, uncompressed (an upper bound: compression only helps). */
export function recordBytes(record: OutboundRecord): number {
  let bytes = RECORD_OVERHEAD_BYTES + bytesOf(record.key) + bytesOf(record.value);
  for (const [name, value] of Object.entries(record.headers)) {
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) bytes += Buffer.byteLength(name) + bytesOf(v) + 8;
  }
  return bytes;
}
