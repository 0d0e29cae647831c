import { create } from '@bufbuild/protobuf';
import { ChangeRequestSchema } from '@pipeline/contracts';
import { encodeRecord } from '@pipeline/kafka';
import { CRQ } from '@pipeline/topics';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stageOf } from '../src/domain/request-record.js';
import { type InProcessOrchestrator, TestPipeline, waitFor } from './support/pipeline.js';
import { ScriptedAgents } from './support/responder.js';

const pipeline = new TestPipeline(12);
const agents = new ScriptedAgents(pipeline);
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

it('takes 1,000 concurrent change requests to done', async () => {
  const count = 1000;
  const ids = Array.from({ length: count }, (_, i) => `load-${Date.now().toString(36)}-${i}`);
  const started = Date.now();
  await pipeline.sendRecords(
    ids.map((id) =>
      encodeRecord(
        CRQ,
        create(ChangeRequestSchema, { id, repo: 'demo', branch: 'main', description: 'load' }),
        {
          key: id,
        },
      ),
    ),
  );

  const stageNow = (id: string) => {
    const record = orch.orchestrator.getRequest(id);
    return record && stageOf(record);
  };
  let lastReport = 0;
  await waitFor(
    () => {
      const done = ids.filter((id) => stageNow(id) === 'done').length;
      if (Date.now() - lastReport > 2000) {
        lastReport = Date.now();
        console.log(`[scale] ${done}/${count} done after ${((Date.now() - started) / 1000).toFixed(1)}s`);
      }
      return done === count;
    },
    180_000,
    `${count} requests to reach done`,
  );
  const seconds = (Date.now() - started) / 1000;
  console.log(
    `[scale] ${count} requests × 7 stages in ${seconds.toFixed(1)}s (${((count * 7) / seconds).toFixed(0)} stage transitions/s)`,
  );
  expect(ids.every((id) => stageNow(id) === 'done')).toBe(true);
  const metrics = await (await fetch(`${orch.url}/metrics`)).text();
  expect(metrics).toMatch(new RegExp(`orch_stage_total\\{stage="done"\\} ${count}\\b`));
});
