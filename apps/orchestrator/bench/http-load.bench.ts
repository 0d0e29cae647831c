import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from '@bufbuild/protobuf';
import { ChangeRequestSchema } from '@pipeline/contracts';
import { encodeRecord, type OutboundRecord } from '@pipeline/kafka';
import { CRQ, ORCHESTRATOR_INPUTS } from '@pipeline/topics';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ChildOrchestrator, TestPipeline, waitFor } from '../test/support/pipeline.js';
import { client, probe, summary } from './support/http.js';

// The HTTP server of the real service (`node dist/main.js`, its own event loop) while the orchestrator
// holds many requests and while it dead-letters a flood of poison: how long /healthz, /metrics and
// GET /requests/{id} take. Figures only (speed targets are not timed tests).
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 20_000);
const POISON = Number(process.env.BENCH_POISON ?? 50_000);
const CONCURRENT = 1000;
const pipeline = new TestPipeline(12);
const logDir = mkdtempSync(join(tmpdir(), 'orch-http-bench-'));
let orch: ChildOrchestrator;
const ids = Array.from({ length: REQUESTS }, (_, i) => `http-bench-${Date.now().toString(36)}-${i}`);

beforeAll(async () => {
  orch = await pipeline.spawn({ LOG_LEVEL: 'info' }, join(logDir, 'orchestrator.log'));
  await orch.ready();
  // No agents: every request stays in plan_phase, held by the orchestrator.
  for (let i = 0; i < ids.length; i += 1000) {
    await pipeline.sendRecords(
      ids
        .slice(i, i + 1000)
        .map((id) => encodeRecord(CRQ, create(ChangeRequestSchema, { id, repo: 'demo' }), { key: id })),
    );
  }
  const last = ids.at(-1) as string;
  await waitFor(
    async () => (await fetch(`${orch.url}/requests/${last}`)).status === 200,
    300_000,
    'every request known',
  );
});

afterAll(async () => {
  await orch?.kill('SIGTERM');
  await pipeline.close();
  console.log(`[bench] orchestrator log: ${logDir}/orchestrator.log`);
});

async function timed(url: string, timeoutMs = 1000): Promise<{ ms: number; ok: boolean }> {
  const started = performance.now();
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer();
    return { ms: performance.now() - started, ok: res.ok };
  } catch {
    return { ms: performance.now() - started, ok: false };
  }
}

it(`serves /metrics while holding ${REQUESTS} requests`, async () => {
  const times: number[] = [];
  for (let i = 0; i < 20; i++) times.push((await timed(`${orch.url}/metrics`, 10_000)).ms);
  console.log(summary(`GET /metrics with ${REQUESTS} requests held`, times));
});

it(`answers ${CONCURRENT} concurrent GETs`, async () => {
  for (const path of ['/healthz', `/requests/${ids[0]}`]) {
    const results = await client(['burst', `${orch.url}${path}`, String(CONCURRENT)]);
    const failed = results.filter((r) => !r.ok).length;
    console.log(
      `${summary(
        `${CONCURRENT} concurrent GET ${path}`,
        results.map((r) => r.ms),
      )}, failed ${failed}`,
    );
  }
});

it(`answers /healthz within 1 s while dead-lettering ${POISON} poison messages`, async () => {
  const probing = probe(`${orch.url}/healthz`, 100);
  const garbage = Buffer.alloc(Number(process.env.BENCH_POISON_BYTES ?? 3), 0xff);
  garbage[0] = 0x0f;
  const started = performance.now();
  for (let i = 0; i < POISON; i += 1000) {
    const batch: OutboundRecord[] = [];
    for (let j = i; j < Math.min(POISON, i + 1000); j++) {
      const topic = ORCHESTRATOR_INPUTS[j % ORCHESTRATOR_INPUTS.length] as OutboundRecord['topic'];
      batch.push({ topic, key: `poison-${j}`, value: garbage, headers: {} });
    }
    await pipeline.sendRecords(batch);
  }
  // Until the orchestrator has read the flood: its dead-letter counter reaches it.
  await waitFor(
    async () => {
      const text = await (await fetch(`${orch.url}/metrics`)).text();
      const n = Number(/^orch_dead_letters_total\{reason="undecodable"\} (\d+)/m.exec(text)?.[1] ?? 0);
      return n >= POISON;
    },
    600_000,
    'the flood dead-lettered',
  );
  const seconds = (performance.now() - started) / 1000;
  const probes = await probing.stop();
  const failed = probes.filter((p) => !p.ok).length;
  console.log(
    `${summary(
      `/healthz every 100 ms during the flood (${seconds.toFixed(1)} s)`,
      probes.map((p) => p.ms),
    )}, unanswered within 1 s: ${failed}`,
  );
  expect(probes.length).toBeGreaterThan(0);
});
