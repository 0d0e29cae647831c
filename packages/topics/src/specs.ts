import { DEFAULT_REPLICATION_FACTOR } from './durability.js';
import { ALIAS, ALL_TOPICS, DLQ, STATE, type Topic } from './names.js';

/** How one topic is created. `configs` are Kafka topic configs, passed through as they are. */
export interface TopicSpec {
  readonly name: Topic;
  readonly partitions: number;
  readonly replicationFactor: number;
  readonly configs: Readonly<Record<string, string>>;
}

export interface TopicSpecOptions {
  /**
   * Partitions of EVERY topic. One number for all, because the key (change request id) then hashes
   * to the same partition number on every topic: the instance that owns partition p of the inputs
   * also owns p of the state topic, and one request is always handled by one instance.
   */
  partitions?: number;
  /**
   * 3 by default; what a start creates is decided from the cluster first (decideDurability): 1 on
   * a cluster of one broker.
   */
  replicationFactor?: number;
  /** How long pipeline messages are kept. */
  retentionMs?: number;
  /** How long dead letters are kept, so someone can look at them. */
  deadLetterRetentionMs?: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export const DEFAULT_TOPIC_OPTIONS: Required<TopicSpecOptions> = {
  partitions: 12,
  replicationFactor: DEFAULT_REPLICATION_FACTOR,
  retentionMs: 7 * DAY_MS,
  deadLetterRetentionMs: 30 * DAY_MS,
};

export function topicSpecs(options: TopicSpecOptions = {}): TopicSpec[] {
  const o = { ...DEFAULT_TOPIC_OPTIONS, ...options };
  assertWholeAtLeast('partitions', o.partitions, 1);
  assertWholeAtLeast('replicationFactor', o.replicationFactor, 1);
  assertWholeAtLeast('retentionMs', o.retentionMs, 1);
  assertWholeAtLeast('deadLetterRetentionMs', o.deadLetterRetentionMs, 1);
  // Two replicas acknowledge every write when there are 3: the loss of one broker loses nothing.
  const minIsr = String(Math.min(2, o.replicationFactor));
  return ALL_TOPICS.map((name): TopicSpec => {
    const base = { name, partitions: o.partitions, replicationFactor: o.replicationFactor };
    if (name === STATE || name === ALIAS) {
      // Compacted: the latest record per request id is its state; a tombstone forgets it. Nothing is
      // deleted by age, or a restart would lose long-running requests. The alias index likewise.
      return {
        ...base,
        configs: {
          'cleanup.policy': 'compact',
          'min.insync.replicas': minIsr,
          'min.cleanable.dirty.ratio': '0.1',
          'segment.ms': String(DAY_MS),
          'delete.retention.ms': String(DAY_MS),
        },
      };
    }
    const retention = name === DLQ ? o.deadLetterRetentionMs : o.retentionMs;
    return {
      ...base,
      configs: {
        'cleanup.policy': 'delete',
        'retention.ms': String(retention),
        'min.insync.replicas': minIsr,
      },
    };
  });
}

function assertWholeAtLeast(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`topic option ${name} must be a whole number >= ${min}, got ${value}`);
  }
}
