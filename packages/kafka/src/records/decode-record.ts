import { DecodeError } from '@pipeline/contracts';
import { type MessageTopic, schemaOf, type TopicMessage } from '@pipeline/topics';
import { decodeTopicMessage } from './codec.js';

export type DecodeResult<T extends MessageTopic> =
  | { ok: true; message: TopicMessage<T> }
  | { ok: false; error: DecodeError };

/**
 * Decodes a record value as its topic's message. Never throws: a bad record is data to dead-letter,
 * not a reason to stop a consumer. Empty bytes are a valid protobuf message (all fields default);
 * a null value is a tombstone, which no message topic uses, so it is an error.
 */
export function decodeRecord<T extends MessageTopic>(topic: T, value: Buffer | null): DecodeResult<T> {
  const { typeName } = schemaOf(topic);
  if (value === null || value === undefined) {
    return { ok: false, error: new DecodeError(typeName, 'empty value (a tombstone) on a message topic') };
  }
  try {
    return { ok: true, message: decodeTopicMessage(topic, value) };
  } catch (error) {
    return { ok: false, error: error instanceof DecodeError ? error : new DecodeError(typeName, error) };
  }
}
