import { connectChangeRequestSender, withBroker } from '@pipeline/cli-kit';
import { type PlannedRequest, planRequests } from '@pipeline/failure-markers';
import type { DemoContext } from './context.js';
import type { DemoKafka } from './provision-topics.js';

/**
 * Plans `count` change requests (some marked to fail) and sends them in one batch on the run's
 * change.request.in. Resolves to the plan and when it was sent.
 */
export async function submitRequests(
  ctx: DemoContext,
  kafka: DemoKafka,
  options: { count: number; runTag: string },
): Promise<{ planned: PlannedRequest[]; submittedAt: number }> {
  const { count } = options;
  const planned = planRequests(count, options.runTag);
  const failing = planned.filter((p) => p.fail);
  const markers = [...new Set(failing.map((p) => `fail-${p.fail}`))].join(', ');
  ctx.step(
    'submit',
    `${count} change request${count === 1 ? '' : 's'}` +
      (failing.length > 0
        ? `, ${failing.length} set to fail (${markers}; understood by the stub agents only)`
        : ''),
  );
  const sender = await withBroker(kafka.config, () => connectChangeRequestSender(kafka.client, kafka.names));
  try {
    const submittedAt = Date.now();
    await sender.send(
      ...planned.map((p) => ({
        id: p.id,
        repo: 'demo/shop',
        branch: 'main',
        description: p.fail ? `demo change that fails at ${p.fail}` : 'demo change',
        requester: 'pipeline-demo',
      })),
    );
    ctx.write('\n');
    return { planned, submittedAt };
  } finally {
    await sender.close().catch(() => {});
  }
}
