import { type Assigner, AssignerProtocol, type GroupMemberAssignment, type PartitionAssigner } from 'kafkajs';
import { stickyNumbers } from './sticky-numbers.js';

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
 * Numbers are dealt sticky (sticky-numbers.ts): each member says in its subscription's user data which
 * numbers it owns (`owned`), keeps them as far as the balance allows, and only the rest moves. Every
 * member computes the same answer from the same input. Only members with the group's subscription take part: the topic list
 * most members subscribe to (a tie goes to the smallest list, so every member picks the same). A
 * member subscribed to other topics (another pipeline's prefix, another version) gets nothing, and a
 * warning is logged: it would otherwise own transactional ids it shares with the others.
 *
 * A member may also advertise an `endpoint` in that user data (the orchestrator's HTTP address):
 * DescribeGroups shows it to anyone with each member's assignment, so an instance finds the owner
 * of a partition without a registry of its own (group-member.ts reads it).
 */
export const createCoPartitionAssigner =
  (
    owned: () => readonly number[],
    endpoint: () => string | undefined = () => undefined,
    warm: () => readonly number[] = () => [],
  ): PartitionAssigner =>
  ({ cluster, logger }) => {
    const log = logger.namespace('CoPartitionAssigner');
    const assigner: Assigner = {
      name: CO_PARTITION_PROTOCOL,
      version: VERSION,

      async assign({ members, topics }) {
        const subscriptions = new Map<string, string[]>();
        const previous = new Map<string, number[]>();
        const warmth = new Map<string, number[]>();
        for (const member of members) {
          const metadata = AssignerProtocol.MemberMetadata.decode(member.memberMetadata);
          subscriptions.set(member.memberId, [...new Set(metadata?.topics ?? topics)].sort());
          const said = decodeUserData(metadata?.userData);
          previous.set(member.memberId, said.owned);
          warmth.set(member.memberId, said.warm);
        }
        const memberIds = members.map((m) => m.memberId).sort();
        const groupTopics = groupSubscription([...subscriptions.values()]);
        const key = groupTopics.join(',');
        const owners = memberIds.filter((id) => subscriptions.get(id)?.join(',') === key);
        const strangers = memberIds.filter((id) => !owners.includes(id));
        if (strangers.length > 0) {
          log.warn('members subscribed to other topics get no partitions', {
            groupTopics,
            strangers: Object.fromEntries(strangers.map((id) => [id, subscriptions.get(id)])),
          });
        }
        if (groupTopics.some((t) => !topics.includes(t))) await cluster.addMultipleTargetTopics(groupTopics);

        const numbers = [...new Set(groupTopics.flatMap((t) => partitionsOf(cluster, t)))].sort(
          (a, b) => a - b,
        );
        const dealt = stickyNumbers(numbers, owners, previous, warmth);
        const assignment = new Map<string, Record<string, number[]>>(memberIds.map((id) => [id, {}]));
        for (const topic of groupTopics) {
          const present = new Set(partitionsOf(cluster, topic));
          for (const [memberId, own] of dealt) {
            const mine = own.filter((p) => present.has(p));
            if (mine.length > 0) (assignment.get(memberId) as Record<string, number[]>)[topic] = mine;
          }
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
            userData: encodeUserData({ owned: owned(), endpoint: endpoint(), warm: warm() }),
          }),
        };
      },
    };
    return assigner;
  };

/** Without a memory of what it owned: every join deals as if the group were new. */
export const CoPartitionAssigner: PartitionAssigner = createCoPartitionAssigner(() => []);

/**
 * What a member says of itself in its subscription: the numbers it owns, where it answers, and the
 * numbers whose state it has a copy of (warm: cheap to take; see sticky-numbers.ts).
 */
export interface MemberUserData {
  owned: number[];
  endpoint: string | undefined;
  warm: number[];
}

/** `{"owned":[…],"endpoint":"http://…","warm":[…]}`; endpoint and warm only when there are some. */
function encodeUserData(data: {
  owned: readonly number[];
  endpoint: string | undefined;
  warm: readonly number[];
}): Buffer {
  return Buffer.from(
    JSON.stringify({
      owned: [...data.owned],
      ...(data.endpoint ? { endpoint: data.endpoint } : {}),
      ...(data.warm.length > 0 ? { warm: [...data.warm] } : {}),
    }),
  );
}

/** Anything unreadable (another version, another client) counts as owning nothing, reachable nowhere. */
export function decodeUserData(userData: Buffer | undefined): MemberUserData {
  const none = { owned: [], endpoint: undefined, warm: [] };
  if (!userData || userData.length === 0) return none;
  try {
    const parsed = JSON.parse(userData.toString('utf8')) as {
      owned?: unknown;
      endpoint?: unknown;
      warm?: unknown;
    };
    const numbers = (value: unknown) =>
      Array.isArray(value) ? value.filter((n): n is number => Number.isInteger(n)) : [];
    return {
      owned: numbers(parsed.owned),
      endpoint: typeof parsed.endpoint === 'string' && parsed.endpoint !== '' ? parsed.endpoint : undefined,
      warm: numbers(parsed.warm),
    };
  } catch {
    return none;
  }
}

/** The topic list most members subscribe to; a tie goes to the smallest list (as text). */
function groupSubscription(subscriptions: readonly string[][]): string[] {
  const counts = new Map<string, { topics: string[]; count: number }>();
  for (const topics of subscriptions) {
    const key = topics.join(',');
    counts.set(key, { topics, count: (counts.get(key)?.count ?? 0) + 1 });
  }
  const ranked = [...counts].sort(([a, x], [b, y]) => y.count - x.count || (a < b ? -1 : a > b ? 1 : 0));
  return ranked[0]?.[1].topics ?? [];
}

function partitionsOf(cluster: Parameters<PartitionAssigner>[0]['cluster'], topic: string): number[] {
  return cluster.findTopicPartitionMetadata(topic).map((p) => p.partitionId);
}
