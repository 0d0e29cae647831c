import { encode } from '@pipeline/contracts';
import { isMessageTopic, type MessageTopic, schemaOf, type TopicMessage } from '@pipeline/topics';
import { ConfigError } from '../errors/config-error.js';
import { WrongMessageTypeError } from '../errors/wrong-message-type-error.js';
import type { RecordHeaders } from '../headers/names.js';
import { standardHeaders } from '../headers/standard-headers.js';
import { isValidTraceparent, newTraceparent } from '../headers/traceparent.js';
import { physicalTopic, type TopicNames } from '../topics/topic-names.js';
import type { OutboundRecord } from './outbound-record.js';

export interface EncodeOptions {
  /** Record key; the change request id, so all records of one request share a partition number. */
  key?: string;
  /** Defaults to the key. */
  requestId?: string;
  /** The trace this record belongs to (e.g. the inbound record's); a new trace starts without one. */
  traceparent?: string;
  /** Explicit partition; normally left out so the key decides. */
  partition?: number;
  /** The x-produced-at time, epoch ms; default now. For tests and replays. */
  now?: number;
  /** More headers. The standard ones win on a name clash, so they always tell the truth. */
  headers?: RecordHeaders;
  /** Logical → physical topic names (see TopicNames). */
  topicNames?: TopicNames;
}

/**
 * Encodes a message for its topic. The compile-time topic→message check can be defeated by a cast,
 * so the message's type name is checked again here: wrong bytes on a topic poison every reader.
 */
export function encodeRecord<T extends MessageTopic>(
  topic: T,
  message: TopicMessage<T>,
  options: EncodeOptions = {},
): OutboundRecord {
  if (!isMessageTopic(topic)) {
    throw new ConfigError(
      [`topic "${String(topic)}" carries no protobuf message: use one of MESSAGE_TOPICS`],
      'record',
    );
  }
  const schema = schemaOf(topic);
  const actualType = (message as { $typeName?: unknown } | null | undefined)?.$typeName;
  if (actualType !== schema.typeName) {
    throw new WrongMessageTypeError(topic, schema.typeName, typeof actualType === 'string' ? actualType : '');
  }
  if (options.partition !== undefined && (!Number.isInteger(options.partition) || options.partition < 0)) {
    throw new ConfigError([`partition must be a whole number >= 0, got ${options.partition}`], 'record');
  }

  const value = Buffer.from(encode(schema as never, message as never));
  const requestId = options.requestId ?? options.key;
  const headers: RecordHeaders = {
    ...options.headers,
    ...standardHeaders({
      messageType: schema.typeName,
      ...(requestId !== undefined ? { requestId } : {}),
      traceparent: isValidTraceparent(options.traceparent) ? options.traceparent : newTraceparent(),
      ...(options.now !== undefined ? { producedAt: options.now } : {}),
    }),
  };

  const record: OutboundRecord = { topic: physicalTopic(topic, options.topicNames), value, headers };
  if (options.key !== undefined) record.key = options.key;
  if (options.partition !== undefined) record.partition = options.partition;
  return record;
}
