import { pause } from '@pipeline/common';
import {
  isFenced,
  isTooLarge,
  isUnreachable,
  type OffsetCommit,
  type TransactionalProducer,
} from '@pipeline/kafka';
import type { OrchestratorInput } from '@pipeline/topics';
import { aliasChangesOf, aliasRecords } from '../domain/alias-record.js';
import type { Chunk } from '../domain/chunk.js';
import { RequestIndex, type StageCountListener } from '../domain/request-index.js';
import { aliasesOf, isFinished, type RequestRecord } from '../domain/request-record.js';
import { aliasesIndexedBarrier, encodeState } from '../domain/state-record.js';
import { PartitionTrouble } from './partition-trouble.js';
import { ReadHorizon } from './read-horizon.js';
import { type RestoreDeps, restorePartition } from './restore.js';
import { nextWorkerState, type WorkerEvent, type WorkerState } from './worker-lifecycle.js';

export type { WorkerState } from './worker-lifecycle.js';

export interface WorkerDeps extends RestoreDeps {
  /** The previous worker of this partition on this instance, to be closed before we open. */
  after?: Promise<void>;
  /** Called after every successful restore (the first and those after a failed transaction). */
  onRestored?: (restoreMs: number) => void;
  /** Called for every failed restore attempt (the worker retries it with backoff). */
  onRestoreFailed?: () => void;
  /** Called for every failed transaction, with why. */
  onTransactionFailed?: (reason: 'fenced' | 'too_large' | 'other') => void;
  /**
   * Asked when another producer fenced this partition's: does the group still give this instance the
   * partition? Default false (wait for the next assignment).
   */
  stillOwner?: () => Promise<boolean>;
  /** Told how many requests of this partition enter (+) or leave (−) each stage: the in-flight gauge. */
  onStageCount?: StageCountListener;
  /** Unfinished requests at which the partition stops taking new ones (admission). Default: no limit. */
  maxInFlight?: number;
  /** The topics' partition count: where each alias entry goes (domain/alias-record.ts). */
  numPartitions: number;
}

