import { describe, expect, it } from 'vitest';
import {
  type ClusterFacts,
  CRQ,
  DEFAULT_REPLICATION_FACTOR,
  type DurabilityDecision,
  decideDurability,
  PLAN,
  STATE,
  type TopicFacts,
  topicSpecs,
} from '../src/index.js';

const COMPACTED = { 'cleanup.policy': 'compact', 'min.insync.replicas': '2' };
const cluster = (brokers: number, topics: TopicFacts[] = []): ClusterFacts => ({ brokers, topics });
const state = (replicationFactor: number, configs: Record<string, string> = COMPACTED): TopicFacts => ({
  topic: STATE,
  name: `prod.${STATE}`,
  replicationFactor,
  configs,
});
const input = (replicationFactor: number, configs: Record<string, string> = {}): TopicFacts => ({
  topic: CRQ,
  name: `prod.${CRQ}`,
  replicationFactor,
  configs: {
    'cleanup.policy': 'delete',
    'min.insync.replicas': String(Math.min(2, replicationFactor)),
    ...configs,
  },
});

function accepted(decision: DurabilityDecision): { replicationFactor: number; warnings: string[] } {
  if (!decision.ok) throw new Error(`expected no problem, got:\n${decision.problems.join('\n')}`);
  return { replicationFactor: decision.replicationFactor, warnings: decision.warnings };
}

function refused(decision: DurabilityDecision): string[] {
  if (decision.ok) throw new Error(`expected problems, got replication factor ${decision.replicationFactor}`);
  return decision.problems;
}

