import type { TopicSpec } from '@pipeline/topics';
import type { Admin, Kafka } from 'kafkajs';
import { ConfigError } from '../errors/config-error.js';
import { KAFKA_ERROR_CODES, KafkaLayerError } from '../errors/kafka-layer-error.js';
import { type PartitionMismatch, PartitionMismatchError } from '../errors/partition-mismatch-error.js';
import { type Logger, noopLogger } from '../logging/logger.js';

export interface ProvisionResult {
  created: string[];
  existing: string[];
  mismatches: PartitionMismatch[];
}

export interface ProvisionOptions {
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
  kafka: Kafka,
  specs: readonly TopicSpec[],
  options: ProvisionOptions = {},
): Promise<ProvisionResult> {
  validateSpecs(specs);
  const logger = (options.logger ?? noopLogger).child({ component: 'provision-topics' });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const present = new Set(await admin.listTopics());
    const created: string[] = [];
    const existing: string[] = [];
    // One topic per request: kafkajs reports "already exists" only when EVERY topic of a request
    // already exists (and then skips waiting for leaders), so a batch would blur who created what.
    for (const spec of specs) {
      if (present.has(spec.name)) {
        existing.push(spec.name);
        continue;
      }
      const didCreate = await admin.createTopics({
        waitForLeaders: false,
        topics: [
          {
            topic: spec.name,
            numPartitions: spec.partitions,
            replicationFactor: spec.replicationFactor,
            configEntries: Object.entries(spec.configs).map(([name, value]) => ({ name, value })),
          },
        ],
      });
      if (didCreate) {
        created.push(spec.name);
        logger.info({ topic: spec.name, partitions: spec.partitions }, 'created topic');
      } else {
        existing.push(spec.name);
      }
    }

    const partitions = await waitForLeaders(
      admin,
      specs.map((s) => s.name),
      options.leaderTimeoutMs ?? 30_000,
    );
    const mismatches: PartitionMismatch[] = [];
    for (const spec of specs) {
      const actual = partitions.get(spec.name) ?? 0;
      if (actual !== spec.partitions) {
        mismatches.push({ topic: spec.name, expectedPartitions: spec.partitions, actualPartitions: actual });
      }
    }
    if (mismatches.length > 0) logger.warn({ mismatches }, 'topics with another partition count');
    return { created, existing, mismatches };
  } finally {
    await admin.disconnect();
  }
}

/** Throws PartitionMismatchError if provisioning found topics with another partition count. */
export function assertPartitionsMatch(result: Pick<ProvisionResult, 'mismatches'>): void {
  if (result.mismatches.length > 0) throw new PartitionMismatchError(result.mismatches);
}

/** Polls metadata until every partition of every topic has a leader; returns partition counts. */
async function waitForLeaders(
  admin: Admin,
  topics: string[],
  timeoutMs: number,
): Promise<Map<string, number>> {
  const deadline = Date.now() + timeoutMs;
  let waitingFor: string[] = topics;
  for (let delay = 50; ; delay = Math.min(delay * 2, 1000)) {
    try {
      const { topics: metadata } = await admin.fetchTopicMetadata({ topics });
      waitingFor = metadata
        .filter(
          (t) =>
            t.partitions.length === 0 || t.partitions.some((p) => p.leader < 0 || p.partitionErrorCode !== 0),
        )
        .map((t) => t.name);
      if (waitingFor.length === 0) return new Map(metadata.map((t) => [t.name, t.partitions.length]));
    } catch (error) {
      // Right after creation a topic may briefly be unknown to the broker answering metadata.
      if (Date.now() >= deadline) throw error;
    }
    if (Date.now() >= deadline) {
      throw new KafkaLayerError(
        KAFKA_ERROR_CODES.timeout,
        `topics without partition leaders after ${timeoutMs} ms: ${waitingFor.join(', ')}`,
        {
          canRetry: true,
        },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
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
