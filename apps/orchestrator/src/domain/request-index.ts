import type { Stage } from '@pipeline/state-machine';
import { aliasesOf, type RequestRecord, stageOf } from './request-record.js';

/** What the counts are kept by: the stage, or `awaiting_approval` for a request held at a gate. */
export type CountKey = Stage | 'awaiting_approval';

/** Told of every change of the per-stage counts: `delta` requests entered (+) or left (−) `stage`. */
export type StageCountListener = (stage: CountKey, delta: number) => void;

/** A request waiting for an approval is counted apart, so that a gauge shows the waiting ones. */
function countKeyOf(record: RequestRecord): CountKey {
  return record.awaiting ? 'awaiting_approval' : stageOf(record);
}

/**
 * Requests by id, and the ids an agent may send instead (aliases: task, commit, plan, build and spec
 * ids). An alias may belong to several requests (two plans may name a task `t1`): it maps to all of
 * them, so that a keyless reply naming it is recognised as ambiguous instead of being applied to
 * whichever request came last. A request's new version replaces its own aliases and no one else's.
 * It also counts its requests per stage as they are put and forgotten, and tells `onCount`, so that
 * a gauge follows them without ever walking the requests.
 */
export class RequestIndex {
  private readonly records = new Map<string, RequestRecord>();
  private readonly aliases = new Map<string, Set<string>>();
  private readonly counts = new Map<CountKey, number>();

  constructor(private readonly onCount?: StageCountListener) {}

  get size(): number {
    return this.records.size;
  }

  get(requestId: string): RequestRecord | undefined {
    return this.records.get(requestId);
  }

  /** The requests an alias (`task:<id>`, `commit:<sha>`, …) belongs to. */
  lookupAlias(alias: string): string[] {
    return [...(this.aliases.get(alias) ?? [])];
  }

  values(): IterableIterator<RequestRecord> {
    return this.records.values();
  }

  /** Requests not finished (neither done nor regressed): what admission control counts. */
  get unfinished(): number {
    return this.records.size - (this.counts.get('done') ?? 0) - (this.counts.get('regress') ?? 0);
  }

  /** How many requests are in each stage (stages without any are left out). */
  countsByStage(): ReadonlyMap<CountKey, number> {
    return this.counts;
  }

  put(record: RequestRecord): void {
    this.forget(record.requestId);
    this.records.set(record.requestId, record);
    for (const alias of aliasesOf(record)) {
      const owners = this.aliases.get(alias) ?? new Set<string>();
      owners.add(record.requestId);
      this.aliases.set(alias, owners);
    }
    this.count(countKeyOf(record), 1);
  }

  forget(requestId: string): void {
    const record = this.records.get(requestId);
    if (!record) return;
    for (const alias of aliasesOf(record)) {
      const owners = this.aliases.get(alias);
      owners?.delete(requestId);
      if (owners?.size === 0) this.aliases.delete(alias);
    }
    this.records.delete(requestId);
    this.count(countKeyOf(record), -1);
  }

  clear(): void {
    const counts = [...this.counts];
    this.records.clear();
    this.aliases.clear();
    this.counts.clear();
    for (const [stage, n] of counts) this.onCount?.(stage, -n);
  }

  private count(stage: CountKey, delta: number): void {
    const n = (this.counts.get(stage) ?? 0) + delta;
    if (n === 0) this.counts.delete(stage);
    else this.counts.set(stage, n);
    this.onCount?.(stage, delta);
  }
}
