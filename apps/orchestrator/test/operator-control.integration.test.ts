// Issue 13, against the real broker: an operator's cancel stops the coder at work (its handler's
// signal fires through agent.cancel.in) and regresses the request with `cancelled`; a request whose
// agent reports more tokens than its budget regresses with `budget_exceeded` and its coder is stopped
// too. The coder is written with the agent SDK; the other roles are the scripted agents.
import { create } from '@bufbuild/protobuf';
import { type Agent, CancelledError } from '@pipeline/agent';
import { sleep } from '@pipeline/common';
import { ChangeRequestSchema, CommitResultSchema, ControlCommandSchema } from '@pipeline/contracts';
import type { RequestView } from '@pipeline/orchestrator-api';
import {
  BUILD_REQ,
  CANCEL,
  CONTROL,
  CRQ,
  DEEP,
  DLQ,
  ORCHESTRATOR_OUTPUTS,
  REG,
  TASK,
} from '@pipeline/topics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getRequest, type InProcessOrchestrator, TestPipeline, waitFor } from './support/pipeline.js';
import { ScriptedAgents } from './support/responder.js';
import { startSdkCoder } from './support/sdk-coder.js';

const pipeline = new TestPipeline(2);
// The SDK coder below answers for every request; redrive-* fails its first build 1 only.
const agents = new ScriptedAgents(pipeline, (id) =>
  id.startsWith('redrive') ? { silent: 'coder', failAt: 'build1', flaky: true } : { silent: 'coder' },
);
const tag = Date.now().toString(36);
let orch: InProcessOrchestrator;
let coder: Agent<'coder'>;
/** Why each request's coder stopped: the reason its signal fired with. */
const stopped = new Map<string, unknown>();
const working = new Set<string>();

beforeAll(async () => {
  await pipeline.startAudit([...ORCHESTRATOR_OUTPUTS, DLQ]);
  orch = await pipeline.startInProcess({ ORCH_APPROVAL_TIMEOUT: '3s' });
  await agents.start();
  coder = await startSdkCoder(pipeline, async (bundle, { requestId, progress, signal }) => {
    working.add(requestId);
    if (requestId.startsWith('redrive') || requestId.startsWith('gate')) {
      return bundle.taskIds.map((taskId) =>
        create(CommitResultSchema, { taskId, commitSha: `${taskId}-sha`, status: 'SUCCESS' }),
      );
    }
    // Works for ever, reporting 400 more tokens a second, until it is told to stop.
    try {
      for (let s = 1; ; s++) {
        await sleep(1000, signal);
        progress({ note: `step ${s}`, usage: { inputTokens: 400 * s } });
      }
    } catch (error) {
      stopped.set(requestId, signal.reason);
      throw error;
    }
  });
}, 180_000);

afterAll(async () => {
  await coder?.stop();
  await agents.stop();
  await orch?.stop();
  await pipeline.close();
});

const view = async (id: string) => (await getRequest(orch.url, id)).body as unknown as RequestView;

async function submit(
  id: string,
  budget?: { maxTokens: bigint },
  approvalStages: string[] = [],
): Promise<void> {
  const message = create(ChangeRequestSchema, {
    id,
    repo: 'demo',
    branch: 'main',
    approvalStages,
    ...(budget ? { budget } : {}),
  });
  await pipeline.send(CRQ, message, { key: id });
}

