import { create, toBinary } from '@bufbuild/protobuf';
import { ChangeRequestSchema, PlanSchema, StateRecordSchema } from '@pipeline/contracts';
import { encodeRecord, partitionFor } from '@pipeline/kafka';
import { CRQ, DLQ, PLAN, STATE } from '@pipeline/topics';
import { afterAll, expect, it } from 'vitest';
import { type InProcessOrchestrator, TestPipeline, waitFor } from './support/pipeline.js';

// Issue 10, finding 10: "A state record this version cannot read (one written by a newer version
// during a rolling upgrade) is treated as forgotten: its replies fail as unknown_request."
const pipeline = new TestPipeline(1);
let orch: InProcessOrchestrator | undefined;

afterAll(async () => {
  await orch?.stop();
  await pipeline.close();
});

it('a state record this version cannot read blocks readiness, naming the version, and loses nothing', async () => {
  orch = await pipeline.startInProcess();
  await orch.stop();
  await pipeline.startAudit([DLQ]);
  const id = `future-${Date.now().toString(36)}`;
  // What a newer version might write: a StateRecord of a version this one does not know.
  const future = create(StateRecordSchema, { version: 3, requestId: id, stage: 'plan_phase' });
  await pipeline.sendRecords([
    {
      topic: STATE,
      key: id,
      value: Buffer.from(toBinary(StateRecordSchema, future)),
      headers: {},
      partition: 0,
    },
  ]);
  const plan = create(PlanSchema, { id: `${id}/plan`, parentRequestId: id, taskIds: ['t1'] });
  await pipeline.sendRecords([encodeRecord(PLAN, plan, { key: id, partition: partitionFor(id, 1) })]);
  // Another request on the same partition must not be decided meanwhile either.
  const other = `other-${Date.now().toString(36)}`;
  await pipeline.send(CRQ, create(ChangeRequestSchema, { id: other, repo: 'demo' }), {
    key: other,
  });

  orch = await pipeline.startInProcess({}, { waitReady: false });
  const url = orch.url;
  let detail = '';
  await waitFor(
    async () => {
      const res = await fetch(`${url}/readyz`);
      detail = await res.text();
      return res.status === 503 && /version 3/.test(detail);
    },
    60_000,
    'readiness to name the unreadable version',
  );
  expect(detail).toContain(id);
  // The reply waits for a version that can read its request: it is neither applied nor dead-lettered.
  expect(pipeline.deadLetters(id)).toEqual([]);
  expect(orch.orchestrator.getRequest(other)).toBeUndefined();
});
