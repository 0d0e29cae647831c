import type { Logger } from '@pipeline/common';
import {
  assertPartitionsMatch,
  enforceDurability,
  type KafkaAdmin,
  type KafkaClient,
  provisionPipelineTopics,
  readClusterFacts,
} from '@pipeline/kafka';
import {
  ALIAS,
  ALL_TOPICS,
  decideDurability,
  ORCHESTRATOR_INPUTS,
  type ReplicationSettings,
  STATE,
  type Topic,
  type TopicNames,
} from '@pipeline/topics';

/** The broker's default message.max.bytes, when a topic does not say. */
const DEFAULT_MAX_MESSAGE_BYTES = 1_048_588;

export interface TopicSettings {
  provision: boolean;
  partitions: number;
  replication: ReplicationSettings;
}

/** What the topics allow: the partition count of the pipeline, and how much one transaction may write. */
export interface TopicLimits {
  partitions: number;
  /** Half the smallest max.message.bytes of the topics the orchestrator writes (any of them). */
  maxTransactionBytes: number;
}

/**
 * Judges the cluster's durability, creates the missing topics (when asked to) and reads their limits.
 * The replication factor follows the cluster, and a state topic that would lose state (not
 * compacted, or acknowledged by one replica of 3) stops the start with a ConfigError saying the fix
 * (decideDurability). Co-partitioning needs one partition count across every input topic and the
 * state topic: anything else stops the start. A transaction is kept under half the smallest
 * max.message.bytes: the records it writes to one partition go out as one batch, which the broker
 * refuses whole when it is bigger.
 */
export async function prepareTopics(
  client: KafkaClient,
  admin: KafkaAdmin,
  names: TopicNames,
  settings: TopicSettings,
  logger: Logger,
): Promise<TopicLimits> {
  if (settings.provision) {
    const { partitions, replication } = settings;
    // Judges the cluster before it creates anything.
    const result = await provisionPipelineTopics(client, { names, logger, partitions, ...replication });
    assertPartitionsMatch(result);
    if (result.created.length > 0) {
      const { created, replicationFactor } = result;
      logger.info({ created, replicationFactor }, 'topics created');
    }
  } else {
    // Nothing is created, but the topics that are there keep the state all the same, or do not.
    const facts = await readClusterFacts(admin, ALL_TOPICS);
    enforceDurability(decideDurability(facts, { ...settings.replication, creates: false }), logger);
  }
  const topics: Topic[] = [...ORCHESTRATOR_INPUTS, STATE, ALIAS];
  const counts = await admin.partitionCounts(topics);
  const distinct = new Set(counts.values());
  if (distinct.size !== 1 || counts.size !== topics.length) {
    const list = topics.map((t) => `${names.physical(t)}=${counts.get(t) ?? 'missing'}`).join(', ');
    throw new Error(`input, state and alias topics must have the same partition count, found ${list}`);
  }
  const configs = await admin.configs(ALL_TOPICS, ['max.message.bytes']);
  const limits = [...configs.values()].map((c) => Number(c['max.message.bytes'])).filter((n) => n > 0);
  const smallest = Math.min(...limits, DEFAULT_MAX_MESSAGE_BYTES);
  return { partitions: [...distinct][0] as number, maxTransactionBytes: Math.floor(smallest / 2) };
}
