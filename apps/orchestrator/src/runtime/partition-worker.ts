import { randomUUID } from 'node:crypto';
import { type Kafka, type Logger, physicalTopic, type TopicNames } from '@pipeline/kafka';
import { STATE, type Topic } from '@pipeline/topics';
import type { Admin } from 'kafkajs';
import { aliasesOf, type RequestRecord } from '../domain/request-record.js';
import type { StateDirectory } from '../state/directory.js';
import { BARRIER_HEADER, barrierKey, encodeState } from '../state/state-record.js';
import type { BatchPlan } from './plan-batch.js';
import { type OffsetCommit, PartitionProducer, type TxRecord } from './transaction.js';

/**
 * Lifecycle of a worker: restoring (also again after a failed transaction) until its state is read,
 * then ready, until closed.
 */
export type WorkerState = 'restoring' | 'ready' | 'closed';

export interface WorkerDeps {
  kafka: Kafka;
  admin: Admin;
  directory: StateDirectory;
  names: TopicNames;
  groupId: string;
  /** Physical names of the input topics, for the committed offsets and end offsets of p. */
  inputTopics: readonly string[];
  restoreTimeoutMs: number;
  logger: Logger;
  /** The previous worker of this partition on this instance, to be closed before we open. */
  after?: Promise<void>;
  /** Called after every successful restore (the first and those after a failed transaction). */
  onRestored?: (restoreMs: number) => void;
}

/** How long after a restore the deadline sweep waits for input topics that deliver nothing. */
const CATCH_UP_GRACE_MS = 5000;

/**
 * Owns partition p of every input topic and of the state topic on this instance: the requests
 * that hash to p, their state, and the transactional producer of p. Work on p is serialised
 * through one queue (batches of different input topics, deadline sweeps), because one
 * transactional producer runs one transaction at a time and because a request's messages must be
 * applied in order.
 */
export class PartitionWorker {
  state: WorkerState = 'restoring';
  restoreMs = 0;
  private restoring: Promise<void>;
  private readonly store = new Map<string, RequestRecord>();
  private readonly aliases = new Map<string, string>();
  private producer: PartitionProducer | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly closing = new AbortController();
  /** Committed offset of each input topic at the last restore: anything below was already applied. */
  private floors = new Map<string, bigint>();
  /** Input topics whose backlog (as of the last restore) has not been read yet, with its end. */
  private backlog = new Map<string, bigint>();
  private readyAt = 0;

  constructor(
    readonly partition: number,
    private readonly deps: WorkerDeps,
  ) {
    this.restoring = this.restoreUntilDone(deps.after);
  }

  /** Resolves when the worker is ready (or closed). Never rejects: restores are retried. */
  whenReady(): Promise<void> {
    return this.restoring;
  }

  get size(): number {
    return this.store.size;
  }

  get(requestId: string): RequestRecord | undefined {
    return this.store.get(requestId);
  }

  lookupAlias(alias: string): string | undefined {
    return this.aliases.get(alias);
  }

  records(): IterableIterator<RequestRecord> {
    return this.store.values();
  }

  /**
   * The offset below which records of `topic` were already applied (by us before a failure, or by
   * the previous owner): a batch fetched from an older position must skip them.
   */
  floor(topic: string): bigint {
    return this.floors.get(topic) ?? 0n;
  }

  /** Notes how far a topic's backlog has been read; see `caughtUp`. */
  advanced(topic: string, nextOffset: bigint): void {
    const end = this.backlog.get(topic);
    if (end !== undefined && nextOffset >= end) this.backlog.delete(topic);
  }

  /**
   * Whether the replies that were waiting when the partition was restored have been read. Until
   * then a deadline must not fire: the answer that beats it may be in that backlog. A topic whose
   * remaining records are only transaction markers never delivers a batch, hence the grace.
   */
  caughtUp(now: number): boolean {
    return this.state === 'ready' && (this.backlog.size === 0 || now - this.readyAt > CATCH_UP_GRACE_MS);
  }

  /** Runs `job` after every job queued before it on this partition. */
  enqueue<T>(job: () => Promise<T>): Promise<T> {
    const run = this.queue.then(job, job);
    this.queue = run.catch(() => {});
    return run;
  }

  /**
   * Commits a plan: its records, the new state of every request it changed, and the input offsets,
   * in one transaction. Only after the commit does the in-memory state change. On failure the
   * producer is discarded and the partition restored from Kafka, which settles whether an
   * ambiguous commit happened (state and offsets are read back); the caller re-reads its batch.
   */
  async commit(plan: BatchPlan, offsets: OffsetCommit[], tombstones: string[] = []): Promise<void> {
    const producer = this.producer;
    if (this.state !== 'ready' || !producer) throw new Error(`partition ${this.partition} is ${this.state}`);
    const { names } = this.deps;
    const stateTopic = physicalTopic(STATE, names);
    const records: TxRecord[] = plan.records.map((r) => ({
      ...r,
      topic: physicalTopic(r.topic as Topic, names),
    }));
    for (const record of plan.updated.values()) {
      records.push({
        topic: stateTopic,
        key: record.requestId,
        value: encodeState(record),
        headers: {},
        partition: this.partition,
      });
    }
    for (const requestId of tombstones) {
      records.push({
        topic: stateTopic,
        key: requestId,
        value: null,
        headers: {},
        partition: this.partition,
      });
    }
    if (records.length === 0 && offsets.length === 0) return;
    try {
      await producer.commit(records, offsets);
    } catch (error) {
      this.deps.logger.warn({ err: error }, 'transaction failed; restoring the partition');
      this.state = 'restoring';
      this.producer = undefined;
      this.restoring = this.restoreUntilDone(producer.close());
      throw error;
    }
    for (const record of plan.updated.values()) this.put(record);
    for (const requestId of tombstones) this.forget(requestId);
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.closing.abort();
    await this.restoring;
    await this.queue.catch(() => {});
    const producer = this.producer;
    this.producer = undefined;
    await producer?.close();
  }

