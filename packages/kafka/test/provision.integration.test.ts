import { createTopics, uniqueName } from '@pipeline/testkit';
import { describe, expect, it } from 'vitest';
import {
  assertPartitionsMatch,
  describeTopics,
  PartitionMismatchError,
  provisionTopics,
} from '../src/index.js';
import { kafka, testSpecs } from './support.js';

describe('provisionTopics (real broker)', () => {
  it('creates missing topics, then is idempotent', async () => {
    const client = kafka();
    const names = [uniqueName('prov-a'), uniqueName('prov-b')];
    const specs = testSpecs(names, 3);

    const first = await provisionTopics(client, specs);
    expect(first).toEqual({ created: names, existing: [], mismatches: [] });
    assertPartitionsMatch(first);

    const second = await provisionTopics(client, specs);
    expect(second).toEqual({ created: [], existing: names, mismatches: [] });

    const [a, missing] = await describeTopics(client, [names[0] as string, uniqueName('prov-missing')]);
    expect(a?.exists).toBe(true);
    expect(a?.partitions.map((p) => p.partition)).toEqual([0, 1, 2]);
    expect(a?.partitions.every((p) => p.leader >= 0)).toBe(true);
    expect(a?.configs['cleanup.policy']).toBe('delete');
    expect(a?.configs['retention.ms']).toBe(specs[0]?.configs['retention.ms']);
    expect(missing).toMatchObject({ exists: false, partitions: [], configs: {} });
  });

  it('reports a pre-existing topic with another partition count', async () => {
    const client = kafka();
    const existing = uniqueName('prov-existing');
    const fresh = uniqueName('prov-fresh');
    await createTopics(client, [existing], 2);

    const result = await provisionTopics(client, testSpecs([existing, fresh], 4));
    expect(result.created).toEqual([fresh]);
    expect(result.existing).toEqual([existing]);
    expect(result.mismatches).toEqual([{ topic: existing, expectedPartitions: 4, actualPartitions: 2 }]);
    expect(() => assertPartitionsMatch(result)).toThrow(PartitionMismatchError);
    expect(() => assertPartitionsMatch(result)).toThrow(`${existing}: expected 4 partitions, found 2`);
  });

  it('survives concurrent provisioning of the same topics', async () => {
    const names = [uniqueName('prov-race-a'), uniqueName('prov-race-b')];
    const specs = testSpecs(names, 2);
    const results = await Promise.all([provisionTopics(kafka(), specs), provisionTopics(kafka(), specs)]);
    for (const r of results) expect(r.mismatches).toEqual([]);
    // Each topic was created exactly once, whoever won.
    expect(results.flatMap((r) => r.created).sort()).toEqual([...names].sort());
  });
});
