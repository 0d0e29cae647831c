import { create } from '@bufbuild/protobuf';
import { BuildReportSchema, ChangeRequestSchema, CommitResultSchema, PlanSchema } from '@pipeline/contracts';
import { encodeRecord, partitionFor } from '@pipeline/kafka';
import { BREPORT, CRES, CRQ, PLAN, STATE } from '@pipeline/topics';
import { afterAll, expect, it } from 'vitest';
import type { Inbound } from '../src/domain/correlate.js';
import { type RequestRecord, stageOf } from '../src/domain/request-record.js';
import { route } from '../src/domain/route.js';
import { encodeState } from '../src/domain/state-record.js';
import { getRequest, type InProcessOrchestrator, TestPipeline, waitFor } from './support/pipeline.js';

const pipeline = new TestPipeline(12);
let orch: InProcessOrchestrator | undefined;

afterAll(async () => {
  await orch?.stop();
  await pipeline.close();
});

/** A realistic record, made by the router itself: `done`, or waiting for its first build. */
function recordFor(id: string, finished: boolean): RequestRecord {
  const steps: Inbound[] = [
    {
      topic: CRQ,
      message: create(ChangeRequestSchema, { id, repo: 'demo', branch: 'main', description: 'restore' }),
    },
    { topic: PLAN, message: create(PlanSchema, { id: `${id}/plan`, parentRequestId: id, taskIds: ['t1'] }) },
    {
      topic: CRES,
      message: create(CommitResultSchema, { taskId: 't1', commitSha: `${id}-c1`, status: 'SUCCESS' }),
    },
  ];
  if (finished)
    steps.push({
      topic: BREPORT,
      message: create(BuildReportSchema, { commitSha: `${id}-c1`, status: 'FAILED' }),
    });
  let record: RequestRecord | undefined;
  for (const step of steps) {
    const result = route(record, id, step, { now: Date.now() });
    if (result.kind !== 'applied') throw new Error(result.detail);
    record = result.record;
  }
  return record as RequestRecord;
}

it('restores 10,000 finished and in-flight requests from the state topic, then carries on', async () => {
  // Topics first (an orchestrator start provisions them), then 10,000 states written behind its back.
  orch = await pipeline.startInProcess();
  await orch.stop();
  const total = 10_000;
  const inFlight = Array.from({ length: 1000 }, (_, i) => `restore-live-${i}`);
  const finished = Array.from({ length: total - inFlight.length }, (_, i) => `restore-done-${i}`);
  const all = [...finished.map((id) => recordFor(id, true)), ...inFlight.map((id) => recordFor(id, false))];
  for (let i = 0; i < all.length; i += 1000) {
    await pipeline.sendRecords(
      all.slice(i, i + 1000).map((r) => ({
        topic: STATE,
        key: r.requestId,
        value: encodeState(r),
        headers: {},
        partition: partitionFor(r.requestId, pipeline.partitions),
      })),
    );
  }

  const started = Date.now();
  orch = await pipeline.startInProcess();
  const restoreMs = Date.now() - started;
  console.log(
    `[restore] ${total} requests (${finished.length} finished, ${inFlight.length} in flight) restored; ready in ${restoreMs} ms`,
  );

  expect((await getRequest(orch.url, finished[123] as string)).body).toMatchObject({
    stage: 'regress',
    final: true,
  });
  expect((await getRequest(orch.url, inFlight[7] as string)).body).toMatchObject({ stage: 'build1' });
  // The in-flight ones continue where they were.
  await pipeline.sendRecords(
    inFlight.map((id) =>
      encodeRecord(BREPORT, create(BuildReportSchema, { commitSha: `${id}-c1`, status: 'PASSED' }), {
        key: id,
      }),
    ),
  );
  const orchestrator = orch.orchestrator;
  await waitFor(
    () =>
      inFlight.every((id) => {
        const record = orchestrator.getRequest(id);
        return record !== undefined && stageOf(record) === 'test_plan';
      }),
    60_000,
    'in-flight to move on',
  );
});
