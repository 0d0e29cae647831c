import type { MessageTopic } from '@pipeline/topics';

/**
 * Logical topic → physical topic name. The code always speaks in the logical names of
 * @pipeline/topics (they fix the message type); this map lets a deployment prefix its topics
 * (`staging.plan.out`) and lets tests use unique topics on a shared broker. Missing entries map to
 * themselves.
 */
export type TopicNames = Partial<Record<MessageTopic, string>>;

export function physicalTopic(topic: MessageTopic, topicNames: TopicNames | undefined): string {
  const name = topicNames?.[topic];
  return name === undefined || name === '' ? topic : name;
}
