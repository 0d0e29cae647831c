import { randomUUID } from 'node:crypto';
import { type Kafka, type Logger, physicalTopic, type TopicNames } from '@pipeline/kafka';
import { STATE, type Topic } from '@pipeline/topics';
import { aliasesOf, type RequestRecord } from '../domain/request-record.js';
import type { StateDirectory } from '../state/directory.js';
import { BARRIER_HEADER, barrierKey, encodeState } from '../state/state-record.js';
import type { BatchPlan } from './plan-batch.js';
import { type OffsetCommit, PartitionProducer, type TxRecord } from './transaction.js';

/** Lifecycle of a worker: restoring until its state is read, then serving, until closed. */
export type WorkerState = 'restoring' | 'ready' | 'failed' | 'closed';

/**
 * Owns partition p of every input topic and of the state topic on this instance: the requests
 * that hash to p, their state, and the transactional producer of p. Work on p is serialised
 * through one queue (batches of different input topics, deadline sweeps), because one
 * transactional producer runs one transaction at a time and because a request's messages must be
 * applied in order.
 */
export class PartitionWorker {
  state: WorkerState = 'restoring';
  readonly ready: Promise<void>;
  private readonly store = new Map<string, RequestRecord>();
  private readonly aliases = new Map<string, string>();
  private readonly producer: PartitionProducer;
  private queue: Promise<unknown> = Promise.resolve();
  restoreMs = 0;

  constructor(
    readonly partition: number,
    private readonly deps: {
      kafka: Kafka;
      directory: StateDirectory;
      names: TopicNames;
      transactionalIdPrefix: string;
      restoreTimeoutMs: number;
      logger: Logger;
      /** The previous worker of this partition on this instance, to be closed before we open. */
      after?: Promise<void>;
    },
  ) {
    this.producer = new PartitionProducer(
      deps.kafka,
      `${deps.transactionalIdPrefix}-${partition}`,
      deps.logger,
    );
    this.ready = this.restore();
    // A failed restore is reported through `state` and the readiness probe, and by the batch that
    // awaits `ready`; it must not also surface as an unhandled rejection.
    this.ready.catch(() => {});
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

  /** Runs `job` after every job queued before it on this partition. */
  enqueue<T>(job: () => Promise<T>): Promise<T> {
    const run = this.queue.then(job, job);
    this.queue = run.catch(() => {});
    return run;
  }

  /**
   * Commits a plan: its records, the new state of every request it changed, and the input offsets,
   * in one transaction. Only after the commit does the in-memory state change, so a failed
   * transaction leaves nothing half-applied and the batch is simply processed again.
   */
  async commit(plan: BatchPlan, offsets: OffsetCommit[], tombstones: string[] = []): Promise<void> {
    if (this.state !== 'ready') throw new Error(`partition ${this.partition} is ${this.state}`);
    const { names } = this.deps;
    const records: TxRecord[] = plan.records.map((r) => ({
      ...r,
      topic: physicalTopic(r.topic as Topic, names),
    }));
    const stateTopic = physicalTopic(STATE, names);
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
    await this.producer.commit(records, offsets);
    for (const record of plan.updated.values()) this.put(record);
    for (const requestId of tombstones) this.forget(requestId);
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    await this.queue.catch(() => {});
    await this.producer.close();
  }

  private async restore(): Promise<void> {
    const started = Date.now();
    try {
      await this.deps.after;
      // Opening the producer fences any previous owner of this partition and aborts its open
      // transaction, so nothing can be committed to p behind our back from here on.
      await this.producer.open();
      const nonce = randomUUID();
      const barrier: TxRecord = {
        topic: physicalTopic(STATE, this.deps.names),
        key: barrierKey(this.partition),
        value: Buffer.from(JSON.stringify({ barrier: nonce, at: started })),
        headers: { [BARRIER_HEADER]: nonce },
        partition: this.partition,
      };
      const seen = this.deps.directory.waitForBarrier(nonce, this.deps.restoreTimeoutMs);
      await this.producer.commit([barrier], []);
      await seen;
      for (const record of this.deps.directory.recordsOf(this.partition)) this.put(record);
      this.restoreMs = Date.now() - started;
      this.state = this.state === 'closed' ? 'closed' : 'ready';
      this.deps.logger.info({ requests: this.store.size, restoreMs: this.restoreMs }, 'partition restored');
    } catch (error) {
      if (this.state !== 'closed') this.state = 'failed';
      this.deps.logger.error({ err: error }, 'partition restore failed');
      throw error;
    }
  }

  private put(record: RequestRecord): void {
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
