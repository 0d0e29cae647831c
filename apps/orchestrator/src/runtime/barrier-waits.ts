/**
 * Restore barriers awaited and seen (runtime/restore.ts): a worker taking partition p over writes a
 * barrier with a nonce to p and waits until the state directory has read it. A barrier may be read
 * before its wait starts (it is then remembered), and a wait gives up only once the directory has
 * read nothing of p for its timeout, however long a cold read of a long history takes.
 */
export class BarrierWaits {
  private readonly seen = new Set<string>();
  private readonly waiters = new Map<string, () => void>();

  /** `lastProgress(p)`: when the directory last read further in partition p (Date.now), 0 if never. */
  constructor(private readonly lastProgress: (partition: number) => number) {}

  /**
   * Resolves once the barrier with this nonce, written to partition `partition`, has been read.
   * Rejects once nothing of that partition has been read for `timeoutMs`, or at once when `signal`
   * aborts (the worker was closed meanwhile).
   */
  wait(nonce: string, partition: number, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (this.seen.delete(nonce)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const done = (error?: Error) => {
        clearInterval(timer);
        signal?.removeEventListener('abort', onAbort);
        this.waiters.delete(nonce);
        if (error) reject(error);
        else resolve();
      };
      const onAbort = () => done(new Error(`restore barrier ${nonce} no longer awaited: worker closed`));
      // A directory still reading a long history (a cold start) is not stuck: the time counts from
      // the later of the wait's start and the directory's last progress.
      const since = Date.now();
      const timer = setInterval(
        () => {
          if (Date.now() - Math.max(since, this.lastProgress(partition)) < timeoutMs) return;
          done(
            new Error(
              `state directory did not read restore barrier ${nonce}: it read nothing of state partition ${partition} for ${timeoutMs} ms`,
            ),
          );
        },
        Math.min(timeoutMs, 1000),
      );
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.set(nonce, () => done());
    });
  }

  /** The directory read the barrier with this nonce. */
  arrived(nonce: string): void {
    const waiter = this.waiters.get(nonce);
    if (waiter) {
      this.waiters.delete(nonce);
      waiter();
    } else {
      this.seen.add(nonce);
      // Barriers of other instances pile up otherwise; only recent ones can still be awaited.
      if (this.seen.size > 1000) this.seen.delete(this.seen.values().next().value as string);
    }
  }
}
