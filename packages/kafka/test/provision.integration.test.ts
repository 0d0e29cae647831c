import { ConfigError, type Logger, noopLogger } from '@pipeline/common';
import { uniqueName } from '@pipeline/testkit';
import { CRQ, PLAN, STATE, TopicNames, topicSpecs } from '@pipeline/topics';
import { describe, expect, it } from 'vitest';
import {
  assertPartitionsMatch,
  describeTopics,
  KafkaAdmin,
  PartitionMismatchError,
  provisionPipelineTopics,
  provisionTopics,
} from '../src/index.js';
import { createTestTopics, kafka, uniqueNames } from './support.js';

// One replica: the test broker is a single one, and provisionTopics creates the specs as given.
const specsOf = (partitions: number) =>
  topicSpecs({ partitions, replicationFactor: 1 }).filter((s) => s.name === CRQ || s.name === PLAN);

describe('provisionTopics (real broker)', () => {
  it('creates missing topics, then is idempotent', async () => {
    const client = kafka();
    const names = uniqueNames(CRQ, PLAN);
    const physical = [names.physical(CRQ), names.physical(PLAN)];
    const specs = specsOf(3);

    const first = await provisionTopics(client, specs, { names });
    expect(first).toEqual({ created: physical, existing: [], mismatches: [] });
    assertPartitionsMatch(first);

    const second = await provisionTopics(client, specs, { names });
    expect(second).toEqual({ created: [], existing: physical, mismatches: [] });

    const missingNames = TopicNames.of({ [CRQ]: names.physical(CRQ), [PLAN]: uniqueName('prov-missing') });
    const [a, missing] = await describeTopics(client, [CRQ, PLAN], missingNames);
    expect(a?.name).toBe(names.physical(CRQ));
    expect(a?.exists).toBe(true);
    expect(a?.partitions.map((p) => p.partition)).toEqual([0, 1, 2]);
    expect(a?.partitions.every((p) => p.leader >= 0)).toBe(true);
    expect(a?.configs['cleanup.policy']).toBe('delete');
    expect(a?.configs['retention.ms']).toBe(specs[0]?.configs['retention.ms']);
    expect(missing).toMatchObject({ exists: false, partitions: [], configs: {} });
  });

  it('reports a pre-existing topic with another partition count', async () => {
    const client = kafka();
    const names = uniqueNames(CRQ, PLAN);
    const existing = names.physical(CRQ);
    const fresh = names.physical(PLAN);
    await createTestTopics(client, names, [CRQ], 2);

    const result = await provisionTopics(client, specsOf(4), { names });
    expect(result.created).toEqual([fresh]);
    expect(result.existing).toEqual([existing]);
    expect(result.mismatches).toEqual([{ topic: existing, expectedPartitions: 4, actualPartitions: 2 }]);
    expect(() => assertPartitionsMatch(result)).toThrow(PartitionMismatchError);
    expect(() => assertPartitionsMatch(result)).toThrow(`${existing}: expected 4 partitions, found 2`);
  });

  it('survives concurrent provisioning of the same topics', async () => {
    const names = uniqueNames(CRQ, PLAN);
    const specs = specsOf(2);
    const results = await Promise.all([
      provisionTopics(kafka(), specs, { names }),
      provisionTopics(kafka(), specs, { names }),
    ]);
    for (const r of results) expect(r.mismatches).toEqual([]);
    // Each topic was created exactly once, whoever won.
    expect(results.flatMap((r) => r.created).sort()).toEqual(
      [names.physical(CRQ), names.physical(PLAN)].sort(),
    );
  });
});

// Issue 10, finding 9: the replication factor of the topics created follows the cluster (3, or 1
// on a single broker, said loudly), and an existing state topic that is not compacted is refused
// before anything is created. The test broker is a single one.
describe('issue 10, finding 9: unsafe durability defaults (real broker)', () => {
  it('counts the brokers of the cluster', async () => {
    const admin = await KafkaAdmin.open(kafka(), uniqueNames(CRQ));
    try {
      expect(await admin.brokerCount()).toBe(1);
    } finally {
      await admin.close();
    }
  });

  it('creates single-replica topics on a single broker by default, and says why', async () => {
    const warned: string[] = [];
    const logger: Logger = {
      ...noopLogger,
      warn: (_obj, msg) => warned.push(msg ?? ''),
      child: () => logger,
    };
    const names = uniqueNames(CRQ, STATE);
    const result = await provisionPipelineTopics(kafka(), {
      names,
      logger,
      partitions: 2,
      only: [CRQ, STATE],
    });
    expect(result.replicationFactor).toBe(1);
    expect(result.warnings).toEqual([expect.stringMatching(/not replicated.*the cluster has one broker/)]);
    expect(warned).toEqual(result.warnings);
    const [state] = await describeTopics(kafka(), [STATE], names);
    expect(state?.partitions.map((p) => p.replicas.length)).toEqual([1, 1]);
  });

  it('refuses an existing state topic that is not compacted, before creating the others', async () => {
    const client = kafka();
    const names = uniqueNames(CRQ, STATE);
    await provisionTopics(client, [{ name: STATE, partitions: 1, replicationFactor: 1, configs: {} }], {
      names,
    });
    const provisioning = provisionPipelineTopics(client, { names, partitions: 1, only: [CRQ, STATE] });
    await expect(provisioning).rejects.toThrow(ConfigError);
    await expect(provisioning).rejects.toThrow(`${names.physical(STATE)} has cleanup.policy=delete`);
    const [crq] = await describeTopics(client, [CRQ], names);
    expect(crq?.exists).toBe(false);
  });

  it('refuses more replicas than brokers when they were asked for', async () => {
    const client = kafka();
    const names = uniqueNames(CRQ);
    const provisioning = provisionPipelineTopics(client, { names, replicationFactor: 3, only: [CRQ] });
    await expect(provisioning).rejects.toThrow(/ORCH_REPLICATION_FACTOR=3 .*1 broker/);
    const [crq] = await describeTopics(client, [CRQ], names);
    expect(crq?.exists).toBe(false);
  });
});