  /** Restores, retrying with backoff until it works or the worker is closed. */
  private async restoreUntilDone(after?: Promise<void>): Promise<void> {
    await after?.catch(() => {});
    for (let attempt = 0; !this.isClosed(); attempt++) {
      try {
        await this.restoreOnce();
        return;
      } catch (error) {
        if (this.isClosed()) return;
        const delayMs = Math.min(30_000, 500 * 2 ** attempt);
        this.deps.logger.error({ err: error, attempt, delayMs }, 'partition restore failed; retrying');
        await sleep(delayMs, this.closing.signal);
      }
    }
  }

  private async restoreOnce(): Promise<void> {
    const started = Date.now();
    const { directory, names, groupId, admin } = this.deps;
    // Opening the producer fences any previous owner of this partition and aborts its open
    // transaction, so nothing can be committed to p behind our back from here on.
    const producer = new PartitionProducer(this.deps.kafka, `${groupId}-${this.partition}`, this.deps.logger);
    try {
      await producer.open();
      this.throwIfClosed();
      const nonce = randomUUID();
      const seen = directory.waitForBarrier(nonce, this.deps.restoreTimeoutMs, this.closing.signal);
      seen.catch(() => {}); // awaited below; a failed commit must not leave it unhandled
      const barrier: TxRecord = {
        topic: physicalTopic(STATE, names),
        key: barrierKey(this.partition),
        value: Buffer.from(JSON.stringify({ barrier: nonce, at: started })),
        headers: { [BARRIER_HEADER]: nonce },
        partition: this.partition,
      };
      await producer.commit([barrier], []);
      await seen;
      this.throwIfClosed();
      const [floors, backlog] = await Promise.all([this.committedOffsets(admin), this.endOffsets(admin)]);
      this.throwIfClosed();
      this.store.clear();
      this.aliases.clear();
      for (const record of directory.recordsOf(this.partition)) this.put(record);
      this.floors = floors;
      this.backlog = new Map([...backlog].filter(([topic, end]) => end > (floors.get(topic) ?? 0n)));
    } catch (error) {
      await producer.close();
      throw error;
    }
    this.producer = producer;
    this.state = 'ready';
    this.readyAt = Date.now();
    this.restoreMs = this.readyAt - started;
    this.deps.logger.info({ requests: this.store.size, restoreMs: this.restoreMs }, 'partition restored');
    this.deps.onRestored?.(this.restoreMs);
  }

  private async committedOffsets(admin: Admin): Promise<Map<string, bigint>> {
    const topics = await admin.fetchOffsets({
      groupId: this.deps.groupId,
      topics: [...this.deps.inputTopics],
    });
    const floors = new Map<string, bigint>();
    for (const { topic, partitions } of topics) {
      const offset = partitions.find((p) => p.partition === this.partition)?.offset;
      if (offset !== undefined && offset !== '-1') floors.set(topic, BigInt(offset));
    }
    return floors;
  }

  private async endOffsets(admin: Admin): Promise<Map<string, bigint>> {
    // One lookup per input topic, at once: a restore should not wait for them one after another.
    const highs = await Promise.all(
      this.deps.inputTopics.map(async (topic) => {
        const offsets = await admin.fetchTopicOffsets(topic);
        return [topic, offsets.find((o) => o.partition === this.partition)?.high] as const;
      }),
    );
    const ends = new Map<string, bigint>();
    for (const [topic, high] of highs) if (high !== undefined) ends.set(topic, BigInt(high));
    return ends;
  }

  /** A method, not a property check: the state changes across awaits, which narrowing ignores. */
  private isClosed(): boolean {
    return this.state === 'closed';
  }

  private throwIfClosed(): void {
    if (this.isClosed()) throw new Error(`partition ${this.partition} closed during restore`);
  }

  private put(record: RequestRecord): void {
    // Drop the previous version's aliases first: ids a request no longer has must not point at it.
    this.forget(record.requestId);
    this.store.set(record.requestId, record);
    for (const alias of aliasesOf(record)) this.aliases.set(alias, record.requestId);
  }

  private forget(requestId: string): void {
    const record = this.store.get(requestId);
    if (!record) return;
    for (const alias of aliasesOf(record)) this.aliases.delete(alias);
    this.store.delete(requestId);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
