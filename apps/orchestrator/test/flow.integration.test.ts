import { create } from '@bufbuild/protobuf';
import { BuildReportSchema, ChangeRequestSchema, CommitResultSchema } from '@pipeline/contracts';
import { HEADERS } from '@pipeline/kafka';
import {
  BUILD_REQ,
  CRQ,
  DEEP,
  ORCHESTRATOR_INPUTS,
  REG,
  TASK,
  TGEN_REQ,
  type Topic,
  TPLAN_REQ,
} from '@pipeline/topics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getRequest, type InProcessOrchestrator, TestPipeline, waitFor } from './support/pipeline.js';
import { type Script, ScriptedAgents } from './support/responder.js';

// One orchestrator and one set of scripted agents for the whole file; each test uses its own
// request ids, and the script is chosen by a marker in the id.
const scripts: Record<string, Script> = {
  happy: {},
  tasks20: { tasks: 20 },
  keyless: { keyless: true, tasks: 3 },
  'fail-coder': { failAt: 'coder' },
  'fail-build1': { failAt: 'build1' },
  'fail-precheck': { failAt: 'precheck' },
  'fail-build2': { failAt: 'build2' },
  manual: { silent: 'planner' },
  forge: { silent: 'builder', tasks: 1 },
};
const scriptOf = (id: string): Script => scripts[id.split(':')[0] ?? ''] ?? {};

const pipeline = new TestPipeline(4);
const agents = new ScriptedAgents(pipeline, scriptOf);
let orch: InProcessOrchestrator;
let n = 0;
const newId = (script: string) => `${script}:${Date.now().toString(36)}-${n++}`;

async function submit(id: string, key: string | null = id): Promise<void> {
  const request = create(ChangeRequestSchema, {
    id,
    requester: 'test',
    repo: 'demo',
    branch: 'main',
    description: `test ${id}`,
  });
  await pipeline.send(CRQ, request, { key });
}

async function finalStage(id: string, timeoutMs = 30_000): Promise<Record<string, unknown>> {
  let body: Record<string, unknown> = {};
  await waitFor(
    async () => {
      const res = await getRequest(orch.url, id);
      body = res.body;
      return res.status === 200 && body.final === true;
    },
    timeoutMs,
    `request ${id} to finish`,
  );
  return body;
}

beforeAll(async () => {
  await pipeline.startAudit();
  orch = await pipeline.startInProcess();
  await agents.start();
});

afterAll(async () => {
  await agents.stop();
  await orch?.stop();
  await pipeline.close();
});

