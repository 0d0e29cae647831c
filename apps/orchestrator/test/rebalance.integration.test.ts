import { afterAll, describe, expect, it } from 'vitest';
import type { InProcessOrchestrator } from './support/pipeline.js';
import { TestPipeline, waitFor } from './support/pipeline.js';

// Issue 10, finding 12 ("rebalances are stop-the-world and not sticky"): every assignment restored
// every partition, also those the instance kept, and the assigner moved most partitions on any join.
const pipeline = new TestPipeline(6);
const running: InProcessOrchestrator[] = [];
afterAll(async () => {
  for (const o of running.reverse()) await o.stop().catch(() => {});
  await pipeline.close();
});

const owned = (o: InProcessOrchestrator) =>
  [...(o.orchestrator.readiness().detail.partitions as Array<{ partition: number }>)].map((p) => p.partition);

async function restores(o: InProcessOrchestrator): Promise<number> {
  const metric = await o.orchestrator.metrics.restores.get();
  return metric.values.find((v) => v.labels.outcome === 'succeeded')?.value ?? 0;
}

describe('issue 10, finding 12: rebalances', () => {
  it('a join moves only the newcomer’s share, and the partitions an instance keeps are not restored again', async () => {
    const first = await pipeline.startInProcess();
    running.push(first);
    expect(owned(first)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(await restores(first)).toBe(6);

    const second = await pipeline.startInProcess({}, { waitReady: false });
    running.push(second);
    await waitFor(
      () =>
        owned(second).length === 3 &&
        owned(first).length === 3 &&
        first.orchestrator.readiness().ready &&
        second.orchestrator.readiness().ready,
      120_000,
      'the two instances to share the partitions and be ready',
    );
    // The first instance kept three partitions with their state: no restore for them.
    expect(await restores(first)).toBe(6);
    expect(await restores(second)).toBe(3);

    // A third instance takes one partition from each: the others keep theirs.
    const before = { first: owned(first), second: owned(second) };
    const third = await pipeline.startInProcess({}, { waitReady: false });
    running.push(third);
    await waitFor(
      () => [first, second, third].every((o) => owned(o).length === 2 && o.orchestrator.readiness().ready),
      120_000,
      'three instances with two partitions each, ready',
    );
    for (const n of owned(first)) expect(before.first).toContain(n);
    for (const n of owned(second)) expect(before.second).toContain(n);
    expect(await restores(first)).toBe(6);
    expect(await restores(second)).toBe(3);
  });
});
