// Keyless agents answering at once while two orchestrator instances start: the requests wait in
// Kafka before either instance is up, every reply comes without a key within milliseconds of its
// command, on whatever partition the client picks (so most are forwarded to the partition of their
// request, whose owner may still be reading the state). One request in five belongs to a pair whose
// coder reports the same commit for both: their test specs name both requests and must be
// dead-lettered as ambiguous, once each, and the pair regresses at its deadline; nothing else may.

import { markedRegression, type PlannedRequest } from '@pipeline/failure-markers';
import { startKeylessAgents } from '../keyless-agents.js';
import { judge, type Scenario, startPipeline } from '../scenario.js';

// Long enough for a loaded pipeline (requests take a minute end to end at full size): the pairs'
// deadline must be the only one that fires. A 10 s deadline also regressed 5 of 240 requests whose
// keyless answer was dead-lettered as late 3 s after (docs/reliability.md, "Open findings").
const DEADLINE = '30s';

export const keyless: Scenario = {
  name: 'keyless-agents',
  title: 'keyless agents replying instantly during start-up, with ids that collide across requests',
  async run(ctx) {
    const count = ctx.size === 'full' ? 300 : 60;
    const pipeline = await startPipeline(ctx, this.name, {
      partitions: 6,
      instances: 2,
      thinkMs: 0,
      stubAgents: false,
      startOrchestrators: false,
      orchestratorEnv: { ORCH_STAGE_DEADLINE: DEADLINE },
    });
    try {
      // Requests 10k and 10k+1 of every ten form a collision pair.
      const groupOf = (i: number) => (i % 10 < 2 ? `pair-${Math.floor(i / 10)}` : undefined);
      const planned: PlannedRequest[] = Array.from({ length: count }, (_, i) => ({
        id: `cr-${ctx.tag}-${this.name}-${String(i).padStart(4, '0')}`,
        // A silent test planner ends a request as the pair's do: regressed in test_plan at the deadline.
        expected: groupOf(i) ? markedRegression('silent-test-planner') : { stage: 'done' },
      }));
      const groups = new Map(planned.map((p, i) => [p.id, groupOf(i)]));
      const agents = await startKeylessAgents(pipeline.client, pipeline.names, (id) => groups.get(id), 2);
      try {
        const t0 = Date.now();
        await pipeline.submit(planned);
        await Promise.all([pipeline.addInstance({ ready: false }), pipeline.addInstance({ ready: false })]);
        await Promise.all(pipeline.instances.map((o) => o.ready()));
        const readyMs = Date.now() - t0;
        await pipeline.waitFinished(planned, 300_000);
        const finishMs = Date.now() - t0;
        for (const mark of agents.ambiguous) pipeline.badMarks.add(mark);
        await pipeline.waitBadDeadLettered(60_000);
        return judge(pipeline, planned, {
          readyMs,
          finishMs,
          deadline: DEADLINE,
          ambiguous: agents.ambiguous.size,
        });
      } finally {
        await agents.stop();
      }
    } finally {
      await pipeline.stop();
    }
  },
};
