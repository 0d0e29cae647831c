import type { Topic, TopicNames, TopicSpec } from '@pipeline/topics';
import kafkajs, { type Admin } from 'kafkajs';
import { type KafkaClient, kafkajsOf } from './client.js';
import { COORDINATOR_TOPICS, type CoordinatorKind, coordinatorPartition } from './coordinators.js';
import { decodeGroupMember, type GroupMember } from './group-member.js';

// kafkajs is CommonJS and Node's ESM loader cannot see this export by name (vitest can, so only a
// plain `node` run would fail): take it from the default export.
const { ConfigResourceTypes } = kafkajs;

/** One partition as the cluster describes it; `leader` -1 = none, `error` the partition's error code. */
export interface PartitionInfo {
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
  error: number;
}

export type { GroupMember };

/** Offsets per partition number of one topic. */
export type PartitionOffsets = Map<number, bigint>;

/**
 * Cluster administration in the pipeline's terms: logical topics in, logical topics out (the
 * TopicNames given at open map them). Open one for a service's lifetime or per operation; close it.
 */
export class KafkaAdmin {
  private constructor(
    private readonly admin: Admin,
    readonly names: TopicNames,
  ) {}

  static async open(client: KafkaClient, names: TopicNames): Promise<KafkaAdmin> {
    const admin = kafkajsOf(client).admin();
    await admin.connect();
    return new KafkaAdmin(admin, names);
  }

  async close(): Promise<void> {
    await this.admin.disconnect();
  }

  /**
   * The brokers of the cluster as its metadata lists them: the live ones (a broker that is down is
   * not listed).
   */
  async brokerCount(): Promise<number> {
    const { brokers } = await this.admin.describeCluster();
    return brokers.length;
  }

  /** The cluster's id: what tells two clusters apart (a cache of one is not valid for another). */
  async clusterId(): Promise<string> {
    const { clusterId } = await this.admin.describeCluster();
    return clusterId;
  }

  /** Which of these topics exist on the cluster. */
  async existing(topics: readonly Topic[]): Promise<Set<Topic>> {
    const present = new Set(await this.admin.listTopics());
    return new Set(topics.filter((t) => present.has(this.names.physical(t))));
  }

  /**
   * Creates one topic; false when it already exists (another instance won the race). One topic per
   * request: kafkajs reports "already exists" only when EVERY topic of a request already exists.
   */
  async createTopic(spec: TopicSpec): Promise<boolean> {
    return this.admin.createTopics({
      waitForLeaders: false,
      topics: [
        {
          topic: this.names.physical(spec.name),
          numPartitions: spec.partitions,
          replicationFactor: spec.replicationFactor,
          configEntries: Object.entries(spec.configs).map(([name, value]) => ({ name, value })),
        },
      ],
    });
  }

  /** Partitions of each topic, with their leader (-1 = none), replicas and in-sync replicas. */
  async partitions(topics: readonly Topic[]): Promise<Map<Topic, PartitionInfo[]>> {
    const { topics: metadata } = await this.admin.fetchTopicMetadata({
      topics: topics.map((t) => this.names.physical(t)),
    });
    const result = new Map<Topic, PartitionInfo[]>();
    for (const t of metadata) {
      const topic = this.names.logical(t.name);
      if (!topic) continue;
      result.set(
        topic,
        t.partitions
          .map((p) => ({
            partition: p.partitionId,
            leader: p.leader,
            replicas: [...p.replicas],
            isr: [...p.isr],
            error: p.partitionErrorCode,
          }))
          .sort((a, b) => a.partition - b.partition),
      );
    }
    return result;
  }

