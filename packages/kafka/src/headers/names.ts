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
  /** `topic/partition/offset` of the record a forwarded copy was made from (the orchestrator re-keys keyless replies). */
  forwardedFrom: 'x-forwarded-from',
} as const;

/** Headers as this package hands them around: one string per name. */
export type RecordHeaders = Record<string, string>;

/**
 * Headers as Kafka clients hand them over (the shape of kafkajs' `IHeaders`, spelled out here so the
 * public API does not depend on kafkajs): a name may repeat, so a value may be a list.
 */
export type RawHeaders = { [name: string]: Buffer | string | Array<Buffer | string> | undefined };
