// Deadlines after an outage longer than a deadline: the orchestrator is down for 2.5 deadlines while
// the agents keep answering on time. The replies wait in Kafka; after the restart they must win over
// the deadlines (they were written before them), and only requests whose agent never answers regress
// with deadline_exceeded.

import {
  markedRegression,
  type PlannedRequest,
  planRequests,
  withFailureMarker,
} from '@pipeline/failure-markers';
import { hold, judge, type Scenario, startPipeline } from '../scenario.js';

const DEADLINE_MS = 8000;

export const deadlinesAfterOutage: Scenario = {
  name: 'deadlines-after-outage',
  title: 'deadlines after an outage longer than a deadline, with on-time replies in the backlog',
  async run(ctx) {
    const pipeline = await startPipeline(ctx, this.name, {
      partitions: 4,
      instances: 1,
      // Answers take 25–75 ms: even the queue of commands of a partition is answered within a second
      // or two of each command, well inside the deadline, while the orchestrator is away.
      thinkMs: 50,
      orchestratorEnv: { ORCH_STAGE_DEADLINE: `${DEADLINE_MS}ms` },
    });
    try {
      // The same size at full and ci: what counts is answers on time, which more requests than the
      // agents can answer within the deadline would break (the deadline would then rightly win).
      const count = 60;
      const silent = Math.max(2, Math.round(count / 20));
      const planned: PlannedRequest[] = [
        ...planRequests(count, `${ctx.tag}-${this.name}`),
        ...Array.from({ length: silent }, (_, i) => ({
          id: withFailureMarker(`cr-${ctx.tag}-${this.name}-silent-${i}`, 'silent-builder'),
          expected: markedRegression('silent-builder'),
        })),
      ];
      const [orchestrator] = pipeline.instances;
      if (!orchestrator) throw new Error('no orchestrator');
      const t0 = Date.now();
      await pipeline.submit(planned);
      // Let the requests get their first commands out, then take the orchestrator away while the
      // answers to them are still being written.
      await hold(1000);
      const outageMs = Math.round(DEADLINE_MS * 2.5);
      ctx.say(`  SIGKILL the orchestrator for ${outageMs / 1000} s (deadline ${DEADLINE_MS / 1000} s)`);
      await orchestrator.kill();
      await hold(outageMs);
      const at = Date.now();
      orchestrator.restart();
      await orchestrator.ready();
      const readyMs = Date.now() - at;
      await pipeline.waitFinished(planned, 300_000);
      return judge(pipeline, planned, {
        outageMs,
        deadlineMs: DEADLINE_MS,
        readyMs,
        finishMs: Date.now() - t0,
      });
    } finally {
      await pipeline.stop();
    }
  },
};
