import { STATE, type Topic } from './names.js';

/**
 * Replicas of every topic created when no replication factor is asked for. With
 * min.insync.replicas=2 (specs.ts) a write is acknowledged by two brokers: the loss of any one
 * broker then loses nothing and stops nothing.
 */
export const DEFAULT_REPLICATION_FACTOR = 3;

/** One existing topic, as the cluster describes it. */
export interface TopicFacts {
  topic: Topic;
  /** Its physical name, for the messages. */
  name: string;
  /** The fewest replicas of any of its partitions. */
  replicationFactor: number;
  /**
   * Its configs as the broker reports them: cleanup.policy, min.insync.replicas, retention.ms,
   * retention.bytes. One that is missing has the broker's default.
   */
  configs: Readonly<Record<string, string | undefined>>;
}

/** What a start reads of the cluster before it creates anything. */
export interface ClusterFacts {
  /** The brokers the cluster reports (the live ones). */
  brokers: number;
  /** The pipeline topics that exist already. */
  topics: readonly TopicFacts[];
}

/** How the caller's settings are written in a fix: variables for the services, flags for the CLI. */
export interface SettingSpelling {
  replicationFactor(value: number): string;
  allowSingleReplica: string;
}

export const ENV_SPELLING: SettingSpelling = {
  replicationFactor: (value) => `ORCH_REPLICATION_FACTOR=${value}`,
  allowSingleReplica: 'ORCH_ALLOW_SINGLE_REPLICA=true',
};

/** The replication the operator asked for. */
export interface ReplicationSettings {
  /** Undefined: the default, DEFAULT_REPLICATION_FACTOR, or 1 on a cluster of one broker. */
  replicationFactor?: number | undefined;
  /** Topics with a single replica are accepted on a cluster of several brokers (and are the default). */
  allowSingleReplica?: boolean | undefined;
}

export interface DurabilitySettings extends ReplicationSettings {
  /** False when nothing is created (ORCH_PROVISION_TOPICS=false): the replication factor is then not judged. */
  creates?: boolean;
  /** ENV_SPELLING unless given. */
  spelling?: SettingSpelling;
}

/** The replication factor of the topics to create and what to say about it, or what to fix first. */
export type DurabilityDecision =
  | { ok: true; replicationFactor: number; warnings: string[] }
  | { ok: false; problems: string[]; warnings: string[] };

/**
 * Judges the cluster before a start creates any topic: how many replicas the topics it creates get,
 * and whether the topics that exist keep what is written to them. Every problem is reported at
 * once, each saying what to fix. The state topic is the orchestrator's only store: one that deletes
 * by age forgets long-running requests at the next restart, one whose writes one replica may
 * acknowledge loses them with that broker. Other topics only draw warnings: their records are
 * consumed within the retention, and they can be fixed while the pipeline runs.
 */
export function decideDurability(facts: ClusterFacts, settings: DurabilitySettings = {}): DurabilityDecision {
  const problems: string[] = [];
  const warnings: string[] = [];
  const replicationFactor = chooseReplication(facts.brokers, settings, problems, warnings);
  for (const topic of facts.topics) {
    if (topic.topic === STATE) judgeStateTopic(topic, problems);
    else judgeOtherTopic(topic, warnings);
  }
  const single = facts.topics.filter((t) => t.replicationFactor === 1).map((t) => t.name);
  if (facts.brokers > 1 && single.length > 0 && settings.allowSingleReplica !== true) {
    warnings.push(
      `topics with a single replica (not replicated) on a cluster of ${facts.brokers} brokers: losing the disk of the broker that holds a partition loses its records (kafka-reassign-partitions.sh adds replicas): ${single.join(', ')}`,
    );
  }
  return problems.length > 0 ? { ok: false, problems, warnings } : { ok: true, replicationFactor, warnings };
}

/**
 * A factor asked for is never lowered: a production cluster that shows one broker because the
 * others are down at that moment must not get topics with one replica for good. Only the default
 * follows a cluster of one broker.
 */
