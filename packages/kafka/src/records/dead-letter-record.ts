import { createHash } from 'node:crypto';
import type { DeadLetterReason } from '@pipeline/contracts';
import { DLQ } from '@pipeline/topics';
import { HEADERS, type RawHeaders } from './headers.js';
import type { OutboundRecord } from './record.js';
import { recordBytes } from './size.js';

export interface DeadLetterSource {
  /** Where the record was read, as the x-dlq-source-topic header shows it. */
  topic: string;
  partition: number;
  offset: string;
  /** As read: bytes are copied as they are, never decoded and re-encoded. */
  key: Buffer | string | null;
  value: Buffer | null;
  headers?: RawHeaders;
}

/** Error text is cut so a huge message (a stack, a dump) cannot make the record too big to send. */
const MAX_ERROR_LENGTH = 2000;

/**
 * The dead letter of a record: the ORIGINAL key, value and header bytes (never decoded and
 * re-encoded, so someone can look at what really arrived and replay it, also when it is not UTF-8),
 * plus x-dlq-* headers saying why, where from and when. A null value (tombstone) becomes an empty value.
 */
export function deadLetterRecord(
  source: DeadLetterSource,
  reason: DeadLetterReason,
  error: unknown,
  now: number,
  maxBytes = Number.POSITIVE_INFINITY,
): OutboundRecord {
  const headers: RawHeaders = {
    ...source.headers,
    [HEADERS.dlqReason]: reason,
    [HEADERS.dlqSourceTopic]: source.topic,
    [HEADERS.dlqSourcePartition]: String(source.partition),
    [HEADERS.dlqSourceOffset]: source.offset,
    [HEADERS.dlqAt]: String(now),
  };
  if (error !== undefined) headers[HEADERS.dlqError] = describeError(error);
  else delete headers[HEADERS.dlqError];

  const record: OutboundRecord = {
    topic: DLQ,
    value: source.value ?? Buffer.alloc(0),
    headers,
  };
  if (source.key !== null) record.key = source.key;
  return recordBytes(record) <= maxBytes ? record : truncated(record, source, maxBytes);
}

/**
 * A dead letter that could never be written whole (over the transaction's limit): the x-dlq-* headers,
 * the original value's size and sha256, and as much of the value as fits; the original headers are
 * left out. The reason becomes `too_large`, so that the record is not mistaken for the whole.
 */
function truncated(record: OutboundRecord, source: DeadLetterSource, maxBytes: number): OutboundRecord {
  const value = source.value ?? Buffer.alloc(0);
  const headers: RawHeaders = {};
  for (const [name, v] of Object.entries(record.headers)) if (name.startsWith('x-dlq-')) headers[name] = v;
  const reason = headers[HEADERS.dlqReason];
  headers[HEADERS.dlqReason] = 'too_large';
  headers[HEADERS.dlqError] =
    `${reason === 'too_large' ? '' : `${String(reason)}; `}the record (${value.length} bytes of value) can never fit in a transaction: its first bytes are kept`;
  headers[HEADERS.dlqOriginalBytes] = String(value.length);
  headers[HEADERS.dlqOriginalSha256] = createHash('sha256').update(value).digest('hex');
  const copy: OutboundRecord = { topic: DLQ, value: Buffer.alloc(0), headers };
  if (record.key !== undefined && recordBytes({ ...copy, key: record.key }) < maxBytes / 2)
    copy.key = record.key;
  const room = Math.max(0, maxBytes - recordBytes(copy));
  copy.value = value.subarray(0, Math.min(value.length, room));
  return copy;
}

function describeError(error: unknown): string {
  const text =
    error instanceof Error
      ? `${error.name}: ${error.message}`
      : typeof error === 'string'
        ? error
        : safeJson(error);
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH - 1)}…` : text;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
