import { create } from '@bufbuild/protobuf';
import { ChangeRequestSchema } from '@pipeline/contracts';
import { CRQ } from '@pipeline/topics';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stageOf } from '../src/domain/request-record.js';
import { type InProcessOrchestrator, TestPipeline, waitFor } from '../test/support/pipeline.js';
import { ScriptedAgents } from '../test/support/responder.js';

// The orchestrator's own cost per stage on a local broker. Agents answer at once, so the time of a
// request is 7 stages × (agent round trip + orchestrator decide + transaction). Figures only.
const pipeline = new TestPipeline(12);
const agents = new ScriptedAgents(pipeline, () => ({ tasks: 1 }));
let orch: InProcessOrchestrator;

beforeAll(async () => {
  orch = await pipeline.startInProcess();
  await agents.start();
});

afterAll(async () => {
  await agents.stop();
  await orch?.stop();
  await pipeline.close();
});

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function histogram(metrics: string, name: string): string {
  const sum = Number(new RegExp(`^${name}_sum (\\S+)`, 'm').exec(metrics)?.[1]);
  const count = Number(new RegExp(`^${name}_count (\\S+)`, 'm').exec(metrics)?.[1]);
  return `${((sum / count) * 1000).toFixed(2)} ms mean over ${count}`;
}

it('measures the time per stage of one request at a time', async () => {
  const runs = 50;
  const perRequest: number[] = [];
  for (let i = 0; i < runs; i++) {
    const id = `bench-${Date.now().toString(36)}-${i}`;
    const started = performance.now();
    await pipeline.send(CRQ, create(ChangeRequestSchema, { id, repo: 'demo' }), { key: id });
    await waitFor(
      () => {
        const record = orch.orchestrator.getRequest(id);
        return record !== undefined && stageOf(record) === 'done';
      },
      30_000,
      `${id} done`,
    );
    perRequest.push(performance.now() - started);
  }
  const sorted = [...perRequest].sort((a, b) => a - b);
  const metrics = await (await fetch(`${orch.url}/metrics`)).text();
  console.log(
    [
      `[bench] ${runs} sequential requests, 7 stages each, instant agents, 12 partitions`,
      `[bench] per request: p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms`,
      `[bench] per stage (request / 7): p50 ${(percentile(sorted, 50) / 7).toFixed(1)} ms`,
      `[bench] orchestrator batch (decide + transaction): ${histogram(metrics, 'orch_batch_duration_seconds')}`,
      `[bench] produced → committed: ${histogram(metrics, 'orch_processing_latency_seconds')}`,
    ].join('\n'),
  );
  expect(perRequest).toHaveLength(runs);
});
