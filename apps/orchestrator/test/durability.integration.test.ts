import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from '@bufbuild/protobuf';
import { ChangeRequestSchema } from '@pipeline/contracts';
import { createTransactionalProducer, encodeRecord } from '@pipeline/kafka';
import { CRQ, REG } from '@pipeline/topics';
import { afterEach, describe, expect, it } from 'vitest';
import { expectExactlyOnce } from './support/audit.js';
import { type ChildOrchestrator, getRequest, TestPipeline, waitFor } from './support/pipeline.js';
import { type Script, ScriptedAgents } from './support/responder.js';

// These tests run the real service (`node dist/main.js`) as child processes and kill them with
// SIGKILL. A short session timeout lets the group notice a dead instance in seconds, not 30 s.
const FAST_GROUP = { ORCH_SESSION_TIMEOUT: '6s', ORCH_SHUTDOWN_GRACE: '5s' };
const logDir = mkdtempSync(join(tmpdir(), 'orch-durability-'));
const cleanup: Array<() => Promise<unknown>> = [];

afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn().catch(() => {});
});

const scriptFor = (id: string): Script => {
  const n = Number(id.split('-').at(-1));
  if (n % 10 === 3) return { tasks: 3, failAt: 'build1' };
  if (n % 10 === 7) return { tasks: 3, failAt: 'precheck' };
  return { tasks: 3 };
};
const expectedFinal = (id: string) => (scriptFor(id).failAt ? 'regress' : 'done');

async function submitAll(pipeline: TestPipeline, ids: string[]): Promise<void> {
  await pipeline.sendRecords(
    ids.map((id) =>
      encodeRecord(CRQ, create(ChangeRequestSchema, { id, repo: 'demo', branch: 'main' }), { key: id }),
    ),
  );
}

async function finals(url: string, ids: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const id of ids) {
    const { status, body } = await getRequest(url, id);
    if (status === 200 && body.final === true) out.set(id, body.stage as string);
  }
  return out;
}

