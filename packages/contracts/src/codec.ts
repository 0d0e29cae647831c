import { type DescMessage, fromBinary, type MessageShape, toBinary } from '@bufbuild/protobuf';
import { DecodeError, UnknownMessageTypeError } from './errors.js';
import { registry } from './registry.js';

/** Encodes a message of the given schema to its protobuf binary form. */
export function encode<Desc extends DescMessage>(schema: Desc, message: MessageShape<Desc>): Uint8Array {
  return toBinary(schema, message);
}

/**
 * Decodes protobuf bytes as the given message type.
 * @throws DecodeError naming the type and the cause when the bytes are not a valid encoding.
 */
export function decode<Desc extends DescMessage>(schema: Desc, bytes: Uint8Array): MessageShape<Desc> {
  try {
    // readUnknownFields keeps fields added by newer peers, so a re-encode passes them on unchanged.
    return fromBinary(schema, bytes, { readUnknownFields: true });
  } catch (cause) {
    throw new DecodeError(schema.typeName, cause);
  }
}

/** Looks a message type up by full name (`core.Plan`) in the contracts registry. */
export function schemaByTypeName(typeName: string): DescMessage {
  const schema = registry.getMessage(typeName);
  if (schema === undefined) throw new UnknownMessageTypeError(typeName);
  return schema;
}
