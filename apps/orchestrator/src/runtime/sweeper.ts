import type { Logger } from '@pipeline/common';
import type { OrchestratorInput } from '@pipeline/topics';
import { chunkSteps } from '../domain/chunk.js';
import { decideSweep, type SweepPolicy } from '../domain/sweep.js';
import type { Metrics } from '../metrics.js';
import { observeCommitted } from './observe.js';
import type { PartitionWorker } from './partition-worker.js';

export interface SweeperDeps {
  policy: SweepPolicy;
  /** The end offsets of the input topics, per partition, now (one look-up per sweep). */
  endOffsets: () => Promise<Map<OrchestratorInput, Map<number, bigint>>>;
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
 * partition gets a sweep job in its queue. A deadline is judged against the partition's read horizon
 * (read-horizon.ts), never against the clock alone, so a reply written in time wins over it; each
 * sweep samples the inputs' end offsets to move the horizons on.
 */
export class Sweeper {
  private timer: NodeJS.Timeout | undefined;
  /** At most one sweep at a time: a slow one is not joined by the next tick's. */
  private sweeping: Promise<void> | undefined;

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
    if (this.sweeping) return; // the previous sweep is still queued or running
    this.sweeping = this.run()
      .catch((error: unknown) => this.deps.logger.warn({ err: error }, 'sweep failed'))
      .finally(() => {
        this.sweeping = undefined;
      });
  }

  private async run(): Promise<void> {
    const at = this.deps.clock();
    const ends = await this.deps.endOffsets();
    const jobs = [...this.deps.workers()].map((worker) => {
      worker.sampleEnds(at, endsOf(ends, worker.partition));
      return worker
        .enqueue(async () => {
          if (worker.state !== 'ready') return;
          const now = this.deps.clock();
          worker.settleFinished();
          // In memory: unfinished requests and those finished since the store caught up; the other
          // finished ones are in the store, which is asked only for those past retention.
          const { retentionMs, maxPerSweep } = this.deps.policy;
          const records = [
            ...worker.records(),
            ...worker.storedFinishedBefore(now - retentionMs, maxPerSweep),
          ];
          const plan = decideSweep(records, this.deps.policy, now, worker.readHorizon());
          const logger = this.deps.logger.child({ partition: worker.partition });
          for (const chunk of chunkSteps(plan.steps, worker.partition, this.deps.maxTransactionBytes)) {
            await worker.commit(chunk, []);
            observeCommitted(chunk, this.deps.metrics, logger);
          }
        })
        .catch((error: unknown) =>
          this.deps.logger.error({ err: error, partition: worker.partition }, 'sweep failed'),
        );
    });
    await Promise.all(jobs);
  }
}

function endsOf(
  ends: Map<OrchestratorInput, Map<number, bigint>>,
  partition: number,
): Map<OrchestratorInput, bigint> {
  const of = new Map<OrchestratorInput, bigint>();
  for (const [topic, byPartition] of ends) {
    const end = byPartition.get(partition);
    if (end !== undefined) of.set(topic, end);
  }
  return of;
}
