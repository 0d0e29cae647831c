import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from '@bufbuild/protobuf';
import { BuildReportSchema } from '@pipeline/contracts';
import { encodeRecord } from '@pipeline/kafka';
import { BREPORT } from '@pipeline/topics';
import { afterAll, describe, expect, it } from 'vitest';
import { getRequest, type InProcessOrchestrator, TestPipeline, waitFor } from './support/pipeline.js';
import { routedRecord, writeStates } from './support/routed-records.js';

// Issue 14, deliverable 1: an instance keeps in memory only the unfinished requests of the partitions
// it owns; everything else lives in the on-disk state store, checkpointed per state partition, so a
// restart with the same ORCH_STATE_DIR reads only what was written since.

const dirs: string[] = [];
const running: InProcessOrchestrator[] = [];
const pipelines: TestPipeline[] = [];

afterAll(async () => {
  for (const orch of running) await orch.stop().catch(() => {});
  for (const pipeline of pipelines) await pipeline.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function stateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'orchestrator-state-'));
  dirs.push(dir);
  return dir;
}

async function start(pipeline: TestPipeline, extra: Record<string, string>, clock?: () => number) {
  const orch = await pipeline.startInProcess(extra, clock ? { clock } : {});
  running.push(orch);
  return orch;
}

describe('the on-disk state store', () => {
  it('holds finished requests on disk, unfinished ones in memory, and a restart reads only the tail', async () => {
    const pipeline = new TestPipeline(4);
    pipelines.push(pipeline);
    const env = { ORCH_STATE_DIR: stateDir() };
    await (await start(pipeline, env)).stop(); // provisions the topics
    const finished = Array.from({ length: 4500 }, (_, i) => routedRecord(`store-done-${i}`, true));
    const unfinished = Array.from({ length: 500 }, (_, i) => routedRecord(`store-live-${i}`, false));
    await writeStates(pipeline, [...finished, ...unfinished]);

    const cold = await start(pipeline, env);
    const coldRead = cold.orchestrator.storeStats().recordsRead;
    expect(coldRead).toBeGreaterThanOrEqual(5000);
    expect(cold.orchestrator.heldInMemory()).toBe(500);
    expect((await getRequest(cold.url, 'store-done-77')).body).toMatchObject({
      stage: 'regress',
      final: true,
    });
    expect((await getRequest(cold.url, 'store-live-7')).body).toMatchObject({ stage: 'build1' });
    // 100 of the unfinished ones fail their build: they finish, and leave memory once the store has them.
    const failing = unfinished.slice(0, 100).map((r) => r.requestId);
    await pipeline.sendRecords(
      failing.map((id) =>
        encodeRecord(BREPORT, create(BuildReportSchema, { commitSha: `${id}-c1`, status: 'FAILED' }), {
          key: id,
        }),
      ),
    );
    const orchestrator = cold.orchestrator;
    await waitFor(() => orchestrator.heldInMemory() === 400, 30_000, 'finished requests to leave memory');
    expect((await getRequest(cold.url, failing[9] as string)).body).toMatchObject({
      stage: 'regress',
      final: true,
    });
    await cold.stop();

    const later = Array.from({ length: 100 }, (_, i) => routedRecord(`store-later-${i}`, true));
    await writeStates(pipeline, later);
    const warm = await start(pipeline, env);
    const warmRead = warm.orchestrator.storeStats().recordsRead;
    console.log(`[state store] cold start read ${coldRead} state records, warm restart ${warmRead}`);
    // The 100 new records and the barriers of the restores: not the 5,000 before them.
    expect(warmRead).toBeGreaterThanOrEqual(100);
    expect(warmRead).toBeLessThan(500);
    expect(warm.orchestrator.heldInMemory()).toBe(400);
    expect((await getRequest(warm.url, 'store-later-42')).body).toMatchObject({ stage: 'regress' });
    expect((await getRequest(warm.url, 'store-done-4499')).body).toMatchObject({ stage: 'regress' });
    await warm.stop();
  });

  it('forgets finished requests kept on disk once past retention', async () => {
    const pipeline = new TestPipeline(2);
    pipelines.push(pipeline);
    let offsetMs = 0;
    const clock = () => Date.now() + offsetMs;
    const env = { ORCH_STATE_DIR: stateDir(), ORCH_RETENTION: '1m' };
    await (await start(pipeline, env, clock)).stop();
    const ids = Array.from({ length: 20 }, (_, i) => `retained-${i}`);
    await writeStates(
      pipeline,
      ids.map((id) => routedRecord(id, true)),
    );
    const orch = await start(pipeline, env, clock);
    for (const id of ids) expect((await getRequest(orch.url, id)).status, id).toBe(200);
    expect(orch.orchestrator.heldInMemory()).toBe(0);

    offsetMs = 2 * 60_000;
    await waitFor(
      async () => {
        for (const id of ids) if ((await getRequest(orch.url, id)).status !== 404) return false;
        return true;
      },
      30_000,
      'finished requests past retention forgotten',
    );
  });
});
