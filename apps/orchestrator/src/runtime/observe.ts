import type { Logger } from '@pipeline/common';
import { PROGRESS } from '@pipeline/topics';
import type { Chunk } from '../domain/chunk.js';
import type { Metrics } from '../metrics.js';

/** Metrics and logs of a committed plan; latency is measured now, after the commit. */
export function observeCommitted(plan: Chunk, metrics: Metrics, logger: Logger): void {
  const committedAt = Date.now();
  for (const effect of plan.effects) {
    switch (effect.kind) {
      case 'applied':
        if (effect.topic === PROGRESS) metrics.progress.inc({ outcome: 'recorded' });
        if (effect.producedAt !== undefined && committedAt >= effect.producedAt) {
          metrics.processingLatency.observe((committedAt - effect.producedAt) / 1000);
        }
        if (effect.change) {
          const { from, to, at, fromEnteredAt } = effect.change;
          metrics.stageTotal.inc({ stage: to });
          metrics.stageDuration.observe({ stage: from }, Math.max(0, at - fromEnteredAt) / 1000);
          logger.info(
            { requestId: effect.requestId, from, to, via: effect.topic, sent: effect.commands },
            'stage changed',
          );
        }
        break;
      case 'rejected':
        metrics.rejected.inc({ reason: effect.reason });
        metrics.deadLettered.inc({ reason: effect.reason });
        logger.warn(
          { requestId: effect.requestId, topic: effect.topic, reason: effect.reason, detail: effect.detail },
          'message dead-lettered',
        );
        break;
      case 'ignored':
        metrics.progress.inc({ outcome: 'stale' });
        logger.debug(
          { requestId: effect.requestId, topic: effect.topic, detail: effect.detail },
          'progress ignored',
        );
        break;
      case 'forwarded':
      case 'hopped': {
        // To the request's partition, or (keyless, `hopped`) to its alias's for correlation there.
        metrics.forwarded.inc();
        const { kind: _, ...fields } = effect;
        logger.debug(
          fields,
          effect.kind === 'forwarded'
            ? 'message forwarded'
            : 'keyless message handed to the owner of its alias',
        );
        break;
      }
    }
  }
  if (plan.forgotten.length > 0) logger.info({ count: plan.forgotten.length }, 'finished requests forgotten');
}