function chooseReplication(
  brokers: number,
  settings: DurabilitySettings,
  problems: string[],
  warnings: string[],
): number {
  const spell = settings.spelling ?? ENV_SPELLING;
  const allowed = settings.allowSingleReplica === true;
  const asked = settings.replicationFactor;
  const wanted = asked ?? (allowed ? 1 : DEFAULT_REPLICATION_FACTOR);
  if (settings.creates === false) return wanted;
  if (brokers <= 1) {
    if (asked !== undefined && asked > 1) {
      problems.push(
        `${spell.replicationFactor(asked)} asks for ${asked} replicas of every topic, but the cluster has 1 broker: start the other brokers, or leave it unset (on a cluster of one broker the topics then get one replica, said at start), or set ${spell.replicationFactor(1)}`,
      );
      return asked;
    }
    warnings.push(unreplicated('the cluster has one broker'));
    return 1;
  }
  if (wanted > brokers) {
    const what =
      asked === undefined ? `the default replication factor ${wanted}` : spell.replicationFactor(wanted);
    problems.push(
      `${what} needs ${wanted} brokers, but the cluster has ${brokers} brokers: set ${spell.replicationFactor(brokers)}, or add brokers, or set ${spell.allowSingleReplica} for topics that are not replicated`,
    );
    return wanted;
  }
  if (wanted === 1 && !allowed) {
    problems.push(
      `${spell.replicationFactor(1)} gives every topic a single replica on a cluster of ${brokers} brokers, so losing one broker's disk loses its partitions: set ${spell.replicationFactor(Math.min(brokers, DEFAULT_REPLICATION_FACTOR))}, or ${spell.allowSingleReplica} to accept it`,
    );
    return 1;
  }
  if (wanted === 1)
    warnings.push(unreplicated(`${spell.allowSingleReplica}, on a cluster of ${brokers} brokers`));
  return wanted;
}

function unreplicated(why: string): string {
  return `the topics it creates have a single replica (not replicated) because ${why}: losing the disk of the broker that holds a partition loses its records and the state of its requests. A production cluster needs 3 brokers (replication factor ${DEFAULT_REPLICATION_FACTOR}, min.insync.replicas 2)`;
}

function judgeStateTopic(topic: TopicFacts, problems: string[]): void {
  const { name, replicationFactor: replicas, configs } = topic;
  // The broker's default log.cleanup.policy is delete: a topic that does not say deletes.
  const policy = configs['cleanup.policy'] ?? 'delete';
  const policies = policy.split(/[\s,[\]]+/).filter(Boolean);
  const lost = 'and a restart forgets those requests (their progress, their deadlines)';
  if (!policies.includes('compact')) {
    problems.push(
      `the state topic ${name} has cleanup.policy=${policy}: it must be compacted, or the broker deletes the state of every request older than its retention ${lost}. Fix: ${configFix(name, 'cleanup.policy=compact')}`,
    );
  } else if (policies.includes('delete')) {
    // compact,delete also deletes by age (7 days unless retention.ms says) or size: harmless only without either.
    const ms = configs['retention.ms'] ?? '604800000';
    const bytes = configs['retention.bytes'] ?? '-1';
    if (ms !== '-1' || bytes !== '-1') {
      const limits = [
        ms === '-1' ? '' : `retention.ms=${ms}`,
        bytes === '-1' ? '' : `retention.bytes=${bytes}`,
      ];
      problems.push(
        `the state topic ${name} has cleanup.policy=${policy} with ${limits.filter(Boolean).join(' and ')}: besides compacting, the broker deletes the state of requests older than that ${lost}. Fix: ${configFix(name, 'cleanup.policy=compact')}`,
      );
    }
  }
  const minIsr = minInsyncReplicas(topic);
  if (replicas >= 3 && minIsr < 2) {
    problems.push(
      `the state topic ${name} has ${replicas} replicas but min.insync.replicas=${minIsr}: a state write may be acknowledged by one replica alone (once the others fall out of sync), and is lost with that broker's disk or when an out-of-sync replica becomes leader; the requests it moved then forget their progress. Fix: ${configFix(name, 'min.insync.replicas=2')}`,
    );
  }
  if (minIsr > replicas) {
    problems.push(
      `the state topic ${name} has min.insync.replicas=${minIsr} but ${replicas} replica${replicas === 1 ? '' : 's'}: the broker refuses every write to it (NOT_ENOUGH_REPLICAS) and no request moves. Fix: ${configFix(name, `min.insync.replicas=${Math.min(2, replicas)}`)}`,
    );
  }
}

function judgeOtherTopic(topic: TopicFacts, warnings: string[]): void {
  const { name, replicationFactor: replicas } = topic;
  const minIsr = minInsyncReplicas(topic);
  if (replicas >= 3 && minIsr < 2) {
    warnings.push(
      `topic ${name} has ${replicas} replicas but min.insync.replicas=${minIsr}: a record may be acknowledged by one replica alone, and is lost with that broker's disk or when an out-of-sync replica becomes leader. Fix: ${configFix(name, 'min.insync.replicas=2')}`,
    );
  }
  if (minIsr > replicas) {
    warnings.push(
      `topic ${name} has min.insync.replicas=${minIsr} but ${replicas} replica${replicas === 1 ? '' : 's'}: the broker refuses every write to it. Fix: ${configFix(name, `min.insync.replicas=${Math.min(2, replicas)}`)}`,
    );
  }
}

/** The broker's default min.insync.replicas is 1. */
function minInsyncReplicas(topic: TopicFacts): number {
  return Number(topic.configs['min.insync.replicas'] ?? '1');
}

function configFix(topic: string, setting: string): string {
  return `kafka-configs.sh --bootstrap-server <broker> --alter --entity-type topics --entity-name ${topic} --add-config ${setting}`;
}
