import { randomBytes } from 'node:crypto';
import { pause } from '@pipeline/common';
import type { OffsetCommit, OutboundRecord, TransactionalProducer } from '@pipeline/kafka';
import { type OrchestratorInput, STATE } from '@pipeline/topics';
import type { BatchPlan } from '../domain/decide-batch.js';
import { RequestIndex, type StageCountListener } from '../domain/request-index.js';
import type { RequestRecord } from '../domain/request-record.js';
import { encodeState } from '../domain/state-record.js';
import { type RestoreDeps, restorePartition } from './restore.js';

/**
 * Lifecycle of a worker: restoring (also again after a failed transaction) until its state is read,
 * then ready, until closed.
 */
export type WorkerState = 'restoring' | 'ready' | 'closed';

export interface WorkerDeps extends RestoreDeps {
  /** The previous worker of this partition on this instance, to be closed before we open. */
  after?: Promise<void>;
  /** Called after every successful restore (the first and those after a failed transaction). */
  onRestored?: (restoreMs: number) => void;
  /** Told how many requests of this partition enter (+) or leave (−) each stage: the in-flight gauge. */
  onStageCount?: StageCountListener;
}

/**
 * A request's nonce: 64 random bits, given when the request is first stored (the decisions in
 * src/domain draw no random number; they read it from the record). Build ids carry it.
 */
const newNonce = () => randomBytes(8).toString('hex');

/** The record with a nonce: its own, or a new one for a request stored for the first time. */
function withNonce(record: RequestRecord): RequestRecord {
  return record.nonce ? record : { ...record, nonce: newNonce() };
}

/** How long after a restore the deadline sweep waits for input topics that deliver nothing. */
const CATCH_UP_GRACE_MS = 5000;
/** A failed restore is tried again after 0.5 s, 1 s, 2 s, … up to 30 s. */
const restoreDelayMs = (attempt: number) => Math.min(30_000, 500 * 2 ** (attempt - 1));

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
  private readonly store: RequestIndex;
  private producer: TransactionalProducer | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly closing = new AbortController();
  private floors = new Map<OrchestratorInput, bigint>();
  private backlog = new Map<OrchestratorInput, bigint>();
  private readyAt = 0;

  constructor(
    readonly partition: number,
    private readonly deps: WorkerDeps,
  ) {
    this.store = new RequestIndex(deps.onStageCount);
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
    return this.store.lookupAlias(alias);
  }

  records(): IterableIterator<RequestRecord> {
    return this.store.values();
  }

  /**
   * The offset below which records of `topic` were already applied (by us before a failure, or by
   * the previous owner): a batch fetched from an older position must skip them.
   */
  floor(topic: OrchestratorInput): bigint {
    return this.floors.get(topic) ?? 0n;
  }

  /** Notes how far a topic's backlog has been read; see `caughtUp`. */
  advanced(topic: OrchestratorInput, nextOffset: bigint): void {
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
   * Commits a plan: its records, the new state of every request it changed or forgot, and the input
   * offsets, in one transaction. Only after the commit does the in-memory state change. On failure
   * the producer is discarded and the partition restored from Kafka, which settles whether an
   * ambiguous commit happened (state and offsets are read back); the caller re-reads its batch.
   */
  async commit(plan: BatchPlan, offsets: readonly OffsetCommit[]): Promise<void> {
    const producer = this.producer;
    if (this.state !== 'ready' || !producer) throw new Error(`partition ${this.partition} is ${this.state}`);
    const state = (key: string, value: Buffer | null): OutboundRecord => ({
      topic: STATE,
      key,
      value,
      headers: {},
      partition: this.partition,
    });
    // A request created by this plan gets its nonce now, with its first state record.
    const updated = [...plan.updated.values()].map(withNonce);
    const records = [
      ...plan.records,
      ...updated.map((record) => state(record.requestId, encodeState(record))),
      ...plan.forgotten.map((requestId) => state(requestId, null)),
    ];
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
    for (const record of updated) this.store.put(record);
    for (const requestId of plan.forgotten) this.store.forget(requestId);
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
    // The requests are no longer ours: they leave the counts (another owner counts them now).
    this.store.clear();
  }

  /** Restores, retrying with backoff until it works or the worker is closed. */
  private async restoreUntilDone(after?: Promise<void>): Promise<void> {
    await after?.catch(() => {});
    for (let attempt = 1; !this.isClosed(); attempt++) {
      const started = Date.now();
      try {
        const restored = await restorePartition(this.partition, this.deps, this.closing.signal);
        if (this.isClosed()) {
          await restored.producer.close();
          return;
        }
        this.store.clear();
        // Records written before requests had nonces get one here; it is stored with their next change.
        for (const record of restored.records) this.store.put(withNonce(record));
        this.floors = restored.floors;
        this.backlog = restored.backlog;
        this.producer = restored.producer;
        this.state = 'ready';
        this.readyAt = Date.now();
        this.restoreMs = this.readyAt - started;
        this.deps.logger.info({ requests: this.store.size, restoreMs: this.restoreMs }, 'partition restored');
        this.deps.onRestored?.(this.restoreMs);
        return;
      } catch (error) {
        if (this.isClosed()) return;
        const delayMs = restoreDelayMs(attempt);
        this.deps.logger.error({ err: error, attempt, delayMs }, 'partition restore failed; retrying');
        await pause(delayMs, this.closing.signal);
      }
    }
  }

  /** A method, not a property check: the state changes across awaits, which narrowing ignores. */
  private isClosed(): boolean {
    return this.state === 'closed';
  }
}
