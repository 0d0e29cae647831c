import type { RecordHeaders } from '../headers/names.js';

/**
 * A record ready to send, independent of the client library: what the typed producer and the
 * transactional runtime hand to Kafka. `topic` is the physical name.
 */
export interface OutboundRecord {
  topic: string;
  key?: string;
  value: Buffer;
  headers: RecordHeaders;
  /** Only to override the key's partition; normally left out so the key decides. */
  partition?: number;
}
