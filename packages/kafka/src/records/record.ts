import type { Topic } from '@pipeline/topics';
import type { RawHeaders, RecordHeaders } from './headers.js';

/**
 * A record to write, independent of the client library. `topic` is the LOGICAL topic: the producer
 * that sends it maps it to the cluster's name (TopicNames). `value: null` is a tombstone (a
 * compacted topic forgets the key).
 */
export interface OutboundRecord {
  topic: Topic;
  key?: string;
  value: Buffer | null;
  headers: RecordHeaders;
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
