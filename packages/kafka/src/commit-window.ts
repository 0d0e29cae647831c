// Which offsets a consumer that finishes records out of order may commit: per partition, the records
// handed out and not finished yet; the commit is the first unfinished one (everything before it is
// done), or, when none is open, the position after the last batch. Pure bookkeeping, no I/O.

export interface CommitPoint {
  topic: string;
  partition: number;
  offset: bigint;
}

interface PartitionWindow {
  topic: string;
  partition: number;
  /** Handed out, not finished. */
  open: Set<bigint>;
  /** Every record before this was handed out (or was a transaction marker). */
  upTo: bigint;
  /** The last offset committed (or known committed). */
  committed: bigint | undefined;
}

export class CommitWindow {
  private readonly windows = new Map<string, PartitionWindow>();

  private window(topic: string, partition: number): PartitionWindow {
    const key = `${topic}\u0000${partition}`;
    let window = this.windows.get(key);
    if (!window) {
      window = { topic, partition, open: new Set(), upTo: -1n, committed: undefined };
      this.windows.set(key, window);
    }
    return window;
  }

  /** A record is handed out (or, already running since an earlier generation, tracked again). */
  open(topic: string, partition: number, offset: bigint): void {
    const window = this.window(topic, partition);
    window.open.add(offset);
    if (offset + 1n > window.upTo) window.upTo = offset + 1n;
  }

  /** Every record of the partition before `nextOffset` was handed out (markers included). */
  advance(topic: string, partition: number, nextOffset: bigint): void {
    const window = this.window(topic, partition);
    if (nextOffset > window.upTo) window.upTo = nextOffset;
  }

  /** A record is done (answered or dead-lettered). Unknown ones (a partition dropped since) are ignored. */
  finish(topic: string, partition: number, offset: bigint): void {
    this.windows.get(`${topic}\u0000${partition}`)?.open.delete(offset);
  }

  /** What may be committed now and was not yet: one point per partition that moved. */
  committable(): CommitPoint[] {
    const points: CommitPoint[] = [];
    for (const w of this.windows.values()) {
      if (w.upTo < 0n) continue;
      let offset = w.upTo;
      for (const open of w.open) if (open < offset) offset = open;
      if (w.committed === undefined || offset > w.committed)
        points.push({ topic: w.topic, partition: w.partition, offset });
    }
    return points;
  }

  /** These points were committed. */
  committed(points: readonly CommitPoint[]): void {
    for (const p of points) {
      const w = this.windows.get(`${p.topic}\u0000${p.partition}`);
      if (w && (w.committed === undefined || p.offset > w.committed)) w.committed = p.offset;
    }
  }

  /**
   * A new group generation: the consumer reads every assigned partition again from its committed
   * offset, so what this window knew is dropped (records still running are tracked again when they
   * come back: `open`).
   */
  reset(): void {
    this.windows.clear();
  }

  /** Records handed out and not finished, over every partition. */
  openCount(): number {
    let n = 0;
    for (const w of this.windows.values()) n += w.open.size;
    return n;
  }
}
