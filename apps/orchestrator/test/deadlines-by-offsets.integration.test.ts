import { create } from '@bufbuild/protobuf';
import { ChangeRequestSchema, PlanSchema } from '@pipeline/contracts';
import { encodeRecord, type OutboundRecord, partitionFor } from '@pipeline/kafka';
import { CRQ, PLAN } from '@pipeline/topics';
import { afterAll, expect, it } from 'vitest';
import { getRequest, type InProcessOrchestrator, TestPipeline, waitFor } from './support/pipeline.js';

// Issue 10, finding 7: "Deadlines beat replies waiting in the backlog": a 5 s wall-clock grace
// released deadlines; after an outage longer than a deadline, requests regressed although their
// on-time reply was unread.
const pipeline = new TestPipeline(1);
let orch: InProcessOrchestrator | undefined;
afterAll(async () => {
  await orch?.stop();
  await pipeline.close();
});

it('a reply written before the deadline wins over it, however long the backlog in front of it', async () => {
  orch = await pipeline.startInProcess({ ORCH_STAGE_DEADLINE: '1h', ORCH_SWEEP_INTERVAL: '100ms' });
  const id = `on-time-${Date.now().toString(36)}`;
  await pipeline.send(CRQ, create(ChangeRequestSchema, { id, repo: 'demo', branch: 'main' }), { key: id });
  await waitFor(
    async () => (await getRequest(orch?.url ?? '', id)).body.stage === 'plan_phase',
    60_000,
    'plan_phase',
  );
  await orch.stop();

  // While no orchestrator runs: a backlog of junk on plan.out, then the plan, on time.
  const junk: OutboundRecord[] = Array.from({ length: 6000 }, (_, i) => ({
    topic: PLAN,
    key: `junk-${i}`,
    value: Buffer.from([0x0f, 0xff]),
    headers: {},
    partition: 0,
  }));
  for (let i = 0; i < junk.length; i += 1000) await pipeline.sendRecords(junk.slice(i, i + 1000));
  const plan = create(PlanSchema, { id: `${id}/plan`, parentRequestId: id, taskIds: ['t1'] });
  await pipeline.sendRecords([encodeRecord(PLAN, plan, { key: id, partition: partitionFor(id, 1) })]);

  // Back two hours later: the deadline passed during the outage, but the reply was written in time.
  const later = Date.now() + 2 * 3_600_000;
  orch = await pipeline.startInProcess(
    { ORCH_STAGE_DEADLINE: '1h', ORCH_SWEEP_INTERVAL: '100ms' },
    {
      clock: () => later + (Date.now() % 1000),
    },
  );
  await waitFor(
    async () => (await getRequest(orch?.url ?? '', id)).body.stage !== 'plan_phase',
    120_000,
    'the plan',
  );
  expect((await getRequest(orch.url, id)).body.stage).toBe('code_phase');
});
