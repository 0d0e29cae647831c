// Issue 12, Done-when: a stage's deadline is the time since its agent's last sign of life, with a hard
// maximum. The coder here is written with the agent SDK (@pipeline/agent) and reports progress; the
// other roles are the scripted agents. Idle limit 3 s, hard maximum 12 s for code_phase.

import { create } from '@bufbuild/protobuf';
import type { Agent } from '@pipeline/agent';
import { sleep } from '@pipeline/common';
import { ChangeRequestSchema, CommitResultSchema, STATUS } from '@pipeline/contracts';
import { partitionFor } from '@pipeline/kafka/records';
import type { RequestView } from '@pipeline/orchestrator-api';
import { CRQ, DLQ, ORCHESTRATOR_OUTPUTS, PROGRESS, REG } from '@pipeline/topics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getRequest, type InProcessOrchestrator, TestPipeline, waitFor } from './support/pipeline.js';
import { ScriptedAgents } from './support/responder.js';
import { startSdkCoder } from './support/sdk-coder.js';

const IDLE_MS = 3000;
const MAX_MS = 12_000;
const PARTITIONS = 4;
const pipeline = new TestPipeline(PARTITIONS);
const agents = new ScriptedAgents(pipeline, () => ({ silent: 'coder' }));
const tag = Date.now().toString(36);
// All three on one partition: the SDK works on commands of one partition at once (a long task holds
// a slot, not its partition), so the second and third are not left waiting behind the first.
const onPartition0 = (name: string): string => {
  for (let n = 0; ; n++)
    if (partitionFor(`${name}-${tag}-${n}`, PARTITIONS) === 0) return `${name}-${tag}-${n}`;
};
const busy = onPartition0('busy');
const silent = onPartition0('silent');
const chatty = onPartition0('chatty');
let orch: InProcessOrchestrator;
let coder: Agent<'coder'>;

beforeAll(async () => {
  await pipeline.startAudit([...ORCHESTRATOR_OUTPUTS, DLQ, PROGRESS]);
  orch = await pipeline.startInProcess({
    ORCH_STAGE_DEADLINES: `code_phase=${IDLE_MS}ms`,
    ORCH_STAGE_MAXES: `code_phase=${MAX_MS}ms`,
  });
  await agents.start();
  coder = await startSdkCoder(pipeline, async (bundle, { requestId, progress, signal }) => {
    // Every request reports once a second; how long and whether it answers is what differs.
    const seconds = requestId === busy ? 7 : requestId === silent ? 2 : Number.POSITIVE_INFINITY;
    for (let s = 1; s <= seconds; s++) {
      await sleep(1000, signal);
      progress({
        note: `step ${s}`,
        percent: Math.min(99, s * 10),
        usage: { inputTokens: s * 100, costUsd: s / 100 },
      });
    }
    // The silent coder stops reporting and never answers (until the test stops it).
    if (requestId === silent) await sleep(10 * 60_000, signal);
    return bundle.taskIds.map((taskId) =>
      create(CommitResultSchema, {
        taskId,
        commitSha: `${taskId}-sha`.padEnd(40, '0'),
        status: STATUS.success,
      }),
    );
  });
}, 180_000);

afterAll(async () => {
  await coder?.stop();
  await agents.stop();
  await orch?.stop();
  await pipeline.close();
});

const view = async (id: string) => (await getRequest(orch.url, id)).body as unknown as RequestView;
const codePhase = (v: RequestView) => v.history.find((h) => h.stage === 'code_phase');
/** How long the request stayed in code_phase (ms). */
const codingMs = (v: RequestView) => {
  const i = v.history.findIndex((h) => h.stage === 'code_phase');
  return Date.parse(v.history[i + 1]?.at ?? '') - Date.parse(v.history[i]?.at ?? '');
};

describe('deadlines count from the last sign of life', () => {
  beforeAll(async () => {
    for (const id of [busy, silent, chatty]) {
      await pipeline.send(CRQ, create(ChangeRequestSchema, { id, repo: 'demo', branch: 'main' }), {
        key: id,
      });
    }
    // While it works, the request shows what its coder last said.
    await waitFor(async () => (await view(busy)).progress?.note !== undefined, 60_000, 'progress shown');
    expect((await view(busy)).progress).toMatchObject({ percent: expect.any(Number) });
    await waitFor(
      async () => (await Promise.all([busy, silent, chatty].map(view))).every((v) => v.final),
      120_000,
      'all three final',
    );
  }, 180_000);

  it('runs a request whose coder reports progress past the idle limit, to done', async () => {
    const done = await view(busy);
    expect(done.stage).toBe('done');
    // It ran past the idle limit (the old fixed deadline) and finished.
    expect(codingMs(done)).toBeGreaterThan(IDLE_MS);
    expect(codePhase(done)?.progress).toMatchObject({ count: 7, note: 'step 7' });
    expect(codePhase(done)?.usage).toMatchObject({ inputTokens: 700, costUsd: 0.07 });
    expect(done.usage).toMatchObject({ inputTokens: 700, outputTokens: 0 });
  });

  it('regresses one whose coder goes silent, one idle limit after its last progress', async () => {
    const quiet = await view(silent);
    expect(quiet.failure).toMatchObject({ stage: 'code_phase', reason: 'deadline_exceeded' });
    expect(quiet.failure?.detail).toContain('no progress in code_phase');
    const lastSign = Date.parse(codePhase(quiet)?.progress?.at ?? '');
    const regressedAt = Date.parse(quiet.history.at(-1)?.at ?? '');
    expect(codePhase(quiet)?.progress?.count).toBe(2);
    expect(regressedAt - lastSign).toBeGreaterThan(IDLE_MS);
    expect(pipeline.on(REG, silent).map((t) => t.message.reason)).toEqual(['deadline_exceeded']);
  });

  it('regresses one whose coder reports for ever, at the hard maximum', async () => {
    const endless = await view(chatty);
    expect(endless.failure).toMatchObject({ stage: 'code_phase', reason: 'deadline_exceeded' });
    expect(endless.failure?.detail).toContain('its hard maximum is 12s');
    expect(codingMs(endless)).toBeGreaterThan(MAX_MS);
    // It reported all along, about once a second.
    expect(codePhase(endless)?.progress?.count ?? 0).toBeGreaterThan(MAX_MS / 1000 / 2);
    expect(pipeline.on(REG, chatty).map((t) => t.message.reason)).toEqual(['deadline_exceeded']);
    // Its progress after the regression is ignored, never dead-lettered.
    await waitFor(
      async () =>
        (await orch.orchestrator.metrics.registry.getSingleMetricAsString('orch_progress_total')).match(
          /outcome="stale"} [1-9]/,
        ) !== null,
      30_000,
      'a stale progress report',
    );
    expect(pipeline.deadLetters()).toEqual([]);
  });
});