describe('crash safety', () => {
  it('loses nothing and repeats nothing when killed with SIGKILL three times', async () => {
    const pipeline = new TestPipeline(4);
    const agents = new ScriptedAgents(pipeline, scriptFor, 250);
    cleanup.push(
      () => pipeline.close(),
      () => agents.stop(),
    );
    await pipeline.startAudit();
    const log = join(logDir, 'kill3.log');
    let orch: ChildOrchestrator = await pipeline.spawn(FAST_GROUP, log);
    cleanup.push(() => orch.kill('SIGKILL'));
    await orch.ready();
    await agents.start();

    const ids = Array.from({ length: 200 }, (_, i) => `kill-${Date.now().toString(36)}-${i}`);
    // Requests arrive in waves while the orchestrator is being killed, so every kill hits work in
    // every stage: some requests not yet submitted, some mid-way, some finished.
    const submitting = (async () => {
      for (let wave = 0; wave < 20; wave++) {
        await submitAll(pipeline, ids.slice(wave * 10, wave * 10 + 10));
        await new Promise((r) => setTimeout(r, 400));
      }
    })();
    for (let kill = 1; kill <= 3; kill++) {
      await new Promise((r) => setTimeout(r, 800 + Math.random() * 1700));
      const done = (await finals(orch.url, ids)).size;
      console.log(`[kill ${kill}] SIGKILL with ${done}/${ids.length} requests finished`);
      await orch.kill('SIGKILL');
      orch = await pipeline.spawn(FAST_GROUP, log);
      await orch.ready();
    }
    await submitting;
    let result = new Map<string, string>();
    await waitFor(
      async () => {
        result = await finals(orch.url, ids);
        return result.size === ids.length;
      },
      120_000,
      'every request to finish after the kills',
    );
    for (const id of ids) expect(result.get(id), id).toBe(expectedFinal(id));
    // Give the audit consumer a moment to read the last commits, then check exactly-once.
    await waitFor(
      () => pipeline.on(REG).length >= ids.filter((id) => expectedFinal(id) === 'regress').length,
      10_000,
      'tickets',
    );
    await new Promise((r) => setTimeout(r, 1000));
    expectExactlyOnce(pipeline, result);
    for (const id of ids.slice(0, 20)) {
      const { body } = await getRequest(orch.url, id);
      const stages = (body.history as Array<{ stage: string }>).map((h) => h.stage);
      expect(new Set(stages).size, `${id} applied a step twice: ${stages.join(',')}`).toBe(stages.length);
    }
  });

  it('lets a second instance take over the partitions of one that died, with their state', async () => {
    const pipeline = new TestPipeline(4);
    const agents = new ScriptedAgents(pipeline, scriptFor, 200);
    cleanup.push(
      () => pipeline.close(),
      () => agents.stop(),
    );
    await pipeline.startAudit();
    const log = join(logDir, 'two.log');
    const a = await pipeline.spawn(FAST_GROUP, log);
    const b = await pipeline.spawn(FAST_GROUP, log);
    cleanup.push(
      () => a.kill('SIGKILL'),
      () => b.kill('SIGKILL'),
    );
    await Promise.all([a.ready(), b.ready()]);
    // Both must own partitions before the test means anything.
    await waitFor(
      async () => {
        const [ra, rb] = await Promise.all([a, b].map(async (o) => (await fetch(`${o.url}/readyz`)).json()));
        return (
          (ra as { partitions: unknown[] }).partitions.length > 0 &&
          (rb as { partitions: unknown[] }).partitions.length > 0
        );
      },
      30_000,
      'both instances to own partitions',
    );
    await agents.start();
    const ids = Array.from({ length: 100 }, (_, i) => `two-${Date.now().toString(36)}-${i}`);
    await submitAll(pipeline, ids);
    await new Promise((r) => setTimeout(r, 700));
    await a.kill('SIGKILL');
    let result = new Map<string, string>();
    await waitFor(
      async () => {
        result = await finals(b.url, ids);
        return result.size === ids.length;
      },
      120_000,
      'the surviving instance to finish every request',
    );
    for (const id of ids) expect(result.get(id), id).toBe(expectedFinal(id));
    await new Promise((r) => setTimeout(r, 1000));
    expectExactlyOnce(pipeline, result);
  });
});

describe('recovery from a failed transaction', () => {
  it('restores a partition whose producer was fenced, and loses or repeats nothing', async () => {
    const pipeline = new TestPipeline(2);
    const agents = new ScriptedAgents(pipeline, scriptFor, 100);
    cleanup.push(
      () => pipeline.close(),
      () => agents.stop(),
    );
    await pipeline.startAudit();
    const orch = await pipeline.startInProcess();
    cleanup.push(() => orch.stop());
    await agents.start();
    const ids = Array.from({ length: 40 }, (_, i) => `fence-${Date.now().toString(36)}-${i}`);
    await submitAll(pipeline, ids.slice(0, 20));
    await new Promise((r) => setTimeout(r, 300));
    // A "zombie" opens the transactional ids of both partitions: every open transaction of the
    // orchestrator is aborted and its producers are fenced, as when another instance takes over.
    for (let p = 0; p < pipeline.partitions; p++) {
      const zombie = createTransactionalProducer(pipeline.client, {
        transactionalId: `${pipeline.groupId}-${p}`,
        names: pipeline.names,
      });
      await zombie.open();
      await zombie.close();
    }
    await submitAll(pipeline, ids.slice(20));
    let result = new Map<string, string>();
    await waitFor(
      async () => {
        result = await finals(orch.url, ids);
        return result.size === ids.length;
      },
      60_000,
      'every request to finish after the fencing',
    );
    for (const id of ids) expect(result.get(id), id).toBe(expectedFinal(id));
    // Each fenced partition was restored again: more restores than the first two.
    const metrics = await (await fetch(`${orch.url}/metrics`)).text();
    expect(Number(/^orch_restore_seconds_count (\d+)/m.exec(metrics)?.[1])).toBeGreaterThan(
      pipeline.partitions,
    );
    await new Promise((r) => setTimeout(r, 1000));
    expectExactlyOnce(pipeline, result);
  });
});

