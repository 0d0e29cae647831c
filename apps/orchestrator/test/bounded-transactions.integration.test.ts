import { create } from '@bufbuild/protobuf';
import { ChangeRequestSchema, PlanSchema } from '@pipeline/contracts';
import { encodeRecord, HEADERS, partitionFor } from '@pipeline/kafka';
import { CRQ, DLQ, PLAN } from '@pipeline/topics';
import { afterAll, describe, expect, it } from 'vitest';
import { getRequest, type InProcessOrchestrator, TestPipeline, waitFor } from './support/pipeline.js';

// Issue 10, finding 2: "A record near the size limit freezes its partition forever", and so does a
// batch whose outputs outgrow the broker's limit (a backlog after an outage). Every transaction must
// stay under the limit; what can never fit goes to the dead-letter topic.
describe('a record near the size limit freezes its partition forever', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const fn of cleanup.reverse()) await fn().catch(() => {});
  });

  it('dead-letters a record that can never fit (a truncated copy with its size and sha256) and goes on', async () => {
    const pipeline = new TestPipeline(1);
    cleanup.push(() => pipeline.close());
    await pipeline.startAudit([DLQ]);
    const orch = await pipeline.startInProcess({ ORCH_STAGE_DEADLINE: 'off' });
    cleanup.push(() => orch.stop());
    const id = `huge-${Date.now().toString(36)}`;
    await pipeline.send(CRQ, create(ChangeRequestSchema, { id, repo: 'demo', branch: 'main' }), { key: id });
    await waitFor(
      async () => (await getRequest(orch.url, id)).body.stage === 'plan_phase',
      60_000,
      'plan_phase',
    );
    // A Plan of ~40,000 tasks, just under the broker's 1 MB limit: it fits on plan.out, but neither
    // its dead letter (more headers) nor what applying it would write can fit in a transaction.
    const taskIds = Array.from({ length: 39_900 }, (_, i) => `t-${String(i).padStart(22, '0')}`);
    const plan = create(PlanSchema, { id: `${id}/plan`, parentRequestId: id, taskIds });
    const record = encodeRecord(PLAN, plan, { key: id });
    expect(record.value.length).toBeGreaterThan(1_000_000);
    await pipeline.sendRecords([record]);
    const next = `after-huge-${Date.now().toString(36)}`;
    await pipeline.send(CRQ, create(ChangeRequestSchema, { id: next, repo: 'demo', branch: 'main' }), {
      key: next,
    });
    await waitFor(async () => (await getRequest(orch.url, next)).status === 200, 60_000, 'the next request');
    await waitFor(() => pipeline.deadLetters(id).length === 1, 30_000, 'the dead letter');
    const [letter] = pipeline.deadLetters(id);
    expect(letter?.headers[HEADERS.dlqReason]).toBe('too_large');
    expect(Number(letter?.headers['x-dlq-original-bytes'])).toBe(record.value.length);
    expect(letter?.headers['x-dlq-original-sha256']).toMatch(/^[0-9a-f]{64}$/);
    expect((await getRequest(orch.url, id)).body.stage).toBe('plan_phase');
  });

  it('takes a backlog of more than 2 MiB of change requests in transactions under the limit', async () => {
    const pipeline = new TestPipeline(1);
    cleanup.push(() => pipeline.close());
    // Topics first, then the backlog while no orchestrator runs, then the orchestrator.
    const first = await pipeline.startInProcess();
    await first.stop();
    const ids = Array.from({ length: 1200 }, (_, i) => `backlog-${Date.now().toString(36)}-${i}`);
    // Input batches just under 1 MB (what one fetch returns); the state records written for them are
    // bigger than their inputs, so one transaction per fetch would exceed the limit.
    const description = 'd'.repeat(3100);
    for (let i = 0; i < ids.length; i += 300) {
      await pipeline.sendRecords(
        ids.slice(i, i + 300).map((id) =>
          encodeRecord(CRQ, create(ChangeRequestSchema, { id, repo: 'demo', branch: 'main', description }), {
            key: id,
            partition: partitionFor(id, 1),
          }),
        ),
      );
    }
    const orch: InProcessOrchestrator = await pipeline.startInProcess({ ORCH_STAGE_DEADLINE: 'off' });
    cleanup.push(() => orch.stop());
    await waitFor(
      () => ids.every((id) => orch.orchestrator.getRequest(id) !== undefined),
      120_000,
      'every request of the backlog to start',
    );
    const metrics = await (await fetch(`${orch.url}/metrics`)).text();
    expect(metrics).not.toMatch(/^orch_transaction_failures_total\{[^}]*\} [1-9]/m);
  });
});
