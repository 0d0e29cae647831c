import type { Topic } from '@pipeline/topics';
import type { RawHeaders } from './headers.js';

/**
 * A record to write, independent of the client library. `topic` is the LOGICAL topic: the producer
 * that sends it maps it to the cluster's name (TopicNames). `value: null` is a tombstone (a
 * compacted topic forgets the key).
 */
export interface OutboundRecord {
  topic: Topic;
  /** Bytes stay bytes: a dead letter keeps a key that is not UTF-8 exactly as it came. */
  key?: string | Buffer;
  value: Buffer | null;
  /** Strings, or bytes kept as they came (a dead letter's copy of the original headers). */
  headers: RawHeaders;
  /** Only to override the key's partition; normally left out so the key decides. */
  partition?: number;
}

/** A record as read from the cluster, bytes untouched, on its LOGICAL topic. */
export interface ConsumedRecord {
  topic: Topic;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: RawHeaders;
}
