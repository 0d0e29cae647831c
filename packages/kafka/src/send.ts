import type { TopicNames } from '@pipeline/topics';
import type { TopicMessages } from 'kafkajs';
import type { OutboundRecord } from './records/record.js';

/**
 * Records in the shape one produce request (or one transaction's sendBatch) carries: grouped by
 * physical topic, order kept within each topic.
 */
export function toTopicMessages(records: readonly OutboundRecord[], names: TopicNames): TopicMessages[] {
  const byTopic = new Map<string, TopicMessages['messages']>();
  for (const r of records) {
    const topic = names.physical(r.topic);
    const messages = byTopic.get(topic) ?? [];
    messages.push({
      key: r.key ?? null,
      value: r.value,
      headers: { ...r.headers },
      ...(r.partition === undefined ? {} : { partition: r.partition }),
    });
    byTopic.set(topic, messages);
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}
