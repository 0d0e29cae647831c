import { AssignerProtocol, type PartitionAssigner } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import {
  CO_PARTITION_PROTOCOL,
  CoPartitionAssigner,
  createCoPartitionAssigner,
  decodeUserData,
} from '../src/co-partition-assigner.js';

type Cluster = Parameters<PartitionAssigner>[0]['cluster'];

function fakeCluster(partitions: Record<string, number>): Cluster {
  return {
    findTopicPartitionMetadata: (topic: string) =>
      Array.from({ length: partitions[topic] ?? 0 }, (_, partitionId) => ({
        partitionErrorCode: 0,
        partitionId,
        leader: 1,
        replicas: [1],
        isr: [1],
      })),
    addMultipleTargetTopics: async () => {},
  } as unknown as Cluster;
}

const quietLogger = {
  namespace: () => quietLogger,
  warn: () => {},
  info: () => {},
  debug: () => {},
  error: () => {},
} as never;

async function assign(partitions: Record<string, number>, members: Record<string, string[]>) {
  const assigner = CoPartitionAssigner({
    cluster: fakeCluster(partitions),
    groupId: 'g',
    logger: quietLogger,
  });
  const groupMembers = Object.entries(members).map(([memberId, topics]) => ({
    memberId,
    memberMetadata: assigner.protocol({ topics }).metadata,
  }));
  const result = await assigner.assign({ members: groupMembers, topics: Object.keys(partitions) });
  return Object.fromEntries(
    result.map((r) => [r.memberId, AssignerProtocol.MemberAssignment.decode(r.memberAssignment)?.assignment]),
  );
}

describe('CoPartitionAssigner', () => {
  it('is named co-partition', () => {
    const assigner = CoPartitionAssigner({ cluster: fakeCluster({}), groupId: 'g', logger: quietLogger });
    expect(assigner.name).toBe(CO_PARTITION_PROTOCOL);
    expect(assigner.protocol({ topics: ['a'] }).name).toBe('co-partition');
  });

  it('gives each member the same partition numbers of every topic, disjoint and complete', async () => {
    const result = await assign(
      { a: 12, b: 12, c: 12 },
      { 'm-2': ['a', 'b', 'c'], 'm-1': ['a', 'b', 'c'], 'm-3': ['a', 'b', 'c'] },
    );
    expect(Object.keys(result).sort()).toEqual(['m-1', 'm-2', 'm-3']);
    const seen: number[] = [];
    for (const assignment of Object.values(result)) {
      const a = assignment?.a ?? [];
      expect(assignment?.b).toEqual(a);
      expect(assignment?.c).toEqual(a);
      expect(a).toHaveLength(4);
      seen.push(...a);
    }
    expect(seen.sort((x, y) => x - y)).toEqual([...Array(12).keys()]);
    // Deterministic: a new group is dealt in blocks, by sorted member id (sticky-numbers.ts).
    expect(result['m-1']?.a).toEqual([0, 1, 2, 3]);
  });

  it('gives every member an assignment, even an empty one, when members outnumber partitions', async () => {
    const result = await assign({ a: 2, b: 2 }, { x: ['a', 'b'], y: ['a', 'b'], z: ['a', 'b'] });
    expect(result).toEqual({ x: { a: [0], b: [0] }, y: { a: [1], b: [1] }, z: {} });
  });

  it('covers topics with fewer partitions by number', async () => {
    const result = await assign({ a: 4, b: 2 }, { x: ['a', 'b'], y: ['a', 'b'] });
    expect(result).toEqual({ x: { a: [0, 1], b: [0, 1] }, y: { a: [2, 3] } });
  });

  // Issue 10, finding 12: any join or leave moved most partitions (round-robin by random member id).
  it('is sticky: members keep the numbers they say they own, and a join moves only the newcomer’s share', async () => {
    const cluster = fakeCluster({ a: 12, b: 12 });
    const owned: Record<string, number[]> = { 'm-5': [0, 1, 2, 3, 4, 5], 'm-1': [6, 7, 8, 9, 10, 11] };
    const member = (memberId: string) => {
      const assigner = createCoPartitionAssigner(() => owned[memberId] ?? [])({
        cluster,
        groupId: 'g',
        logger: quietLogger,
      });
      return { memberId, memberMetadata: assigner.protocol({ topics: ['a', 'b'] }).metadata };
    };
    const leader = CoPartitionAssigner({ cluster, groupId: 'g', logger: quietLogger });
    const members = [member('m-5'), member('m-1'), member('m-0')];
    const result = await leader.assign({ members, topics: ['a', 'b'] });
    const a = Object.fromEntries(
      result.map((r) => [
        r.memberId,
        AssignerProtocol.MemberAssignment.decode(r.memberAssignment)?.assignment.a,
      ]),
    );
    expect(a['m-5']).toHaveLength(4);
    expect(a['m-1']).toHaveLength(4);
    for (const n of a['m-5'] ?? []) expect(owned['m-5']).toContain(n);
    for (const n of a['m-1'] ?? []) expect(owned['m-1']).toContain(n);
    expect(a['m-0']).toEqual([4, 5, 10, 11]);
  });

  // Issue 14: instances find each other's HTTP address through the group (GET /requests/{id} forwarding).
  it('advertises the member’s endpoint beside the numbers it owns, read at each join', () => {
    let endpoint: string | undefined;
    const assigner = createCoPartitionAssigner(
      () => [3, 1],
      () => endpoint,
    )({ cluster: fakeCluster({ a: 4 }), groupId: 'g', logger: quietLogger });
    const userData = () =>
      decodeUserData(
        AssignerProtocol.MemberMetadata.decode(assigner.protocol({ topics: ['a'] }).metadata)?.userData,
      );
    expect(userData()).toEqual({ owned: [3, 1], endpoint: undefined, warm: [] });
    endpoint = 'http://10.0.0.7:9300';
    expect(userData()).toEqual({ owned: [3, 1], endpoint: 'http://10.0.0.7:9300', warm: [] });
  });

  it('gives nothing to members with another subscription (two pipelines fencing each other, finding 6)', async () => {
    // Two members of a pipeline, one of another (another topic prefix) in the same group by mistake.
    const result = await assign(
      { a: 4, b: 4, 'x.a': 4 },
      { m1: ['a', 'b'], m2: ['a', 'b'], stranger: ['x.a'] },
    );
    expect(result.stranger).toEqual({});
    expect(result.m1).toEqual({ a: [0, 1], b: [0, 1] });
    expect(result.m2).toEqual({ a: [2, 3], b: [2, 3] });
    // A tie is broken the same way by every member (the smallest topic list wins).
    const tie = await assign({ a: 2, b: 2 }, { p: ['b'], q: ['a'] });
    expect(tie).toEqual({ p: {}, q: { a: [0, 1] } });
  });
});
