import type { DescMessage } from '@bufbuild/protobuf';
import { DecodeError, decode, encode } from '@pipeline/contracts';
import { type MessageTopic, schemaOf, type TopicMessage } from '@pipeline/topics';
import { WrongMessageTypeError } from './wrong-message-type-error.js';

/**
 * The one place where a topic's message type meets bytes. TypeScript cannot relate the schema of a
 * generic topic T to the message of T, so both directions go through the plain `DescMessage` and
 * check the type name at run time instead.
 */
export function encodeTopicMessage<T extends MessageTopic>(
  topic: T,
  message: TopicMessage<T>,
): { typeName: string; bytes: Uint8Array } {
  const schema: DescMessage = schemaOf(topic);
  const actual = (message as { $typeName?: unknown } | null | undefined)?.$typeName;
  if (actual !== schema.typeName) {
    throw new WrongMessageTypeError(topic, schema.typeName, typeof actual === 'string' ? actual : '');
  }
  return { typeName: schema.typeName, bytes: encode(schema, message) };
}

/** Decodes a topic's message; throws DecodeError naming the type when the bytes are not one. */
export function decodeTopicMessage<T extends MessageTopic>(topic: T, bytes: Uint8Array): TopicMessage<T> {
  const schema: DescMessage = schemaOf(topic);
  // The schema is the topic's own (topicSchemas), so the decoded message is the topic's type.
  return decode(schema, bytes) as TopicMessage<T>;
}

export { DecodeError };
