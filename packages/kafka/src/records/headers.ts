import { isValidTraceparent } from './traceparent.js';

/** Header names the pipeline writes. Lower case: Kafka headers are case-sensitive and peers differ. */
export const HEADERS = {
  /** Full protobuf type name of the value (`core.Plan`), so a reader can tell bytes apart without the topic. */
  messageType: 'x-message-type',
  /** The change request this record belongs to. */
  requestId: 'x-request-id',
  /** When the producer made the record: epoch milliseconds as a decimal string. */
  producedAt: 'x-produced-at',
  /** W3C trace context, so a request can be followed across services. */
  traceparent: 'traceparent',
  /** Why a record was dead-lettered (`undecodable`, `handler_failed`, …). */
  dlqReason: 'x-dlq-reason',
  /** The error that made it a dead letter, as text. */
  dlqError: 'x-dlq-error',
  dlqSourceTopic: 'x-dlq-source-topic',
  dlqSourcePartition: 'x-dlq-source-partition',
  dlqSourceOffset: 'x-dlq-source-offset',
  /** When it was dead-lettered: epoch milliseconds as a decimal string. */
  dlqAt: 'x-dlq-at',
  /** Of a record too large to copy whole: the size of its original value, and its sha256 (hex). */
  dlqOriginalBytes: 'x-dlq-original-bytes',
  dlqOriginalSha256: 'x-dlq-original-sha256',
  /** `topic/partition/offset` of the record a forwarded copy was made from (the orchestrator re-keys keyless replies). */
  forwardedFrom: 'x-forwarded-from',
  /**
   * On a keyless reply the orchestrator handed to the partition of an alias it names (the alias
   * index's owner correlates it): `topic/partition/offset` of the record it was made from.
   */
  aliasHopFrom: 'x-alias-hop-from',
  /** With aliasHopFrom: a JSON list of the aliases the owners of their partitions found unknown. */
  aliasesTried: 'x-aliases-tried',
} as const;

/** Headers as this package hands them around: one string per name. */
export type RecordHeaders = Record<string, string>;

/**
 * Headers as Kafka clients hand them over (the shape of kafkajs' `IHeaders`, spelled out here so the
 * public API does not depend on kafkajs): a name may repeat, so a value may be a list.
 */
export type RawHeaders = { [name: string]: Buffer | string | Array<Buffer | string> | undefined };

export interface StandardHeaderValues {
  messageType?: string;
  requestId?: string;
  producedAt?: number;
  traceparent?: string;
}

/** The headers every pipeline record carries. `producedAt` defaults to now; an invalid traceparent is left out. */
export function standardHeaders(values: {
  messageType: string;
  requestId?: string;
  traceparent?: string;
  producedAt?: number;
}): RecordHeaders {
  const producedAt = values.producedAt ?? Date.now();
  if (!Number.isSafeInteger(producedAt) || producedAt < 0) {
    throw new RangeError(`producedAt must be epoch milliseconds (a whole number >= 0), got ${producedAt}`);
  }
  const headers: RecordHeaders = {
    [HEADERS.messageType]: values.messageType,
    [HEADERS.producedAt]: String(producedAt),
  };
  if (values.requestId !== undefined && values.requestId !== '')
    headers[HEADERS.requestId] = values.requestId;
  if (isValidTraceparent(values.traceparent)) headers[HEADERS.traceparent] = values.traceparent;
  return headers;
}

/**
 * kafkajs hands header values over as Buffer, string, an array of them (a name repeated) or
 * undefined. Values are decoded as UTF-8; of a repeated name the last wins, as in the Java client's
 * `lastHeader`.
 */
export function readHeaders(raw: RawHeaders | undefined): RecordHeaders {
  const headers: RecordHeaders = {};
  if (!raw) return headers;
  for (const [name, value] of Object.entries(raw)) {
    const last = Array.isArray(value) ? value[value.length - 1] : value;
    if (last === undefined || last === null) continue;
    headers[name] = typeof last === 'string' ? last : last.toString('utf8');
  }
  return headers;
}

/** The standard headers of a received record; values that do not parse are reported as absent. */
export function readStandardHeaders(h: RecordHeaders): StandardHeaderValues {
  const out: StandardHeaderValues = {};
  const messageType = h[HEADERS.messageType];
  if (messageType) out.messageType = messageType;
  const requestId = h[HEADERS.requestId];
  if (requestId) out.requestId = requestId;
  const producedAt = h[HEADERS.producedAt];
  if (producedAt !== undefined && /^\d{1,16}$/.test(producedAt)) {
    const n = Number(producedAt);
    if (Number.isSafeInteger(n)) out.producedAt = n;
  }
  const traceparent = h[HEADERS.traceparent];
  if (isValidTraceparent(traceparent)) out.traceparent = traceparent;
  return out;
}
