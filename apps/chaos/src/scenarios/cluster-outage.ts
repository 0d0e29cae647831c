// The whole cluster gone for 15 s under load: every broker's JVM frozen (SIGSTOP), then thawed. The
// clients see what a network partition or a stop of the only broker shows them: no answer at all.
// (A stop and start of every node would need the controllers to find each other while the launcher
// starts them one at a time; a freeze keeps their data and ports, like a stop, without that.)

import { hold, type Scenario, underLoad } from '../scenario.js';

const OUTAGE_MS = 15_000;

export const clusterOutage: Scenario = {
  name: 'cluster-outage-15s',
  title: 'every broker unreachable for 15 s under load (all three frozen), then back',
  async run(ctx) {
    const full = ctx.size === 'full';
    return underLoad(
      ctx,
      this.name,
      { partitions: 6, instances: 2, thinkMs: 30 },
      { requests: full ? 600 : 150, waves: 30, gapMs: full ? 700 : 500, finishTimeoutMs: 300_000 },
      async (pipeline, planned) => {
        await hold(2000);
        ctx.say(`  SIGSTOP all ${ctx.cluster.nodeIds.length} brokers for ${OUTAGE_MS / 1000} s`);
        ctx.cluster.freezeAll(true);
        try {
          await hold(OUTAGE_MS);
        } finally {
          ctx.cluster.freezeAll(false);
        }
        const at = Date.now();
        const unfinished = pipeline.audit.finishedCount(planned.map((p) => p.id)) < planned.length;
        const next = unfinished ? await pipeline.audit.waitFinalAfter(at, 180_000) : Date.now();
        return { recoveryMs: (next ?? Date.now()) - at, figures: { outageMs: OUTAGE_MS } };
      },
    );
  },
};
