import type { RecordHeaders } from '../headers/names.js';
import type { OutboundRecord } from './outbound-record.js';

/** One topic's records in the shape Kafka clients batch them (structurally kafkajs' TopicMessages). */
export interface TopicBatch {
  topic: string;
  messages: Array<{ key?: string; value: Buffer; headers: RecordHeaders; partition?: number }>;
}

/**
 * Groups records by topic, keeping their order within each topic, so that one produce request (or
 * one transaction's `sendBatch`) carries them all. The transactional runtime uses it too.
 */
export function groupByTopic(records: readonly OutboundRecord[]): TopicBatch[] {
  const byTopic = new Map<string, TopicBatch['messages']>();
  for (const r of records) {
    const messages = byTopic.get(r.topic) ?? [];
    const message: TopicBatch['messages'][number] = { value: r.value, headers: { ...r.headers } };
    if (r.key !== undefined) message.key = r.key;
    if (r.partition !== undefined) message.partition = r.partition;
    messages.push(message);
    byTopic.set(r.topic, messages);
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}
