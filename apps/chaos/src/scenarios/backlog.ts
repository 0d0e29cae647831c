// A backlog: the orchestrator is down while 20,000 change requests with 5 KB descriptions arrive;
// then it starts and must work through all of them without a transaction failing for size.

import { planRequests } from '@pipeline/failure-markers';
import { judge, type Scenario, startPipeline } from '../scenario.js';

export const backlog: Scenario = {
  name: 'backlog',
  title: 'orchestrator stopped, 20,000 requests with 5 KB descriptions submitted, then started',
  async run(ctx) {
    const full = ctx.size === 'full';
    const pipeline = await startPipeline(ctx, this.name, {
      partitions: 6,
      instances: 1,
      thinkMs: 5,
      startOrchestrators: false,
    });
    try {
      const planned = planRequests(full ? 20_000 : 2000, `${ctx.tag}-${this.name}`);
      const t0 = Date.now();
      await pipeline.submit(planned, { waves: 1, description: 'x'.repeat(5 * 1024) });
      const submitMs = Date.now() - t0;
      ctx.say(
        `  ${planned.length} requests submitted in ${(submitMs / 1000).toFixed(1)} s; starting the orchestrator`,
      );
      const started = Date.now();
      const orchestrator = await pipeline.addInstance({ ready: false });
      await orchestrator.ready();
      const readyMs = Date.now() - started;
      // 8 to 50 requests/s with one instance on 3 brokers sharing 2 cores (docs/reliability.md): the full
      // 20,000 took 21 min here; an hour leaves room for a slower machine.
      await pipeline.waitFinished(planned, full ? 3_600_000 : 400_000, ctx.say);
      const finishMs = Date.now() - started;
      const tooLarge = await orchestrator.metric('orch_transaction_failures_total', 'reason="too_large"');
      const failedTransactions = await orchestrator.metric('orch_transaction_failures_total');
      const result = await judge(pipeline, planned, {
        submitMs,
        readyMs,
        finishMs,
        failedTransactions,
        tooLarge,
      });
      if (tooLarge > 0) {
        result.pass = false;
        result.problems.push(`${tooLarge} transactions failed for size`);
      }
      return result;
    } finally {
      await pipeline.stop();
    }
  },
};
