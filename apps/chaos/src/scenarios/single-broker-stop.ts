// The only broker of a one-node cluster stopped for 15 s under load, then started again with its data
// (a controlled shutdown, as an operator's restart or a host reboot does it). Unlike the 3-broker
// faults nothing can take over: every client waits for the same broker to come back.

import { dirname, join } from 'node:path';
import { ensureCluster } from '../cluster.js';
import { hold, type Scenario, underLoad } from '../scenario.js';

const STOP_MS = 15_000;

export const singleBrokerStop: Scenario = {
  name: 'single-broker-stop-15s',
  title: 'the only broker of a one-node cluster stopped for 15 s under load, then started with its data',
  async run(ctx) {
    const full = ctx.size === 'full';
    // A cluster of its own beside the run's 3 brokers (which idle meanwhile), in the suite's folder.
    const single = await ensureCluster(join(dirname(ctx.cluster.home), 'single'), ctx.say, 1);
    try {
      return await underLoad(
        { ...ctx, cluster: single },
        this.name,
        { partitions: 6, instances: 2, thinkMs: 30 },
        { requests: full ? 600 : 150, waves: 30, gapMs: full ? 700 : 500, finishTimeoutMs: 300_000 },
        async (pipeline, planned) => {
          await hold(2000);
          ctx.say(`  stopping the only broker (controlled shutdown) for ${STOP_MS / 1000} s`);
          const at = Date.now();
          await single.stopNode(1, { hard: false });
          const shutdownMs = Date.now() - at;
          const unfinished = () => pipeline.audit.finishedCount(planned.map((p) => p.id)) < planned.length;
          await hold(STOP_MS);
          await single.startNode(1);
          // Recovery counts from the broker answering again, as the cluster outage's does from the thaw.
          const back = Date.now();
          const next = unfinished() ? await pipeline.audit.waitFinalAfter(back, 180_000) : back;
          return {
            recoveryMs: (next ?? Date.now()) - back,
            figures: { shutdownMs, downMs: back - at },
          };
        },
      );
    } finally {
      await single.down();
    }
  },
};
