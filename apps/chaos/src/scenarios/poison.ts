// 10,000 bad records of every kind on every input topic, sent beside 200 valid requests in flight:
// every bad record must reach the dead-letter topic exactly once, none may start or change a request.

import { planRequests } from '@pipeline/failure-markers';
import { poisonRecords } from '../poison.js';
import { judge, type Scenario, startPipeline } from '../scenario.js';

export const poison: Scenario = {
  name: 'poison',
  title: '10,000 poison records of every kind on every input topic beside 200 valid requests',
  async run(ctx) {
    const full = ctx.size === 'full';
    const pipeline = await startPipeline(ctx, this.name, {
      partitions: 6,
      instances: 1,
      thinkMs: 100,
    });
    try {
      const planned = planRequests(full ? 200 : 50, `${ctx.tag}-${this.name}`);
      const { records, marks } = poisonRecords(full ? 10_000 : 700, `${ctx.tag}`);
      for (const mark of marks) pipeline.badMarks.add(mark);
      const health = probeHealth(pipeline.instances[0]?.url ?? '');
      const t0 = Date.now();
      // Valid requests and bad records interleaved in 10 rounds, so the valid ones are in flight throughout.
      const rounds = 10;
      const validPerRound = Math.ceil(planned.length / rounds);
      const badPerRound = Math.ceil(records.length / rounds);
      for (let r = 0; r < rounds; r++) {
        await pipeline.submit(planned.slice(r * validPerRound, (r + 1) * validPerRound));
        await pipeline.sendRecords(records.slice(r * badPerRound, (r + 1) * badPerRound));
      }
      await pipeline.waitFinished(planned, 600_000);
      await pipeline.waitBadDeadLettered(600_000);
      const finishMs = Date.now() - t0;
      const probes = await health.stop();
      const result = await judge(pipeline, planned, { bad: records.length, finishMs, ...probes });
      if (probes.healthzUnanswered > 0) {
        result.pass = false;
        result.problems.push(`/healthz did not answer ${probes.healthzUnanswered} times`);
      }
      return result;
    } finally {
      await pipeline.stop();
    }
  },
};

/** Asks /healthz every 200 ms until stopped: how often it did not answer 200 within 5 s, and the slowest answer. */
function probeHealth(url: string): { stop(): Promise<{ healthzUnanswered: number; healthzMaxMs: number }> } {
  let running = true;
  let unanswered = 0;
  let maxMs = 0;
  const loop = (async () => {
    while (running) {
      const t = Date.now();
      const ok = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(5000) })
        .then((r) => r.ok)
        .catch(() => false);
      if (!ok) unanswered += 1;
      maxMs = Math.max(maxMs, Date.now() - t);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { healthzUnanswered: unanswered, healthzMaxMs: maxMs };
    },
  };
}
