import { create } from '@bufbuild/protobuf';
import { ChangeRequestSchema } from '@pipeline/contracts';
import { encodeRecord } from '@pipeline/kafka';
import { preparePythonEnv, produceWithLibrdkafka } from '@pipeline/testkit';
import { CRQ } from '@pipeline/topics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getRequest, type InProcessOrchestrator, TestPipeline, waitFor } from './support/pipeline.js';
import { ScriptedAgents } from './support/responder.js';

// Issue 10, finding 1: "One lz4-compressed batch stops the pipeline for good". Three valid
// ChangeRequests from a librdkafka producer with compression.type=lz4 crashed the orchestrator's
// consumer (KafkaJSNotImplemented); the process stayed up with /healthz 503 and processed nothing
// more, not even the plain requests sent afterwards. Snappy and zstd did the same. Here librdkafka
// (confluent-kafka, through the testkit's Python tooling) submits requests with every codec, and
// the plain ones that follow must finish too.

const pipeline = new TestPipeline(4);
const agents = new ScriptedAgents(pipeline);
let orch: InProcessOrchestrator;
let n = 0;
const newId = (label: string) => `${label}:${Date.now().toString(36)}-${n++}`;

function changeRequest(id: string) {
  return create(ChangeRequestSchema, {
    id,
    requester: 'python-agent',
    repo: 'demo',
    branch: 'main',
    description: `submitted by librdkafka: ${'a change worth compressing '.repeat(10)}`,
  });
}

async function live(): Promise<boolean> {
  return (await fetch(`${orch.url}/healthz`)).status === 200;
}

/** Waits for a request to finish; fails at once, saying so, when the orchestrator stops being live. */
async function finalStage(id: string, timeoutMs = 60_000): Promise<string> {
  let stage = '';
  await waitFor(
    async () => {
      if (!(await live()))
        throw new Error(`the orchestrator is no longer live (/healthz 503) while ${id} waits`);
      const res = await getRequest(orch.url, id);
      stage = String(res.body.stage);
      return res.status === 200 && res.body.final === true;
    },
    timeoutMs,
    `request ${id} to finish`,
  );
  return stage;
}

beforeAll(async () => {
  // The first use builds the Python venv (pip install from PyPI); later runs reuse it. Without
  // python3 this passes, and every test fails saying why.
  await preparePythonEnv();
  await pipeline.startAudit();
  orch = await pipeline.startInProcess();
  await agents.start();
}, 300_000);

afterAll(async () => {
  await agents.stop();
  await orch?.stop();
  await pipeline.close();
}, 120_000);

describe('One lz4-compressed batch stops the pipeline for good (issue 10, finding 1)', () => {
  it.each(['lz4', 'snappy', 'zstd', 'gzip'] as const)(
    'three ChangeRequests sent by librdkafka with compression.type=%s reach done',
    async (codec) => {
      const ids = [1, 2, 3].map(() => newId(codec));
      const records = ids.map((id) => encodeRecord(CRQ, changeRequest(id), { key: id }));
      await produceWithLibrdkafka(
        records.map((r) => ({
          topic: pipeline.physical(CRQ),
          key: r.key,
          value: r.value,
          headers: r.headers,
        })),
        // The Java client's partitioner, so the records land where the orchestrator expects them;
        // linger collects them into compressed batches.
        { compression: codec, partitioner: 'murmur2_random', config: { 'linger.ms': 200 } },
      );
      for (const id of ids) expect(await finalStage(id)).toBe('done');
      for (const id of ids) expect(pipeline.deadLetters(id)).toEqual([]);
      expect(await live()).toBe(true);
    },
    120_000,
  );

  it('plain ChangeRequests sent afterwards reach done, and the orchestrator stays live', async () => {
    const ids = [1, 2, 3].map(() => newId('plain'));
    for (const id of ids) await pipeline.send(CRQ, changeRequest(id), { key: id });
    for (const id of ids) expect(await finalStage(id)).toBe('done');
    expect(await live()).toBe(true);
    expect((await fetch(`${orch.url}/readyz`)).status).toBe(200);
  }, 120_000);
});