describe('orchestrator against a real broker', () => {
  it('drives a request to done, commanding each agent once per stage', async () => {
    const id = newId('happy');
    await submit(id);
    const view = await finalStage(id);
    expect(view.stage).toBe('done');
    expect((view.history as Array<{ stage: string }>).map((h) => h.stage)).toEqual([
      'idle',
      'plan_phase',
      'code_phase',
      'build1',
      'test_plan',
      'test_build',
      'build2',
      'done',
    ]);
    await waitFor(() => pipeline.on(BUILD_REQ, id).length === 2, 5000, 'both build commands audited');
    expect(pipeline.on(DEEP, id)).toHaveLength(1);
    expect(pipeline.on(TASK, id)).toHaveLength(1);
    expect(pipeline.on(TPLAN_REQ, id)).toHaveLength(1);
    expect(pipeline.on(TGEN_REQ, id)).toHaveLength(1);
    expect(pipeline.on(BUILD_REQ, id).map((s) => s.message.round)).toEqual([1, 2]);
    expect(pipeline.on(REG, id)).toHaveLength(0);
    // Standard headers on every command.
    for (const seen of pipeline.seen.filter((s) => s.key === id)) {
      expect(seen.headers[HEADERS.requestId]).toBe(id);
      expect(seen.headers[HEADERS.messageType]).toMatch(/^core\./);
      expect(Number(seen.headers[HEADERS.producedAt])).toBeGreaterThan(0);
      expect(seen.headers[HEADERS.traceparent]).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
    }
  });

  it.each([
    ['fail-coder', 'code_phase', 'task_failed'],
    ['fail-build1', 'build1', 'build_failed'],
    ['fail-precheck', 'test_build', 'precheck_failed'],
    ['fail-build2', 'build2', 'build_failed'],
  ])('%s ends in regress with one RegressionTicket saying where and why', async (script, stage, reason) => {
    const id = newId(script);
    await submit(id);
    const view = await finalStage(id);
    expect(view.stage).toBe('regress');
    expect(view.failure).toMatchObject({ stage, reason });
    await waitFor(() => pipeline.on(REG, id).length > 0, 5000, 'ticket audited');
    const tickets = pipeline.on(REG, id);
    expect(tickets).toHaveLength(1);
    expect(tickets[0]?.message).toMatchObject({ requestId: id, failedStage: stage, reason });
    expect(tickets[0]?.message.summary).toContain(`failed in stage ${stage}`);
  });

  it('counts a request with 20 tasks', async () => {
    const id = newId('tasks20');
    await submit(id);
    const view = await finalStage(id);
    expect(view.stage).toBe('done');
    expect((view.ids as { tasks: unknown[] }).tasks).toHaveLength(20);
  });

  it('correlates agents that send no key, and a change request without one', async () => {
    const id = newId('keyless');
    await submit(id, null);
    const view = await finalStage(id);
    expect(view.stage).toBe('done');
  });

  it('dead-letters a duplicate, a late and an out-of-order message with the reason, and goes on', async () => {
    const id = newId('manual');
    await submit(id);
    await waitFor(
      async () => (await getRequest(orch.url, id)).body.stage === 'plan_phase',
      10_000,
      'plan_phase',
    );
    await submit(id); // duplicate change request
    await pipeline.send('build.report.out', create(BuildReportSchema, { commitSha: 'x', status: 'PASSED' }), {
      key: id,
    }); // too early
    await pipeline.send('commit.result.out', create(CommitResultSchema, { taskId: 't', status: 'SUCCESS' }), {
      key: `${id}-unknown`,
    });
    await waitFor(
      () => pipeline.deadLetters().filter((d) => d.key?.startsWith(id)).length >= 3,
      10_000,
      'three dead letters',
    );
    const reasons = pipeline
      .deadLetters()
      .filter((d) => d.key?.startsWith(id))
      .map((d) => d.headers[HEADERS.dlqReason])
      .sort();
    expect(reasons).toEqual(['duplicate_request', 'not_accepted_in_stage', 'unknown_request']);
    const late = pipeline
      .deadLetters(id)
      .find((d) => d.headers[HEADERS.dlqReason] === 'not_accepted_in_stage');
    expect(late?.headers[HEADERS.dlqSourceTopic]).toBe('build.report.out');
    expect(late?.headers[HEADERS.dlqError]).toContain('not accepted in stage plan_phase');
    expect((await getRequest(orch.url, id)).body.stage).toBe('plan_phase');
  });

  it('dead-letters undecodable bytes on every input topic with the original bytes, and keeps running', async () => {
    const garbage = Buffer.from([0x0f, 0xff, 0x00]);
    const key = newId('garbage');
    for (const topic of ORCHESTRATOR_INPUTS) await pipeline.sendRaw(topic, garbage, key);
    await waitFor(
      () => pipeline.deadLetters(key).length === ORCHESTRATOR_INPUTS.length,
      10_000,
      'dead letters',
    );
    const letters = pipeline.deadLetters(key);
    expect(new Set(letters.map((d) => d.headers[HEADERS.dlqSourceTopic]))).toEqual(
      new Set<Topic>(ORCHESTRATOR_INPUTS),
    );
    for (const letter of letters) {
      expect(letter.value).toEqual(garbage);
      expect(letter.headers[HEADERS.dlqReason]).toBe('undecodable');
      expect(letter.headers[HEADERS.dlqSourceOffset]).toMatch(/^\d+$/);
    }
    const id = newId('happy');
    await submit(id);
    expect((await finalStage(id)).stage).toBe('done');
  });

  it('finding 13: orch_requests_in_flight moves with the requests, counted once each', async () => {
    const gauge = async () => {
      const text = await (await fetch(`${orch.url}/metrics`)).text();
      const values = [...text.matchAll(/^orch_requests_in_flight\{stage="(\w+)"\} (\d+)$/gm)];
      return Object.fromEntries(values.map((m) => [m[1], Number(m[2])]));
    };
    const before = await gauge();
    const stuck = newId('manual');
    await submit(stuck);
    const done = newId('happy');
    await submit(done);
    expect((await finalStage(done)).stage).toBe('done');
    await waitFor(
      async () => (await getRequest(orch.url, stuck)).body.stage === 'plan_phase',
      10_000,
      'stuck',
    );
    const after = await gauge();
    expect(after.plan_phase).toBe((before.plan_phase ?? 0) + 1);
    // A finished request is not in flight: it leaves the gauge (and memory: it lives in the state store).
    expect(after.done).toBeUndefined();
    for (const stage of ['code_phase', 'build1', 'test_plan', 'test_build', 'build2'])
      expect(after[stage], stage).toBe(before[stage]);
  });

  it('finding 14: build ids carry a random nonce; a report naming the predictable id is stale', async () => {
    const [a, b] = [newId('forge'), newId('forge')];
    await submit(a);
    await submit(b);
    for (const id of [a, b])
      await waitFor(() => pipeline.on(BUILD_REQ, id).length === 1, 15_000, `${id}: build 1 requested`);
    const [requestA, requestB] = [a, b].map((id) => pipeline.on(BUILD_REQ, id)[0]?.message);
    const escaped = a.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    expect(requestA?.buildId).toMatch(new RegExp(`^${escaped}/build1-[0-9a-f]{16}$`));
    expect(requestB?.buildId.split('-').at(-1)).not.toBe(requestA?.buildId.split('-').at(-1));
    // Whoever can write build.report.out but has not read the BuildRequest guesses the old form.
    const forged = create(BuildReportSchema, {
      buildId: `${a}/build1`,
      commitSha: requestA?.commitSha ?? '',
      status: 'PASSED',
    });
    await pipeline.send('build.report.out', forged, { key: a });
    await waitFor(
      () => pipeline.deadLetters(a).some((d) => d.headers[HEADERS.dlqReason] === 'stale_build_report'),
      10_000,
      'the forged report dead-lettered',
    );
    expect((await getRequest(orch.url, a)).body.stage).toBe('build1');
    // The builder that read the BuildRequest echoes its build id: that one counts.
    const real = create(BuildReportSchema, {
      buildId: requestA?.buildId ?? '',
      commitSha: requestA?.commitSha ?? '',
      status: 'PASSED',
    });
    await pipeline.send('build.report.out', real, { key: a });
    await waitFor(
      async () => (await getRequest(orch.url, a)).body.stage !== 'build1',
      10_000,
      'build 1 passed',
    );
  });

  it('answers 404 for an unknown request and serves metrics', async () => {
    expect((await getRequest(orch.url, 'no-such-request')).status).toBe(404);
    const metrics = await (await fetch(`${orch.url}/metrics`)).text();
    expect(metrics).toMatch(/orch_stage_total\{stage="done"\} [1-9]/);
    expect(metrics).toContain('orch_stage_duration_seconds_bucket');
    expect(metrics).toContain('orch_processing_latency_seconds_bucket');
    expect(metrics).toMatch(/orch_dead_letters_total\{reason="undecodable"\} [1-9]/);
    expect(metrics).toContain('orch_requests_in_flight{stage="plan_phase"}');
    expect(metrics).toContain('orch_consumer_lag');
    expect((await fetch(`${orch.url}/healthz`)).status).toBe(200);
  });
});