  /**
   * The broker id that coordinates a transactional id or a consumer group (the leader of its partition
   * of `__transaction_state` / `__consumer_offsets`), or undefined while that topic does not exist yet
   * (before the cluster's first transaction or group) or the partition has no leader.
   */
  async coordinatorOf(kind: CoordinatorKind, id: string): Promise<number | undefined> {
    const topic = COORDINATOR_TOPICS[kind];
    if (!(await this.admin.listTopics()).includes(topic)) return undefined;
    const { topics } = await this.admin.fetchTopicMetadata({ topics: [topic] });
    const partitions = topics[0]?.partitions ?? [];
    if (partitions.length === 0) return undefined;
    const wanted = coordinatorPartition(id, partitions.length);
    const leader = partitions.find((p) => p.partitionId === wanted)?.leader;
    return leader === undefined || leader < 0 ? undefined : leader;
  }

  /**
   * How many partitions of all the cluster's topics (internal ones included) have fewer in-sync
   * replicas than replicas, or no leader: 0 once a restarted broker has caught up everywhere.
   */
  async underReplicatedPartitions(): Promise<number> {
    const { topics } = await this.admin.fetchTopicMetadata();
    let count = 0;
    for (const t of topics) {
      for (const p of t.partitions) if (p.leader < 0 || p.isr.length < p.replicas.length) count += 1;
    }
    return count;
  }

  /** The partition count of each topic. */
  async partitionCounts(topics: readonly Topic[]): Promise<Map<Topic, number>> {
    const partitions = await this.partitions(topics);
    return new Map([...partitions].map(([topic, list]) => [topic, list.length]));
  }

  /** Topic configs as the broker reports them (only the names asked for). */
  async configs(
    topics: readonly Topic[],
    names: readonly string[],
  ): Promise<Map<Topic, Record<string, string>>> {
    const { resources } = await this.admin.describeConfigs({
      includeSynonyms: false,
      resources: topics.map((t) => ({
        type: ConfigResourceTypes.TOPIC,
        name: this.names.physical(t),
        configNames: [...names],
      })),
    });
    const result = new Map<Topic, Record<string, string>>();
    for (const r of resources) {
      const topic = this.names.logical(r.resourceName);
      if (topic)
        result.set(topic, Object.fromEntries(r.configEntries.map((e) => [e.configName, e.configValue])));
    }
    return result;
  }

  /** The offsets a consumer group committed, per topic and partition (partitions without one are left out). */
  async committedOffsets<T extends Topic>(
    groupId: string,
    topics: readonly T[],
  ): Promise<Map<T, PartitionOffsets>> {
    const result = await this.admin.fetchOffsets({
      groupId,
      topics: topics.map((t) => this.names.physical(t)),
    });
    const offsets = new Map<T, PartitionOffsets>();
    for (const { topic, partitions } of result) {
      const logical = topics.find((t) => this.names.physical(t) === topic);
      if (!logical) continue;
      const byPartition: PartitionOffsets = new Map();
      for (const p of partitions) if (p.offset !== '-1') byPartition.set(p.partition, BigInt(p.offset));
      offsets.set(logical, byPartition);
    }
    return offsets;
  }

  /** The end (high watermark) of every partition of these topics, looked up at once. */
  async endOffsets<T extends Topic>(topics: readonly T[]): Promise<Map<T, PartitionOffsets>> {
    const ends = await Promise.all(
      topics.map(async (topic) => {
        const offsets = await this.admin.fetchTopicOffsets(this.names.physical(topic));
        return [topic, new Map(offsets.map((o) => [o.partition, BigInt(o.high)]))] as const;
      }),
    );
    return new Map(ends);
  }

  /**
   * The current members of a consumer group, the (physical) topics each subscribes to and the
   * partitions it owns; while the group rebalances, subscriptions are unknown (see GroupMember).
   */
  async groupMembers(groupId: string): Promise<GroupMember[]> {
    const { groups } = await this.admin.describeGroups([groupId]);
    return (groups[0]?.members ?? []).map(decodeGroupMember);
  }

  async deleteGroups(groupIds: readonly string[]): Promise<void> {
    await this.admin.deleteGroups([...groupIds]);
  }

  /** Deletes these topics (their physical names under `names`) and everything in them. */
  async deleteTopics(topics: readonly Topic[]): Promise<void> {
    await this.admin.deleteTopics({ topics: topics.map((t) => this.names.physical(t)) });
  }
}
