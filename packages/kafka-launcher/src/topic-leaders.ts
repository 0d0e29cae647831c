// Which node leads the partitions that matter when a node is killed: the transaction coordinator's
// `__transaction_state` and the orchestrator's state topics (names ending in `orchestrator.state`,
// whatever PIPELINE_TOPIC_PREFIX is). Read from a Metadata response (metadata.ts).

import type { ClusterMetadata } from './metadata.js';

export interface PartitionLeader {
  topic: string;
  partition: number;
  /** The leading node id, or null when the partition has no leader (offline). */
  leader: number | null;
  replicas: number[];
  isr: number[];
}

export const TRANSACTION_STATE_TOPIC = '__transaction_state';
export const isWatchedTopic = (name: string): boolean =>
  name === TRANSACTION_STATE_TOPIC || name.endsWith('orchestrator.state');

/** The leaders of the watched topics' partitions, by topic then partition. */
export function selectLeaders(metadata: ClusterMetadata): PartitionLeader[] {
  return metadata.topics
    .filter((t) => isWatchedTopic(t.name))
    .flatMap((t) =>
      t.partitions.map((p) => ({
        topic: t.name,
        partition: p.partition,
        leader: p.leader >= 0 ? p.leader : null,
        replicas: p.replicas,
        isr: p.isr,
      })),
    )
    .sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
}

/** One line per partition, e.g. `__transaction_state-0  leader 2  replicas 2,3,1  isr 2,3`. */
export function formatLeaders(leaders: readonly PartitionLeader[]): string[] {
  const width = Math.max(0, ...leaders.map((l) => `${l.topic}-${l.partition}`.length));
  return leaders.map(
    (l) =>
      `${`${l.topic}-${l.partition}`.padEnd(width)}  leader ${l.leader ?? 'none'}  replicas ${l.replicas.join(',')}  isr ${l.isr.join(',') || '-'}`,
  );
}
