import { aliasesOf, type RequestRecord } from './request-record.js';

/**
 * Requests by id, and the ids an agent may send instead (aliases: task, commit, plan, build and spec
 * ids). A new version of a request replaces its aliases: ids it no longer has stop pointing at it.
 */
export class RequestIndex {
  private readonly records = new Map<string, RequestRecord>();
  private readonly aliases = new Map<string, string>();

  get size(): number {
    return this.records.size;
  }

  get(requestId: string): RequestRecord | undefined {
    return this.records.get(requestId);
  }

  /** The request an alias (`task:<id>`, `commit:<sha>`, …) belongs to. */
  lookupAlias(alias: string): string | undefined {
    return this.aliases.get(alias);
  }

  values(): IterableIterator<RequestRecord> {
    return this.records.values();
  }

  put(record: RequestRecord): void {
    this.forget(record.requestId);
    this.records.set(record.requestId, record);
    for (const alias of aliasesOf(record)) this.aliases.set(alias, record.requestId);
  }

  forget(requestId: string): void {
    const record = this.records.get(requestId);
    if (!record) return;
    for (const alias of aliasesOf(record)) this.aliases.delete(alias);
    this.records.delete(requestId);
  }

  clear(): void {
    this.records.clear();
    this.aliases.clear();
  }
}
