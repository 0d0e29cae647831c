// The orchestrator SIGKILLed at random moments while requests flow; each time a new process takes
// over from the state topic.

import { hold, randomBetween, type Scenario, underLoad } from '../scenario.js';

export const orchestratorKills: Scenario = {
  name: 'orchestrator-sigkill',
  title: 'orchestrator SIGKILLed 5 times at random moments during 1,000 requests',
  async run(ctx) {
    const full = ctx.size === 'full';
    const kills = full ? 5 : 2;
    return underLoad(
      ctx,
      this.name,
      { partitions: 6, instances: 1, thinkMs: 30 },
      { requests: full ? 1000 : 150, waves: 20, gapMs: full ? 600 : 300, finishTimeoutMs: 300_000 },
      async (pipeline, planned) => {
        const [orchestrator] = pipeline.instances;
        if (!orchestrator) throw new Error('no orchestrator');
        let recoveryMs = 0;
        for (let k = 1; k <= kills; k++) {
          await hold(randomBetween(1000, full ? 3000 : 2000));
          const done = pipeline.audit.finishedCount(planned.map((p) => p.id));
          ctx.say(`  SIGKILL ${k}/${kills} with ${done}/${planned.length} finished`);
          const at = Date.now();
          await orchestrator.kill();
          orchestrator.restart();
          await orchestrator.ready();
          // Recovery: until the new process is ready and a request finishes after the kill.
          const next = done < planned.length ? await pipeline.audit.waitFinalAfter(at, 120_000) : Date.now();
          recoveryMs = Math.max(recoveryMs, (next ?? Date.now()) - at);
        }
        return { recoveryMs, figures: { kills } };
      },
    );
  },
};