/** Alias entries (~100 bytes each) per transaction when a partition's are first written: far under 1 MB. */
const INDEX_PER_TRANSACTION = 1000;

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
  private current: WorkerState = 'restoring';
  restoreMs = 0;
  private restoring: Promise<void>;
  private readonly store: RequestIndex;
  private producer: TransactionalProducer | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly closing = new AbortController();
  private floors = new Map<OrchestratorInput, bigint>();
  private horizon: ReadHorizon | undefined;
  /** Why the last restore failed, until one succeeds (for /readyz). */
  problem: string | undefined;
  private closed: Promise<void> = Promise.resolve();
  private readonly trouble: PartitionTrouble;
  /** When records were first fetched (see noteFetched): a keyless miss waits for the state read past it. */
  private readonly fetched = new Map<OrchestratorInput, Array<{ below: bigint; at: number }>>();
  /** Waiting for room under maxInFlight (see room()). */
  private roomWaiters: Array<() => void> = [];
  /** Forgotten by a commit, while the store may still hold them (until the directory reads the tombstone). */
  private readonly forgetting = new Set<string>();

  constructor(
    readonly partition: number,
    private readonly deps: WorkerDeps,
  ) {
    this.trouble = new PartitionTrouble(deps.clock());
    this.store = new RequestIndex(deps.onStageCount);
    this.restoring = this.restoreUntilDone(deps.after);
  }

  /** See worker-lifecycle.ts. */
  get state(): WorkerState {
    return this.current;
  }

  /**
   * Resolves when the worker is ready or closed, never rejects (restores are retried). A fenced worker
   * stays pending until the group confirms it still owns the partition or closes it.
   */
  whenReady(): Promise<void> {
    return this.restoring;
  }

  /** How long this partition has been unable to make progress (partition-trouble.ts); 0 when fine. */
  troubleMs(now: number): number {
    return this.trouble.ms(this.current, now);
  }

  /**
   * How many more requests this partition may take before it holds maxInFlight unfinished ones. New
   * change requests beyond it wait in Kafka (the caller pauses the topic-partition), never dropped;
   * replies keep flowing, so requests finish and make room.
   */
  room(): number {
    return (this.deps.maxInFlight ?? Number.POSITIVE_INFINITY) - this.store.unfinished;
  }

  /** Resolves once room() > 0, or when the worker closes (the next owner decides for itself). */
  whenRoom(): Promise<void> {
    if (this.room() > 0 || this.current === 'closing' || this.current === 'closed') return Promise.resolve();
    return new Promise((resolve) => this.roomWaiters.push(resolve));
  }

  /**
   * Notes that every record of `topic` below `nextOffset` existed at `at` (Date.now): a fetch
   * returned them. Kept per topic as a short list of rising offsets.
   */
  noteFetched(topic: OrchestratorInput, nextOffset: bigint, at: number): void {
    const list = this.fetched.get(topic) ?? [];
    const last = list.at(-1);
    if (last && last.below >= nextOffset) return;
    list.push({ below: nextOffset, at });
    if (list.length > 100) list.shift();
    this.fetched.set(topic, list);
  }

  /** When the record at `offset` of `topic` was first fetched, as far as noted; `now` if not. */
  firstFetched(topic: OrchestratorInput, offset: bigint, now: number): number {
    return this.fetched.get(topic)?.find((f) => offset < f.below)?.at ?? now;
  }

  get size(): number {
    return this.store.size;
  }

  /**
   * A request of this partition: unfinished ones and those finished since the store last caught up
   * are in memory, finished ones in the state store (through the directory).
   */
  get(requestId: string): RequestRecord | undefined {
    if (this.forgetting.has(requestId)) return undefined;
    return this.store.get(requestId) ?? this.deps.directory.get(requestId);
  }

  /**
   * The directory stored a request's state (null: forgotten). A finished request leaves memory once
   * the store holds the very version it finished with; from then on get() reads it from the store.
   */
  stored(requestId: string, value: Buffer | null): void {
    if (value === null) {
      this.forgetting.delete(requestId);
      return;
    }
    const held = this.store.get(requestId);
    if (held && isFinished(held) && encodeState(held).equals(value)) this.store.forget(requestId);
  }

  /**
   * Finished requests of this partition in the store (not in memory) last changed before `before`,
   * oldest first, at most `limit`: what retention forgets besides the finished ones in memory.
   */
  storedFinishedBefore(before: number, limit: number): RequestRecord[] {
    return this.deps.directory
      .finishedBefore(this.partition, before, limit)
      .filter((r) => !this.store.get(r.requestId) && !this.forgetting.has(r.requestId));
  }

  /**
   * Finished requests still in memory whose version the store holds already, and forgotten ones the
   * store no longer holds (the directory read them before the commit returned, so stored() came
   * too early): they leave memory. Run by the sweeper.
   */
  settleFinished(): void {
    // A tombstone the directory read before its commit returned: nothing left to wait for.
    for (const requestId of [...this.forgetting])
      if (!this.deps.directory.storedValue(requestId)) this.forgetting.delete(requestId);
    for (const record of [...this.store.values()]) {
      if (!isFinished(record)) continue;
      const stored = this.deps.directory.storedValue(record.requestId);
      if (stored && encodeState(record).equals(stored)) this.store.forget(record.requestId);
    }
  }

  lookupAlias(alias: string): string[] {
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

  /** The partition has been read up to `nextOffset` (exclusive) on `topic`: see readHorizon. */
  advanced(topic: OrchestratorInput, nextOffset: bigint): void {
    this.horizon?.read(topic, nextOffset);
  }

  /** The end offsets of the inputs at `at` (the orchestrator's clock), sampled by the sweeper. */
  sampleEnds(at: number, ends: ReadonlyMap<OrchestratorInput, bigint>): void {
    this.horizon?.sample(at, ends);
  }

  /**
   * The time before which every input record of the partition has been read (read-horizon.ts);
   * undefined while the backlog found at the restore is being read. Deadlines are judged against it.
   */
  readHorizon(): number | undefined {
    return this.current === 'ready' ? this.horizon?.horizon() : undefined;
  }

  /** Runs `job` after every job queued before it on this partition. */
  enqueue<T>(job: () => Promise<T>): Promise<T> {
    const run = this.queue.then(job, job);
    this.queue = run.catch(() => {});
    return run;
  }

  /**
   * Commits a chunk (records, state records) and the input offsets in one transaction. Only after the
   * commit does the in-memory state change. On failure the producer is discarded and the failure
   * handled (see onCommitFailed); the caller re-reads its batch once the worker is ready again.
   */
  async commit(chunk: Chunk, offsets: readonly OffsetCommit[]): Promise<void> {
    const producer = this.producer;
    if (this.current !== 'ready' || !producer)
      throw new Error(`partition ${this.partition} is ${this.current}`);
    if (chunk.records.length === 0 && offsets.length === 0) return;
    const aliases = aliasChangesOf(chunk, (id) => this.get(id), this.deps.numPartitions);
    try {
      await producer.commit(aliases.length > 0 ? [...chunk.records, ...aliases] : chunk.records, offsets);
    } catch (error) {
      this.trouble.failed(this.deps.clock());
      this.producer = undefined;
      this.onCommitFailed(error, producer.close());
      throw error;
    }
    for (const record of chunk.updated.values()) this.store.put(record);
    for (const requestId of chunk.forgotten) {
      this.store.forget(requestId);
      this.forgetting.add(requestId);
    }
    this.trouble.committed();
    if (this.room() > 0) this.wakeRoomWaiters();
  }

  private wakeRoomWaiters(): void {
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    for (const wake of waiters) wake();
  }

  /** Stops for good: no restore or commit starts after this; waits for the work in hand. Idempotent. */
  async close(): Promise<void> {
    if (!this.move('close')) return this.closed;
    this.closing.abort();
    this.wakeRoomWaiters();
    this.closed = (async () => {
      await this.restoring;
      await this.queue.catch(() => {});
      const producer = this.producer;
      this.producer = undefined;
      await producer?.close();
      // The requests are no longer ours: they leave the counts (another owner counts them now).
      this.store.clear();
      this.forgetting.clear();
      this.move('closed');
    })();
    return this.closed;
  }

  /**
   * A failed transaction: fenced → stop and ask the group; anything else → restore from Kafka, which
   * settles whether an ambiguous commit happened (state and offsets are read back); the caller
   * re-reads its batch. A worker closed meanwhile stays closed.
   */
  private onCommitFailed(error: unknown, producerClosed: Promise<void>): void {
    this.deps.onTransactionFailed?.(isFenced(error) ? 'fenced' : isTooLarge(error) ? 'too_large' : 'other');
    if (isFenced(error)) {
      if (!this.move('fenced')) return;
      this.deps.logger.warn(
        { err: error },
        'fenced by another producer of this partition; waiting for the group',
      );
      this.restoring = producerClosed.then(() => this.afterFenced());
      return;
    }
    if (!this.move('commit_failed')) return;
    this.deps.logger.warn({ err: error }, 'transaction failed; restoring the partition');
    this.restoring = this.restoreUntilDone(producerClosed);
  }

  /** Restores only when the group confirms this instance still owns the partition. */
  private async afterFenced(): Promise<void> {
    const owner = await (this.deps.stillOwner?.() ?? Promise.resolve(false)).catch(() => false);
    if (!owner) {
      // The next assignment closes this worker; until then it stays paused. It may have been closed
      // already (while the producer closed or the group was asked): an abort event does not repeat.
      const { signal } = this.closing;
      if (signal.aborted) return;
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      return;
    }
    if (!this.move('still_owner')) return;
    this.deps.logger.warn({}, 'the group still gives this instance the partition: taking it back');
    await this.restoreUntilDone();
  }

  /** Restores, retrying with backoff until it works or the worker is closed. */
  private async restoreUntilDone(after?: Promise<void>): Promise<void> {
    await after?.catch(() => {});
    for (let attempt = 1; this.current === 'restoring'; attempt++) {
      const started = Date.now();
      try {
        const restored = await restorePartition(this.partition, this.deps, this.closing.signal);
        await this.indexAliases(restored.producer, restored.records).catch(async (error: unknown) => {
          await restored.producer.close();
          throw error;
        });
        if (!this.move('restored')) {
          await restored.producer.close();
          return;
        }
        this.store.clear();
        this.forgetting.clear();
        // Records written before requests had nonces get one here; it is stored with their next change.
        for (const record of restored.records) this.store.put(record);
        if (this.room() > 0) this.wakeRoomWaiters();
        this.floors = restored.floors;
        this.horizon = new ReadHorizon(restored.at, restored.ends, restored.floors);
        this.producer = restored.producer;
        this.problem = undefined;
        this.restoreMs = Date.now() - started;
        this.deps.logger.info({ requests: this.store.size, restoreMs: this.restoreMs }, 'partition restored');
        this.deps.onRestored?.(this.restoreMs);
        return;
      } catch (error) {
        const event: WorkerEvent = isFenced(error) ? 'fenced' : 'restore_failed';
        if (!this.move(event)) return;
        this.deps.onRestoreFailed?.();
        if (event === 'fenced') {
          this.deps.logger.warn({ err: error }, 'fenced while restoring; waiting for the group');
          return this.afterFenced();
        }
        this.problem = error instanceof Error ? error.message : String(error);
        const delayMs = restoreDelayMs(attempt);
        // A broker out of reach (a restart, an outage) is a fault the restore waits out: a warning.
        const level = isUnreachable(error) ? 'warn' : 'error';
        this.deps.logger[level]({ err: error, attempt, delayMs }, 'partition restore failed; retrying');
        await pause(delayMs, this.closing.signal);
      }
    }
  }

  /**
   * Once per partition, ever: writes the alias entries of its unfinished requests (the only ones a
   * reply can still be correlated to), then a barrier saying so (state-record.ts). A version without
   * the alias index (orchestrator.alias) wrote none, so an upgrade in flight keeps its keyless replies;
   * after that the barrier, read back by every restore, says there is nothing to do.
   */
  private async indexAliases(
    producer: TransactionalProducer,
    records: readonly RequestRecord[],
  ): Promise<void> {
    const { directory, numPartitions } = this.deps;
    if (directory.aliasesIndexed(this.partition)) return;
    const entries = records.flatMap((r) => aliasRecords(r.requestId, [], aliasesOf(r), numPartitions));
    for (let i = 0; i < entries.length; i += INDEX_PER_TRANSACTION) {
      if (this.closing.signal.aborted) return;
      await producer.commit(entries.slice(i, i + INDEX_PER_TRANSACTION), []);
    }
    await producer.commit([aliasesIndexedBarrier(this.partition)], []);
    this.deps.logger.info(
      { requests: records.length, aliasEntries: entries.length },
      'alias index written for the partition',
    );
  }

  /** Applies a lifecycle event; false (and no change) when the event means nothing in this state. */
  private move(event: WorkerEvent): boolean {
    const next = nextWorkerState(this.current, event);
    if (next === undefined) return false;
    this.current = next;
    this.trouble.entered(next, this.deps.clock());
    return true;
  }
}
