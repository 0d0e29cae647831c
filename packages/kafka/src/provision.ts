import { ConfigError, type Logger, noopLogger, PipelineError, pause } from '@pipeline/common';
import type { Topic, TopicNames, TopicSpec } from '@pipeline/topics';
import { KafkaAdmin } from './admin.js';
import type { KafkaClient } from './client.js';
import { type PartitionMismatch, PartitionMismatchError } from './errors.js';

export interface ProvisionResult {
  /** Physical names, as an operator sees them. */
  created: string[];
  existing: string[];
  mismatches: PartitionMismatch[];
}

export interface ProvisionOptions {
  names: TopicNames;
  logger?: Logger;
  /** How long to wait for every partition to have a leader. Default 30 s. */
  leaderTimeoutMs?: number;
}

/**
 * Creates the topics that do not exist yet and reports those that exist with another partition
 * count. Safe to run from every instance at every start: existing topics are left alone, and an
 * instance that loses a creation race to another just reports the topic as existing. Returns once
 * every partition has a leader, so producing right after cannot fail for lack of one.
 */
export async function provisionTopics(
  client: KafkaClient,
  specs: readonly TopicSpec[],
  options: ProvisionOptions,
): Promise<ProvisionResult> {
  const admin = await KafkaAdmin.open(client, options.names);
  try {
    return await provisionWith(admin, specs, options);
  } finally {
    await admin.close();
  }
}

/** provisionTopics on an admin that is open (and stays open). */
export async function provisionWith(
  admin: KafkaAdmin,
  specs: readonly TopicSpec[],
  options: ProvisionOptions,
): Promise<ProvisionResult> {
  validateSpecs(specs);
  const logger = (options.logger ?? noopLogger).child({ component: 'provision-topics' });
  const physical = (topic: Topic) => admin.names.physical(topic) as string;
  const present = await admin.existing(specs.map((s) => s.name));
  const created: string[] = [];
  const existing: string[] = [];
  for (const spec of specs) {
    if (!present.has(spec.name) && (await admin.createTopic(spec))) {
      created.push(physical(spec.name));
      logger.info(
        {
          topic: physical(spec.name),
          partitions: spec.partitions,
          replicationFactor: spec.replicationFactor,
        },
        'created topic',
      );
    } else {
      existing.push(physical(spec.name));
    }
  }
  const counts = await waitForLeaders(admin, specs, options.leaderTimeoutMs ?? 30_000);
  const mismatches: PartitionMismatch[] = specs
    .filter((spec) => counts.get(spec.name) !== spec.partitions)
    .map((spec) => ({
      topic: physical(spec.name),
      expectedPartitions: spec.partitions,
      actualPartitions: counts.get(spec.name) ?? 0,
    }));
  if (mismatches.length > 0) logger.warn({ mismatches }, 'topics with another partition count');
  return { created, existing, mismatches };
}

/** Throws PartitionMismatchError if provisioning found topics with another partition count. */
export function assertPartitionsMatch(result: Pick<ProvisionResult, 'mismatches'>): void {
  if (result.mismatches.length > 0) throw new PartitionMismatchError(result.mismatches);
}

/** Polls metadata until every partition of every topic has a leader; returns partition counts. */
async function waitForLeaders(
  admin: KafkaAdmin,
  specs: readonly TopicSpec[],
  timeoutMs: number,
): Promise<Map<Topic, number>> {
  const deadline = Date.now() + timeoutMs;
  const topics = specs.map((s) => s.name);
  let waitingFor: Topic[] = topics;
  for (let delay = 50; ; delay = Math.min(delay * 2, 1000)) {
    try {
      const partitions = await admin.partitions(topics);
      waitingFor = topics.filter((t) => {
        const list = partitions.get(t) ?? [];
        return list.length === 0 || list.some((p) => p.leader < 0 || p.error !== 0);
      });
      if (waitingFor.length === 0) return new Map([...partitions].map(([t, list]) => [t, list.length]));
    } catch (error) {
      // Right after creation a topic may briefly be unknown to the broker answering metadata.
      if (Date.now() >= deadline) throw error;
    }
    if (Date.now() >= deadline) {
      const names = waitingFor.map((t) => admin.names.physical(t)).join(', ');
      throw new PipelineError(
        'KAFKA_TIMEOUT',
        `topics without partition leaders after ${timeoutMs} ms: ${names}`,
        {
          canRetry: true,
        },
      );
    }
    await pause(delay);
  }
}

function validateSpecs(specs: readonly TopicSpec[]): void {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const spec of specs) {
    if (typeof spec.name !== 'string' || (spec.name as string) === '')
      problems.push('a topic spec has no name');
    else if (seen.has(spec.name)) problems.push(`topic ${spec.name} is listed twice`);
    seen.add(spec.name);
    if (!Number.isInteger(spec.partitions) || spec.partitions < 1)
      problems.push(`topic ${spec.name}: partitions must be a whole number >= 1, got ${spec.partitions}`);
    if (!Number.isInteger(spec.replicationFactor) || spec.replicationFactor < 1) {
      problems.push(
        `topic ${spec.name}: replicationFactor must be a whole number >= 1, got ${spec.replicationFactor}`,
      );
    }
  }
  if (problems.length > 0) throw new ConfigError(problems, 'topic specs');
}

export interface TopicDescription {
  /** Physical name. */
  name: string;
  exists: boolean;
  partitions: Array<{ partition: number; leader: number; replicas: number[]; isr: number[] }>;
  /** Topic configs worth showing (cleanup.policy, retention.ms, min.insync.replicas), as the broker reports them. */
  configs: Record<string, string>;
}

const SHOWN_CONFIGS = ['cleanup.policy', 'retention.ms', 'min.insync.replicas'];

/** What the cluster says about these topics, for an operator. Missing topics are reported, not thrown. */
export async function describeTopics(
  client: KafkaClient,
  topics: readonly Topic[],
  names: TopicNames,
): Promise<TopicDescription[]> {
  const admin = await KafkaAdmin.open(client, names);
  try {
    const present = await admin.existing(topics);
    const found = topics.filter((t) => present.has(t));
    const partitions = found.length === 0 ? new Map() : await admin.partitions(found);
    const configs = found.length === 0 ? new Map() : await admin.configs(found, SHOWN_CONFIGS);
    return topics.map((topic) => ({
      name: names.physical(topic),
      exists: present.has(topic),
      partitions: (partitions.get(topic) ?? []).map(
        ({ partition, leader, replicas, isr }: PartitionInfoLike) => ({
          partition,
          leader,
          replicas,
          isr,
        }),
      ),
      configs: configs.get(topic) ?? {},
    }));
  } finally {
    await admin.close();
  }
}

type PartitionInfoLike = { partition: number; leader: number; replicas: number[]; isr: number[] };
