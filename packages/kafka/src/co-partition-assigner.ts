import { type Assigner, AssignerProtocol, type GroupMemberAssignment, type PartitionAssigner } from 'kafkajs';

export const CO_PARTITION_PROTOCOL = 'co-partition';
const VERSION = 0;

/**
 * Assigns by partition NUMBER: the member that gets number p gets partition p of every subscribed
 * topic. Records of one change request share a key, so they sit on the same partition number of
 * every topic (same partition count, same murmur2); with this assigner one instance therefore sees
 * all records of a request. Exactly-once with kafkajs (transactions v1: one transactional id per
 * input partition number) depends on it too: kafkajs' round-robin assigner deals topic-partitions
 * out one by one and would split partition p of two topics between two members.
 *
 * Numbers are dealt round-robin to the members sorted by member id, so every member computes the same
 * answer from the same input. All members should subscribe to the same topics; if they do not, each
 * topic's numbers are dealt among the members that subscribe to it (still covering every partition,
 * but co-partitioning then only holds among members with equal subscriptions), and a warning is logged.
 */
export const CoPartitionAssigner: PartitionAssigner = ({ cluster, logger }) => {
  const log = logger.namespace('CoPartitionAssigner');
  const assigner: Assigner = {
    name: CO_PARTITION_PROTOCOL,
    version: VERSION,

    async assign({ members, topics }) {
      const subscriptions = new Map<string, Set<string>>();
      for (const member of members) {
        const metadata = AssignerProtocol.MemberMetadata.decode(member.memberMetadata);
        subscriptions.set(member.memberId, new Set(metadata?.topics ?? topics));
      }
      const memberIds = members.map((m) => m.memberId).sort();
      const allTopics = [
        ...new Set([...topics, ...[...subscriptions.values()].flatMap((s) => [...s])]),
      ].sort();
      if (allTopics.some((t) => !topics.includes(t))) await cluster.addMultipleTargetTopics(allTopics);

      const uniform = memberIds.every((id) => sameSet(subscriptions.get(id), new Set(allTopics)));
      if (!uniform) {
        log.warn(
          'members subscribe to different topics; co-partitioning holds only among equal subscriptions',
          {
            subscriptions: Object.fromEntries([...subscriptions].map(([id, s]) => [id, [...s]])),
          },
        );
      }

      const numbers = [...new Set(allTopics.flatMap((t) => partitionsOf(cluster, t)))].sort((a, b) => a - b);
      const assignment = new Map<string, Record<string, number[]>>(memberIds.map((id) => [id, {}]));
      for (const topic of allTopics) {
        const owners = memberIds.filter((id) => subscriptions.get(id)?.has(topic) ?? true);
        if (owners.length === 0) continue;
        const present = new Set(partitionsOf(cluster, topic));
        numbers.forEach((p, i) => {
          if (!present.has(p)) return;
          const owner = owners[i % owners.length] as string;
          const own = assignment.get(owner) as Record<string, number[]>;
          const list = own[topic] ?? [];
          list.push(p);
          own[topic] = list;
        });
      }

      return memberIds.map(
        (memberId): GroupMemberAssignment => ({
          memberId,
          memberAssignment: AssignerProtocol.MemberAssignment.encode({
            version: VERSION,
            assignment: assignment.get(memberId) ?? {},
            userData: Buffer.alloc(0),
          }),
        }),
      );
    },

    protocol({ topics }) {
      return {
        name: CO_PARTITION_PROTOCOL,
        metadata: AssignerProtocol.MemberMetadata.encode({
          version: VERSION,
          topics,
          userData: Buffer.alloc(0),
        }),
      };
    },
  };
  return assigner;
};

function partitionsOf(cluster: Parameters<PartitionAssigner>[0]['cluster'], topic: string): number[] {
  return cluster.findTopicPartitionMetadata(topic).map((p) => p.partitionId);
}

function sameSet(a: Set<string> | undefined, b: Set<string>): boolean {
  if (a === undefined) return true;
  return a.size === b.size && [...a].every((x) => b.has(x));
}
