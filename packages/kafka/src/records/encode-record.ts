import { ConfigError } from '@pipeline/common/errors';
import { isMessageTopic, type MessageTopic, type TopicMessage } from '@pipeline/topics';
import { encodeTopicMessage } from './codec.js';
import { type RecordHeaders, standardHeaders } from './headers.js';
import type { OutboundRecord } from './record.js';
import { isValidTraceparent, newTraceparent } from './traceparent.js';

/** A record made from a message: its value is bytes, its headers text. */
export type EncodedRecord = OutboundRecord & { value: Buffer; headers: RecordHeaders };

export interface EncodeOptions {
  /** Record key; the change request id, so all records of one request share a partition number. */
  key?: string;
  /** Defaults to the key. */
  requestId?: string;
  /** The trace this record belongs to (e.g. the inbound record's); a new trace starts without one. */
  traceparent?: string;
  /** Explicit partition; normally left out so the key decides. */
  partition?: number;
  /** The x-produced-at time, epoch ms; default now. Pure callers pass their clock's time. */
  now?: number;
  /** More headers. The standard ones win on a name clash, so they always tell the truth. */
  headers?: RecordHeaders;
}

/**
 * Encodes a message for its topic, with the standard headers (x-message-type, x-request-id,
 * x-produced-at, traceparent). A message of another type (smuggled past the types by a cast) is
 * refused: wrong bytes on a topic poison every reader.
 */
export function encodeRecord<T extends MessageTopic>(
  topic: T,
  message: TopicMessage<T>,
  options: EncodeOptions = {},
): EncodedRecord {
  if (!isMessageTopic(topic)) {
    throw new ConfigError(
      [`topic "${String(topic)}" carries no protobuf message: use one of MESSAGE_TOPICS`],
      'record',
    );
  }
  if (options.partition !== undefined && (!Number.isInteger(options.partition) || options.partition < 0)) {
    throw new ConfigError([`partition must be a whole number >= 0, got ${options.partition}`], 'record');
  }
  const { typeName, bytes } = encodeTopicMessage(topic, message);
  const requestId = options.requestId ?? options.key;
  const headers: RecordHeaders = {
    ...options.headers,
    ...standardHeaders({
      messageType: typeName,
      ...(requestId !== undefined ? { requestId } : {}),
      traceparent: isValidTraceparent(options.traceparent) ? options.traceparent : newTraceparent(),
      ...(options.now !== undefined ? { producedAt: options.now } : {}),
    }),
  };
  const record: EncodedRecord = { topic, value: Buffer.from(bytes), headers };
  if (options.key !== undefined) record.key = options.key;
  if (options.partition !== undefined) record.partition = options.partition;
  return record;
}
