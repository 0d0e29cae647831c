import { aliasesOf, type RequestRecord } from './request-record.js';

/**
 * Requests by id, and the ids an agent may send instead (aliases: task, commit, plan, build and spec
 * ids). An alias may belong to several requests (two plans may name a task `t1`): it maps to all of
 * them, so that a keyless reply naming it is recognised as ambiguous instead of being applied to
 * whichever request came last. A request's new version replaces its own aliases and no one else's.
 */
export class RequestIndex {
  private readonly records = new Map<string, RequestRecord>();
  private readonly aliases = new Map<string, Set<string>>();

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

  put(record: RequestRecord): void {
    this.forget(record.requestId);
    this.records.set(record.requestId, record);
    for (const alias of aliasesOf(record)) {
      const owners = this.aliases.get(alias) ?? new Set<string>();
      owners.add(record.requestId);
      this.aliases.set(alias, owners);
    }
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
  }

  clear(): void {
    this.records.clear();
    this.aliases.clear();
  }
}
