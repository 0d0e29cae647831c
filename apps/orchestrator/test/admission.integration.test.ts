import { create } from '@bufbuild/protobuf';
import { ChangeRequestSchema } from '@pipeline/contracts';
import { CRQ } from '@pipeline/topics';
import { afterAll, describe, expect, it } from 'vitest';
import { getRequest, TestPipeline, waitFor } from './support/pipeline.js';

// Issue 10, admission control: a flood of change requests used to be taken in whole, however many
// requests a partition already held (state, memory and agent cost without bound).
const pipeline = new TestPipeline(1);
afterAll(() => pipeline.close());

describe('admission control', () => {
  it('a partition holds at most ORCH_MAX_IN_FLIGHT unfinished requests; the rest wait in Kafka and none is lost', async () => {
    // No agents: requests finish only by their deadline (regress), which makes room for the next.
    const { orchestrator, url, stop } = await pipeline.startInProcess({
      ORCH_MAX_IN_FLIGHT: '3',
      ORCH_STAGE_DEADLINE: '1s',
    });
    try {
      const ids = Array.from({ length: 10 }, (_, i) => `admitted-${i}`);
      for (const id of ids)
        await pipeline.send(CRQ, create(ChangeRequestSchema, { id, repo: 'demo' }), { key: id });
      let most = 0;
      const unfinished = async () => {
        const { values } = await orchestrator.metrics.requestsInFlight.get();
        return values
          .filter((v) => v.labels.stage !== 'done' && v.labels.stage !== 'regress')
          .reduce((sum, v) => sum + v.value, 0);
      };
      await waitFor(
        async () => {
          most = Math.max(most, await unfinished());
          const states = await Promise.all(ids.map((id) => getRequest(url, id)));
          return states.every((s) => s.status === 200 && s.body.stage === 'regress');
        },
        120_000,
        'every request admitted in turn and regressed by its deadline',
      );
      expect(most).toBeGreaterThan(0);
      expect(most).toBeLessThanOrEqual(3);
    } finally {
      await stop();
    }
  });
});
