import { ALL_TOPICS, type Topic } from '@pipeline/topics';

/**
 * Logical topic → physical topic name. The code always speaks in the logical names of
 * @pipeline/topics (they fix the message type); this map lets a deployment prefix its topics
 * (`staging.plan.out`) and lets tests use unique topics on a shared broker. Missing entries map to
 * themselves.
 */
export type TopicNames = Partial<Record<Topic, string>>;

export function physicalTopic(topic: Topic, topicNames: TopicNames | undefined): string {
  const name = topicNames?.[topic];
  return name === undefined || name === '' ? topic : name;
}

/**
 * Every topic with the same prefix (`PIPELINE_TOPIC_PREFIX`, shared by the orchestrator, the agents
 * and the CLI): `staging.` → `staging.plan.out`. An empty prefix gives the reference names.
 */
export function prefixedTopicNames(prefix: string): TopicNames {
  const names: TopicNames = {};
  for (const topic of ALL_TOPICS) names[topic] = prefix + topic;
  return names;
}

/** The reverse lookup: physical name → logical topic, for records read from the cluster. */
export function logicalTopics(topicNames: TopicNames | undefined): Map<string, Topic> {
  return new Map(ALL_TOPICS.map((topic) => [physicalTopic(topic, topicNames), topic]));
}
