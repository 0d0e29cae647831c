// Three orchestrator instances restarted one after the other (SIGTERM, a new process, ready) while
// requests flow: partitions move twice per restart; every move is a restore.

import { hold, percentile, type Scenario, underLoad } from '../scenario.js';

export const rollingRestart: Scenario = {
  name: 'orchestrator-rolling-restart',
  title: 'rolling restart of 3 orchestrator instances under load',
  async run(ctx) {
    const full = ctx.size === 'full';
    return underLoad(
      ctx,
      this.name,
      { partitions: 6, instances: 3, thinkMs: 30 },
      { requests: full ? 1000 : 150, waves: 30, gapMs: full ? 500 : 250, finishTimeoutMs: 300_000 },
      async (pipeline, planned) => {
        await hold(1500);
        const from = Date.now();
        let restores = 0;
        for (const instance of pipeline.instances) {
          ctx.say(`  restarting ${instance.name}`);
          restores += await instance.metric('orch_restores_total');
          await instance.stop();
          instance.restart();
          await instance.ready();
        }
        const to = Date.now();
        for (const instance of pipeline.instances) restores += await instance.metric('orch_restores_total');
        const during = pipeline.latencies(planned, { from, to });
        return {
          figures: { restartMs: to - from, restores, p99DuringRestartMs: percentile(during, 99) },
        };
      },
    );
  },
};
