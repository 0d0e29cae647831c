import { ConfigError, type Logger, noopLogger } from '@pipeline/common';
import {
  ALL_TOPICS,
  type ClusterFacts,
  type DurabilityDecision,
  type DurabilitySettings,
  decideDurability,
  type ReplicationSettings,
  type SettingSpelling,
  type Topic,
  type TopicFacts,
  type TopicNames,
  type TopicSpecOptions,
  topicSpecs,
} from '@pipeline/topics';
import { KafkaAdmin } from './admin.js';
import type { KafkaClient } from './client.js';
import { type ProvisionOptions, type ProvisionResult, provisionWith } from './provision.js';

/** The topic configs decideDurability reads. */
const DURABILITY_CONFIGS = ['cleanup.policy', 'min.insync.replicas', 'retention.ms', 'retention.bytes'];

/** The broker count, and the replicas and configs of those of these topics that exist. */
export async function readClusterFacts(admin: KafkaAdmin, topics: readonly Topic[]): Promise<ClusterFacts> {
  const [brokers, present] = await Promise.all([admin.brokerCount(), admin.existing(topics)]);
  const found = topics.filter((t) => present.has(t));
  if (found.length === 0) return { brokers, topics: [] };
  const [partitions, configs] = await Promise.all([
    admin.partitions(found),
    admin.configs(found, DURABILITY_CONFIGS),
  ]);
  const facts: TopicFacts[] = [];
  for (const topic of found) {
    const replicas = (partitions.get(topic) ?? []).map((p) => p.replicas.length);
    // A topic deleted since it was listed has no partitions: nothing to judge.
    if (replicas.length === 0) continue;
    facts.push({
      topic,
      name: admin.names.physical(topic),
      replicationFactor: Math.min(...replicas),
      configs: configs.get(topic) ?? {},
    });
  }
  return { brokers, topics: facts };
}

/**
 * Says the decision's warnings at warn level, one line each, and throws its problems as one
 * ConfigError (the service stops, saying what to fix). Returns the replication factor otherwise.
 */
export function enforceDurability(decision: DurabilityDecision, logger: Logger): number {
  for (const warning of decision.warnings) logger.warn({}, warning);
  if (!decision.ok) throw new ConfigError(decision.problems, 'Kafka topics or replication settings');
  return decision.replicationFactor;
}

/** Judges these topics as they are (nothing is created), without throwing: for a report. */
export async function checkDurability(
  client: KafkaClient,
  names: TopicNames,
  topics: readonly Topic[] = ALL_TOPICS,
): Promise<DurabilityDecision> {
  const admin = await KafkaAdmin.open(client, names);
  try {
    return decideDurability(await readClusterFacts(admin, topics), { creates: false });
  } finally {
    await admin.close();
  }
}

export interface PipelineProvisionOptions
  extends ProvisionOptions,
    Omit<TopicSpecOptions, 'replicationFactor'>,
    ReplicationSettings {
  /** Only these topics (all of them by default). */
  only?: readonly Topic[];
  /** How a fix names the settings: ORCH_* variables unless given (the CLI has flags). */
  spelling?: SettingSpelling;
}

export interface PipelineProvisionResult extends ProvisionResult {
  /** The replication factor of the topics it created (or would have). */
  replicationFactor: number;
  /** What it said at warn level, for callers that show it otherwise too (the CLI, the demo). */
  warnings: string[];
}

/**
 * The pipeline's topics (all of them, or `only` these) as @pipeline/topics specifies them: what the
 * orchestrator does at start, `pipeline topics --create`, the demo and tests. The cluster is judged
 * first (decideDurability): the replication factor follows it, and an existing state topic that
 * would lose state stops everything before any topic is created.
 */
export async function provisionPipelineTopics(
  client: KafkaClient,
  options: PipelineProvisionOptions,
): Promise<PipelineProvisionResult> {
  const { names, leaderTimeoutMs, only, replicationFactor, allowSingleReplica, spelling, ...specOptions } =
    options;
  const logger = (options.logger ?? noopLogger).child({ component: 'provision-topics' });
  const topics = only ?? ALL_TOPICS;
  const settings: DurabilitySettings = {
    replicationFactor,
    allowSingleReplica,
    ...(spelling ? { spelling } : {}),
  };
  const admin = await KafkaAdmin.open(client, names);
  try {
    const facts = await readClusterFacts(admin, topics);
    const decision = decideDurability(facts, settings);
    const factor = enforceDurability(decision, logger);
    const specs = topicSpecs({ ...specOptions, replicationFactor: factor }).filter((spec) =>
      topics.includes(spec.name),
    );
    const result = await provisionWith(admin, specs, {
      names,
      logger,
      ...(leaderTimeoutMs === undefined ? {} : { leaderTimeoutMs }),
    });
    // A topic another process created between the look and the creation is judged too.
    const known = new Set(facts.topics.map((t) => t.topic));
    const raced = topics.filter((t) => !known.has(t) && result.existing.includes(names.physical(t)));
    if (raced.length > 0) {
      const again = decideDurability(await readClusterFacts(admin, raced), { ...settings, creates: false });
      enforceDurability(again, logger);
    }
    return { ...result, replicationFactor: factor, warnings: decision.warnings };
  } finally {
    await admin.close();
  }
}
