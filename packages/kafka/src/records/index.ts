// The pure half of @pipeline/kafka (`@pipeline/kafka/records`): records, headers, partitioning.
// No client library, no I/O, no clock: the orchestrator's decisions use it.
export { DecodeError, decodeTopicMessage, encodeTopicMessage } from './codec.js';
export { type DeadLetterSource, deadLetterRecord } from './dead-letter-record.js';
export { type DecodeResult, decodeRecord } from './decode-record.js';
export { type EncodedRecord, type EncodeOptions, encodeRecord } from './encode-record.js';
export {
  HEADERS,
  type RawHeaders,
  type RecordHeaders,
  readHeaders,
  readStandardHeaders,
  type StandardHeaderValues,
  standardHeaders,
} from './headers.js';
export { murmur2, partitionFor } from './murmur2.js';
export type { ConsumedRecord, OutboundRecord } from './record.js';
export { recordBytes } from './size.js';
export { childTraceparent, isValidTraceparent, newTraceparent } from './traceparent.js';
export { WrongMessageTypeError } from './wrong-message-type-error.js';
