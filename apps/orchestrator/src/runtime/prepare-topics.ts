import type { Logger } from '@pipeline/common';
import {
  assertPartitionsMatch,
  type KafkaAdmin,
  type KafkaClient,
  provisionPipelineTopics,
} from '@pipeline/kafka';
import { ALL_TOPICS, ORCHESTRATOR_INPUTS, STATE, type Topic, type TopicNames } from '@pipeline/topics';

/** The broker's default message.max.bytes, when a topic does not say. */
const DEFAULT_MAX_MESSAGE_BYTES = 1_048_588;

export interface TopicSettings {
  provision: boolean;
  partitions: number;
  replicationFactor: number;
}

/** What the topics allow: the partition count of the pipeline, and how much one transaction may write. */
export interface TopicLimits {
  partitions: number;
  /** Half the smallest max.message.bytes of the topics the orchestrator writes (any of them). */
  maxTransactionBytes: number;
}

/**
 * Creates the missing topics (when asked to) and reads their limits. Co-partitioning needs one
 * partition count across every input topic and the state topic: anything else stops the start. A
 * transaction is kept under half the smallest max.message.bytes: the records it writes to one
 * partition go out as one batch, which the broker refuses whole when it is bigger.
 */
export async function prepareTopics(
  client: KafkaClient,
  admin: KafkaAdmin,
  names: TopicNames,
  settings: TopicSettings,
  logger: Logger,
): Promise<TopicLimits> {
  if (settings.provision) {
    const { partitions, replicationFactor } = settings;
    const result = await provisionPipelineTopics(client, { names, logger, partitions, replicationFactor });
    assertPartitionsMatch(result);
    if (result.created.length > 0) logger.info({ created: result.created }, 'topics created');
  }
  const topics: Topic[] = [...ORCHESTRATOR_INPUTS, STATE];
  const counts = await admin.partitionCounts(topics);
  const distinct = new Set(counts.values());
  if (distinct.size !== 1 || counts.size !== topics.length) {
    const list = topics.map((t) => `${names.physical(t)}=${counts.get(t) ?? 'missing'}`).join(', ');
    throw new Error(`input and state topics must have the same partition count, found ${list}`);
  }
  const configs = await admin.configs(ALL_TOPICS, ['max.message.bytes']);
  const limits = [...configs.values()].map((c) => Number(c['max.message.bytes'])).filter((n) => n > 0);
  const smallest = Math.min(...limits, DEFAULT_MAX_MESSAGE_BYTES);
  return { partitions: [...distinct][0] as number, maxTransactionBytes: Math.floor(smallest / 2) };
}
