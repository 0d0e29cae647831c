import type { Logger } from '@pipeline/common';
import { chunkSteps } from '../domain/chunk.js';
import { decideSweep, type SweepPolicy } from '../domain/sweep.js';
import type { Metrics } from '../metrics.js';
import { observeCommitted } from './observe.js';
import type { PartitionWorker } from './partition-worker.js';

export interface SweeperDeps {
  policy: SweepPolicy;
  intervalMs: number;
  /** The most one transaction may write, in bytes. */
  maxTransactionBytes: number;
  clock: () => number;
  workers: () => Iterable<PartitionWorker>;
  metrics: Metrics;
  logger: Logger;
}

/**
 * Deadlines and retention, on a timer, through the same transactional path as messages: each owned
 * partition that has caught up with its backlog gets a sweep job in its queue.
 */
export class Sweeper {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: SweeperDeps) {}

  start(): void {
    this.timer = setInterval(() => this.sweep(), this.deps.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private sweep(): void {
    const now = this.deps.clock();
    for (const worker of this.deps.workers()) {
      if (!worker.caughtUp(now)) continue;
      worker
        .enqueue(async () => {
          if (worker.state !== 'ready') return;
          const plan = decideSweep(worker.records(), this.deps.policy, now);
          const logger = this.deps.logger.child({ partition: worker.partition });
          for (const chunk of chunkSteps(plan.steps, worker.partition, this.deps.maxTransactionBytes)) {
            await worker.commit(chunk, []);
            observeCommitted(chunk, this.deps.metrics, logger);
          }
        })
        .catch((error: unknown) =>
          this.deps.logger.error({ err: error, partition: worker.partition }, 'sweep failed'),
        );
    }
  }
}
