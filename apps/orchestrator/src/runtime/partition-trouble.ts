import type { WorkerState } from './worker-lifecycle.js';

/**
 * Failed transactions in a row before a partition that keeps becoming ready again counts as in
 * trouble: one or two failures happen (a broker restart, a leader move) and the restore settles them;
 * a partition that fails every batch loops restoring → ready → restoring and is never "not ready" for
 * long, which is why failures are counted and not only the time spent restoring.
 */
export const FAILURES_IN_TROUBLE = 3;

/**
 * How long a partition worker has been unable to make progress, for liveness: since it stopped
 * being ready (restoring, or fenced and waiting for the group), or, once FAILURES_IN_TROUBLE
 * transactions have failed in a row, since the first of them. A committed transaction clears it.
 */
export class PartitionTrouble {
  private notReadySince: number | undefined;
  private failures = 0;
  private firstFailureAt: number | undefined;

  /** A new worker starts restoring: not ready since `now`. */
  constructor(now: number) {
    this.notReadySince = now;
  }

  entered(state: WorkerState, now: number): void {
    if (state === 'restoring' || state === 'fenced') this.notReadySince ??= now;
    else this.notReadySince = undefined;
  }

  failed(now: number): void {
    this.failures += 1;
    this.firstFailureAt ??= now;
  }

  committed(): void {
    this.failures = 0;
    this.firstFailureAt = undefined;
  }

  /** 0 when fine (and for a closing or closed worker: it is on its way out, not stuck). */
  ms(state: WorkerState, now: number): number {
    if (state === 'closing' || state === 'closed') return 0;
    let since = this.notReadySince;
    if (this.failures >= FAILURES_IN_TROUBLE && this.firstFailureAt !== undefined)
      since = Math.min(since ?? Number.POSITIVE_INFINITY, this.firstFailureAt);
    return since === undefined ? 0 : Math.max(0, now - since);
  }
}
