// A zombie: one of two instances frozen (SIGSTOP) longer than its session timeout, so the group
// gives its partitions to the other; then thawed (SIGCONT) under load. Its producers are fenced: it
// must not write anything for the partitions it lost, and must rejoin.

import { CHAOS_ORCHESTRATOR_ENV } from '../pipeline.js';
import { hold, type Scenario, underLoad } from '../scenario.js';

const SESSION_MS = Number.parseInt(CHAOS_ORCHESTRATOR_ENV.ORCH_SESSION_TIMEOUT, 10) * 1000;

export const zombie: Scenario = {
  name: 'orchestrator-zombie',
  title: 'one instance SIGSTOPped longer than its session timeout, then SIGCONTed, under load',
  async run(ctx) {
    const full = ctx.size === 'full';
    return underLoad(
      ctx,
      this.name,
      { partitions: 6, instances: 2, thinkMs: 30 },
      { requests: full ? 1000 : 150, waves: 30, gapMs: full ? 700 : 400, finishTimeoutMs: 300_000 },
      async (pipeline) => {
        const [frozen] = pipeline.instances;
        if (!frozen) throw new Error('no orchestrator');
        await hold(1500);
        const frozenMs = SESSION_MS + 5000;
        ctx.say(`  SIGSTOP ${frozen.name} for ${frozenMs / 1000} s (session timeout ${SESSION_MS / 1000} s)`);
        frozen.freeze();
        await hold(frozenMs);
        const at = Date.now();
        frozen.thaw();
        await frozen.ready();
        return { recoveryMs: Date.now() - at, figures: { sigstopMs: frozenMs } };
      },
    );
  },
};