describe('graceful shutdown', () => {
  it('exits 0 on SIGTERM within the grace, and the next instance carries on', async () => {
    const pipeline = new TestPipeline(2);
    const agents = new ScriptedAgents(pipeline, () => ({ tasks: 2 }), 300);
    cleanup.push(
      () => pipeline.close(),
      () => agents.stop(),
    );
    const log = join(logDir, 'sigterm.log');
    let orch = await pipeline.spawn(FAST_GROUP, log);
    cleanup.push(() => orch.kill('SIGKILL'));
    await orch.ready();
    await agents.start();
    const ids = Array.from({ length: 20 }, (_, i) => `term-${Date.now().toString(36)}-${i}`);
    await submitAll(pipeline, ids);
    await new Promise((r) => setTimeout(r, 500));
    const stopping = Date.now();
    expect(await orch.kill('SIGTERM')).toBe(0);
    const tookMs = Date.now() - stopping;
    console.log(`[shutdown] SIGTERM → exit 0 in ${tookMs} ms`);
    expect(tookMs).toBeLessThan(5000 + 2000);
    orch = await pipeline.spawn(FAST_GROUP, log);
    await orch.ready();
    await waitFor(
      async () => (await finals(orch.url, ids)).size === ids.length,
      60_000,
      'requests to finish',
    );
  });
});

describe('stage deadlines', () => {
  it('regresses a stuck request once, also when the deadline passes while the orchestrator is down', async () => {
    const pipeline = new TestPipeline(2);
    const agents = new ScriptedAgents(pipeline, (id) =>
      id.startsWith('stuck') ? { silent: 'planner' } : {},
    );
    cleanup.push(
      () => pipeline.close(),
      () => agents.stop(),
    );
    await pipeline.startAudit();
    const env = { ...FAST_GROUP, ORCH_STAGE_DEADLINES: 'plan_phase=2s' };
    const log = join(logDir, 'deadline.log');
    let orch = await pipeline.spawn(env, log);
    cleanup.push(() => orch.kill('SIGKILL'));
    await orch.ready();
    await agents.start();

    const live = `stuck-live-${Date.now().toString(36)}`;
    const acrossRestart = `stuck-restart-${Date.now().toString(36)}`;
    await submitAll(pipeline, [live, acrossRestart]);
    await waitFor(
      async () => (await getRequest(orch.url, acrossRestart)).body.stage === 'plan_phase',
      10_000,
      'plan_phase',
    );
    // Down before the deadline, back after it.
    await orch.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 2500));
    orch = await pipeline.spawn(env, log);
    await orch.ready();
    await waitFor(
      async () => (await finals(orch.url, [live, acrossRestart])).size === 2,
      30_000,
      'both deadlines',
    );
    for (const id of [live, acrossRestart]) {
      const { body } = await getRequest(orch.url, id);
      expect(body.stage).toBe('regress');
      expect(body.failure).toMatchObject({ stage: 'plan_phase', reason: 'deadline_exceeded' });
    }
    // One more restart: the decision is committed, nothing fires again.
    await orch.kill('SIGTERM');
    orch = await pipeline.spawn(env, log);
    await orch.ready();
    await new Promise((r) => setTimeout(r, 1500));
    for (const id of [live, acrossRestart]) {
      const tickets = pipeline.on(REG, id);
      expect(tickets, id).toHaveLength(1);
      expect(tickets[0]?.message).toMatchObject({ reason: 'deadline_exceeded', failedStage: 'plan_phase' });
      expect(tickets[0]?.message.summary).toContain('deadline exceeded');
    }
  });
});