describe('issue 10, finding 9: unsafe durability defaults', () => {
  describe('the replication factor of the topics it creates', () => {
    it('is 3 by default, on a cluster of 3 or more brokers, without a warning', () => {
      expect(DEFAULT_REPLICATION_FACTOR).toBe(3);
      expect(accepted(decideDurability(cluster(3)))).toEqual({ replicationFactor: 3, warnings: [] });
      expect(accepted(decideDurability(cluster(5))).replicationFactor).toBe(3);
      // The specs follow: 3 replicas, and a write needs 2 of them.
      const spec = topicSpecs().find((s) => s.name === STATE);
      expect(spec?.replicationFactor).toBe(3);
      expect(spec?.configs['min.insync.replicas']).toBe('2');
    });

    it('is 1 on a cluster of one broker, said loudly: not replicated, and why', () => {
      const { replicationFactor, warnings } = accepted(decideDurability(cluster(1)));
      expect(replicationFactor).toBe(1);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/not replicated/);
      expect(warnings[0]).toMatch(/the cluster has one broker/);
    });

    it('is 1 with ORCH_ALLOW_SINGLE_REPLICA=true, said loudly, on any cluster', () => {
      const { replicationFactor, warnings } = accepted(
        decideDurability(cluster(3), { allowSingleReplica: true }),
      );
      expect(replicationFactor).toBe(1);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/not replicated/);
      expect(warnings[0]).toContain('ORCH_ALLOW_SINGLE_REPLICA=true');
      // An explicit factor still wins over the allowance.
      expect(
        accepted(decideDurability(cluster(3), { allowSingleReplica: true, replicationFactor: 2 })),
      ).toEqual({ replicationFactor: 2, warnings: [] });
    });

    it('stops a cluster of 2 brokers with the default 3, saying what to set', () => {
      const problems = refused(decideDurability(cluster(2)));
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/2 brokers/);
      expect(problems[0]).toContain('ORCH_REPLICATION_FACTOR=2');
      expect(problems[0]).toContain('ORCH_ALLOW_SINGLE_REPLICA=true');
      expect(accepted(decideDurability(cluster(2), { replicationFactor: 2 }))).toEqual({
        replicationFactor: 2,
        warnings: [],
      });
    });

    it('never lowers a factor that was asked for: more replicas than brokers stops the start', () => {
      // A production cluster with brokers down at start must not get single-replica topics.
      const problems = refused(decideDurability(cluster(1), { replicationFactor: 3 }));
      expect(problems[0]).toContain('ORCH_REPLICATION_FACTOR=3');
      expect(problems[0]).toMatch(/1 broker/);
      expect(refused(decideDurability(cluster(4), { replicationFactor: 5 }))[0]).toContain(
        'ORCH_REPLICATION_FACTOR=4',
      );
    });

    it('refuses a single replica on a cluster of several brokers unless it is allowed', () => {
      const problems = refused(decideDurability(cluster(3), { replicationFactor: 1 }));
      expect(problems[0]).toContain('ORCH_REPLICATION_FACTOR=1');
      expect(problems[0]).toContain('ORCH_ALLOW_SINGLE_REPLICA=true');
      const allowed = accepted(
        decideDurability(cluster(3), { replicationFactor: 1, allowSingleReplica: true }),
      );
      expect(allowed.replicationFactor).toBe(1);
      expect(allowed.warnings[0]).toMatch(/not replicated/);
      // One broker: a single replica is all there can be, allowed or not.
      expect(accepted(decideDurability(cluster(1), { replicationFactor: 1 })).replicationFactor).toBe(1);
    });

    it('names the fix in the words of the caller (the CLI has flags)', () => {
      const spelling = {
        replicationFactor: (n: number) => `--replication-factor ${n}`,
        allowSingleReplica: '--allow-single-replica',
      };
      const problems = refused(decideDurability(cluster(2), { spelling }));
      expect(problems[0]).toContain('--replication-factor 2');
      expect(problems[0]).toContain('--allow-single-replica');
      expect(problems[0]).not.toContain('ORCH_');
    });

    it('is not judged when nothing is created (ORCH_PROVISION_TOPICS=false)', () => {
      expect(accepted(decideDurability(cluster(2), { creates: false })).warnings).toEqual([]);
    });
  });

  describe('an existing state topic', () => {
    it('must be compacted: cleanup.policy=delete stops the start, naming the topic, the value and the fix', () => {
      const problems = refused(decideDurability(cluster(1, [state(1, { 'cleanup.policy': 'delete' })])));
      expect(problems).toHaveLength(1);
      expect(problems[0]).toContain(`prod.${STATE}`);
      expect(problems[0]).toContain('cleanup.policy=delete');
      expect(problems[0]).toContain(
        `kafka-configs.sh --bootstrap-server <broker> --alter --entity-type topics --entity-name prod.${STATE} --add-config cleanup.policy=compact`,
      );
      // Also when it is not the orchestrator that would create the topics.
      expect(
        refused(decideDurability(cluster(1, [state(1, { 'cleanup.policy': 'delete' })]), { creates: false })),
      ).toHaveLength(1);
    });

    it('may not also delete by age or size: compact,delete with a retention loses old state too', () => {
      const deleting = { 'cleanup.policy': 'compact,delete', 'retention.ms': '604800000' };
      const problems = refused(decideDurability(cluster(1, [state(1, deleting)])));
      expect(problems[0]).toContain('cleanup.policy=compact,delete');
      expect(problems[0]).toContain('retention.ms=604800000');
      expect(problems[0]).toContain('--add-config cleanup.policy=compact');
      const forever = { 'cleanup.policy': 'compact,delete', 'retention.ms': '-1', 'retention.bytes': '-1' };
      expect(accepted(decideDurability(cluster(1, [state(1, forever)]))).replicationFactor).toBe(1);
    });

    it('with 3 or more replicas needs min.insync.replicas >= 2', () => {
      const lax = state(3, { 'cleanup.policy': 'compact', 'min.insync.replicas': '1' });
      const problems = refused(decideDurability(cluster(3, [lax])));
      expect(problems).toHaveLength(1);
      expect(problems[0]).toContain(`prod.${STATE}`);
      expect(problems[0]).toContain('min.insync.replicas=1');
      expect(problems[0]).toContain(`--entity-name prod.${STATE} --add-config min.insync.replicas=2`);
      expect(accepted(decideDurability(cluster(3, [state(3)]))).replicationFactor).toBe(3);
      // Fewer replicas: min.insync.replicas=1 is all a single replica can give.
      const single = state(1, { 'cleanup.policy': 'compact', 'min.insync.replicas': '1' });
      expect(accepted(decideDurability(cluster(1, [single]))).replicationFactor).toBe(1);
    });

    it('may not need more in-sync replicas than it has: every write would be refused', () => {
      const stuck = state(2, { 'cleanup.policy': 'compact', 'min.insync.replicas': '3' });
      const problems = refused(decideDurability(cluster(3, [stuck]), { replicationFactor: 3 }));
      expect(problems[0]).toContain('min.insync.replicas=3');
      expect(problems[0]).toContain('--add-config min.insync.replicas=2');
    });

    it('reports every problem at once: the settings and the topic', () => {
      const problems = refused(decideDurability(cluster(2, [state(2, { 'cleanup.policy': 'delete' })])));
      expect(problems).toHaveLength(2);
    });
  });

  describe('other existing topics', () => {
    it('with a single replica on a cluster of several brokers: a warning, not a refusal', () => {
      const { warnings } = accepted(decideDurability(cluster(3, [input(1), state(3)])));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(`prod.${CRQ}`);
      expect(warnings[0]).toMatch(/single replica/);
    });

    it('with 3 replicas and min.insync.replicas=1: a warning naming the fix', () => {
      const plan: TopicFacts = {
        ...input(3, { 'min.insync.replicas': '1' }),
        topic: PLAN,
        name: `prod.${PLAN}`,
      };
      const { warnings } = accepted(decideDurability(cluster(3, [plan])));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(`prod.${PLAN}`);
      expect(warnings[0]).toContain('min.insync.replicas=2');
    });

    it('are not checked for compaction: only the state topic keeps state', () => {
      expect(accepted(decideDurability(cluster(3, [input(3)])))).toEqual({
        replicationFactor: 3,
        warnings: [],
      });
    });
  });
});
