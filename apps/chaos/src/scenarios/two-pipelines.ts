// Two pipelines with different topic prefixes and default settings (group and transactional ids
// derived from the prefix) on one cluster, both under load at once: each must finish all of its own
// requests and nothing of the other's.

import { planRequests } from '@pipeline/failure-markers';
import type { ChaosPipeline } from '../pipeline.js';
import { judge, type Scenario, startPipeline } from '../scenario.js';

export const twoPipelines: Scenario = {
  name: 'two-pipelines',
  title: 'two pipelines with different prefixes and default settings on one cluster',
  async run(ctx) {
    const count = ctx.size === 'full' ? 300 : 60;
    const pipelines: ChaosPipeline[] = [];
    try {
      for (const side of ['a', 'b']) {
        pipelines.push(
          await startPipeline(
            ctx,
            this.name,
            {
              partitions: 4,
              instances: 1,
              thinkMs: 20,
            },
            side,
          ),
        );
      }
      const plans = pipelines.map((_, i) => planRequests(count, `${ctx.tag}-${this.name}-${i}`));
      const t0 = Date.now();
      await Promise.all(pipelines.map((p, i) => p.submit(plans[i] ?? [], { waves: 10, gapMs: 200 })));
      await Promise.all(pipelines.map((p, i) => p.waitFinished(plans[i] ?? [], 300_000)));
      const finishMs = Date.now() - t0;
      const [a, b] = await Promise.all(pipelines.map((p, i) => judge(p, plans[i] ?? [], { finishMs })));
      if (!a || !b) throw new Error('two pipelines expected');
      // Each pipeline's audit sees only its own prefix: a request of the other side would show up as
      // an unexpected dead letter or an extra request there.
      const foreign = pipelines.map(
        (p, i) => [...p.audit.requests.keys()].filter((id) => plans[1 - i]?.some((q) => q.id === id)).length,
      );
      const problems = [...a.problems.map((x) => `a: ${x}`), ...b.problems.map((x) => `b: ${x}`)];
      if (foreign.some((n) => n > 0))
        problems.push(`requests seen on the other pipeline: ${foreign.join(', ')}`);
      const sum = (k: string) => Number(a.figures[k] ?? 0) + Number(b.figures[k] ?? 0);
      return {
        pass: a.pass && b.pass && foreign.every((n) => n === 0),
        figures: {
          requests: 2 * count,
          finishMs,
          lost: sum('lost'),
          duplicated: sum('duplicated'),
          wrong: sum('wrong'),
          frozenPartitions: sum('frozenPartitions'),
          crossTalk: foreign.reduce((x, y) => x + y, 0),
          unexpectedDeadLetters: sum('unexpectedDeadLetters'),
        },
        problems,
      };
    } finally {
      await Promise.all(pipelines.map((p) => p.stop()));
    }
  },
};
