import { create } from '@bufbuild/protobuf';
import { BuildReportSchema } from '@pipeline/contracts';
import { encodeRecord } from '@pipeline/kafka';
import { BREPORT } from '@pipeline/topics';
import { afterAll, expect, it } from 'vitest';
import { stageOf } from '../src/domain/request-record.js';
import { getRequest, type InProcessOrchestrator, TestPipeline, waitFor } from './support/pipeline.js';
import { routedRecord, writeStates } from './support/routed-records.js';

const pipeline = new TestPipeline(12);
let orch: InProcessOrchestrator | undefined;

afterAll(async () => {
  await orch?.stop();
  await pipeline.close();
});

it('restores 10,000 finished and in-flight requests from the state topic, then carries on', async () => {
  // Topics first (an orchestrator start provisions them), then 10,000 states written behind its back.
  orch = await pipeline.startInProcess();
  await orch.stop();
  const total = 10_000;
  const inFlight = Array.from({ length: 1000 }, (_, i) => `restore-live-${i}`);
  const finished = Array.from({ length: total - inFlight.length }, (_, i) => `restore-done-${i}`);
  const all = [
    ...finished.map((id) => routedRecord(id, true)),
    ...inFlight.map((id) => routedRecord(id, false)),
  ];
  await writeStates(pipeline, all);

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
