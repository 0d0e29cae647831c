import { uniqueName } from '@pipeline/testkit';
import { CRQ, PLAN, TopicNames, topicSpecs } from '@pipeline/topics';
import { describe, expect, it } from 'vitest';
import {
  assertPartitionsMatch,
  describeTopics,
  PartitionMismatchError,
  provisionTopics,
} from '../src/index.js';
import { createTestTopics, kafka, uniqueNames } from './support.js';

const specsOf = (partitions: number) =>
  topicSpecs({ partitions }).filter((s) => s.name === CRQ || s.name === PLAN);

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