describe('operators in control', () => {
  it('a request cancelled mid-coding stops its coder and regresses with cancelled', async () => {
    const id = `cancel-${tag}`;
    await submit(id);
    await waitFor(() => working.has(id), 60_000, 'the coder at work');
    const cancel = create(ControlCommandSchema, {
      requestId: id,
      requestedBy: 'ann',
      reason: 'wrong repository',
      action: { case: 'cancel', value: {} },
    });
    await pipeline.send(CONTROL, cancel, { key: id });
    await waitFor(async () => (await view(id)).final, 60_000, 'the cancel decided');
    const cancelled = await view(id);
    expect(cancelled.failure).toMatchObject({ stage: 'code_phase', reason: 'cancelled' });
    expect(cancelled.decisions).toMatchObject([{ action: 'cancel', by: 'ann', reason: 'wrong repository' }]);
    await waitFor(() => pipeline.on(CANCEL, id).length === 1, 60_000, 'the AgentCancel written');
    expect(pipeline.on(REG, id).map((t) => t.message.reason)).toEqual(['cancelled']);
    expect(pipeline.on(CANCEL, id).map((c) => c.message)).toMatchObject([
      { stage: 'code_phase', reason: 'cancelled' },
    ]);
    // The coder heard it: its handler's signal fired with the cancel.
    await waitFor(() => stopped.has(id), 60_000, 'the coder stopped');
    expect(stopped.get(id)).toBeInstanceOf(CancelledError);
    // A second cancel of a final request changes nothing: dead-lettered as final_stage.
    await pipeline.send(CONTROL, cancel, { key: id });
    await waitFor(() => pipeline.deadLetters(id).length === 1, 60_000, 'the second cancel refused');
    expect(pipeline.deadLetters(id)[0]?.headers['x-dlq-reason']).toBe('final_stage');
  });

  it('a request over its token budget regresses with budget_exceeded, and its coder is stopped', async () => {
    const id = `budget-${tag}`;
    await submit(id, { maxTokens: 1000n });
    await waitFor(async () => (await view(id)).final, 60_000, 'the budget spent');
    const spent = await view(id);
    expect(spent.failure).toMatchObject({ stage: 'code_phase', reason: 'budget_exceeded' });
    expect(spent.failure?.detail).toBe('budget exceeded: 1200 tokens spent, the budget is 1000');
    expect(spent.budget).toEqual({ maxTokens: 1000 });
    await waitFor(() => pipeline.on(REG, id).length === 1, 60_000, 'the ticket written');
    expect(pipeline.on(REG, id).map((t) => t.message.reason)).toEqual(['budget_exceeded']);
    await waitFor(() => stopped.has(id), 60_000, 'the coder stopped');
    expect(stopped.get(id)).toBeInstanceOf(CancelledError);
  });

  it('a request regressed at build 1 is redriven and reaches done without a new plan or new commits', async () => {
    const id = `redrive-${tag}`;
    await submit(id);
    await waitFor(async () => (await view(id)).final, 60_000, 'the failed build');
    expect((await view(id)).failure).toMatchObject({ stage: 'build1', reason: 'build_failed' });
    const retry = create(ControlCommandSchema, {
      requestId: id,
      requestedBy: 'ann',
      reason: 'flaky build',
      action: { case: 'retry', value: {} },
    });
    await pipeline.send(CONTROL, retry, { key: id });
    await waitFor(async () => (await view(id)).stage === 'done', 60_000, 'the redriven request done');
    const done = await view(id);
    expect(done.attempt).toBe(2);
    expect(done.decisions).toMatchObject([
      { action: 'retry', by: 'ann', reason: 'flaky build', stage: 'regress' },
    ]);
    expect(done.history.map((h) => h.stage)).toEqual([
      'idle',
      'plan_phase',
      'code_phase',
      'build1',
      'regress',
      'build1',
      'test_plan',
      'test_build',
      'build2',
      'done',
    ]);
    await waitFor(() => pipeline.on(BUILD_REQ, id).length === 3, 60_000, 'every build command audited');
    // One plan, one coding command: the retry reused them; build 1 ran twice, each with its attempt.
    expect(pipeline.on(DEEP, id)).toHaveLength(1);
    expect(pipeline.on(TASK, id)).toHaveLength(1);
    expect(pipeline.on(BUILD_REQ, id).map((b) => [b.message.round, b.message.attempt])).toEqual([
      [1, 1],
      [1, 2],
      [2, 2],
    ]);
  });

  it('a gated request waits, is approved and finishes; another is rejected; a third times out and is rejected', async () => {
    const [ok, no, late] = ['ok', 'no', 'late'].map((name) => `gate-${name}-${tag}`) as [
      string,
      string,
      string,
    ];
    for (const id of [ok, no, late]) await submit(id, undefined, ['code_phase']);
    await waitFor(
      async () =>
        (await Promise.all([ok, no].map(view))).every((v) => v.awaitingApproval?.stage === 'code_phase'),
      60_000,
      'two requests waiting',
    );
    // Nothing was sent to the coder while they wait.
    expect(pipeline.on(TASK, ok)).toEqual([]);
    const decide = (id: string, action: 'approve' | 'reject') =>
      pipeline.send(
        CONTROL,
        create(ControlCommandSchema, {
          requestId: id,
          requestedBy: 'ann',
          reason: 'reviewed',
          action: { case: action, value: {} },
        }),
        { key: id },
      );
    await decide(ok, 'approve');
    await decide(no, 'reject');
    await waitFor(
      async () => (await Promise.all([ok, no, late].map(view))).every((v) => v.final),
      60_000,
      'all three decided',
    );
    const approved = await view(ok);
    expect(approved.stage).toBe('done');
    expect(approved.decisions).toMatchObject([{ action: 'approve', by: 'ann', stage: 'code_phase' }]);
    expect((await view(no)).failure).toMatchObject({ stage: 'code_phase', reason: 'rejected' });
    const timedOut = await view(late);
    expect(timedOut.failure).toMatchObject({ stage: 'code_phase', reason: 'rejected' });
    expect(timedOut.failure?.detail).toMatch(/^approval of code_phase timed out after \d+s \(limit 3s\)$/);
    expect(pipeline.on(TASK, late)).toEqual([]);
  });
});
