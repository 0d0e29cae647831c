import type { Logger } from '@pipeline/common';
import {
  assertPartitionsMatch,
  type KafkaAdmin,
  type KafkaClient,
  provisionPipelineTopics,
} from '@pipeline/kafka';
import { ORCHESTRATOR_INPUTS, STATE, type Topic, type TopicNames } from '@pipeline/topics';

export interface TopicSettings {
  provision: boolean;
  partitions: number;
  replicationFactor: number;
}

/**
 * Creates the missing topics (when asked to) and returns the partition count. Co-partitioning needs
 * one partition count across every input topic and the state topic: anything else stops the start.
 */
export async function prepareTopics(
  client: KafkaClient,
  admin: KafkaAdmin,
  names: TopicNames,
  settings: TopicSettings,
  logger: Logger,
): Promise<number> {
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
  return [...distinct][0] as number;
}
