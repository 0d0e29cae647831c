export { type DeadLetterSource, deadLetterRecord } from './dead-letter-record.js';
export { type DecodeResult, decodeRecord } from './decode-record.js';
export { type EncodeOptions, encodeRecord } from './encode-record.js';
export { groupByTopic, type TopicBatch } from './group-by-topic.js';
export type { OutboundRecord } from './outbound-record.js';
