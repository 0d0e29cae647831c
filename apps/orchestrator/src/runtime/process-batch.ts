import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Logger } from '@pipeline/common';
import { type Batch, readHeaders } from '@pipeline/kafka';
import type { Stage } from '@pipeline/state-machine';
import { CRQ, type OrchestratorInput, type TopicNames } from '@pipeline/topics';
import { chunkSteps } from '../domain/chunk.js';
import { decideBatch, type RawInbound } from '../domain/decide-batch.js';
import type { BudgetLimits } from '../domain/route-result.js';
import type { Metrics } from '../metrics.js';
import { observeCommitted } from './observe.js';
import type { PartitionWorker } from './partition-worker.js';

export interface BatchDeps {
  groupId: string;
  /** The most one transaction may write, in bytes. */
  maxTransactionBytes: number;
  names: TopicNames;
  numPartitions: number;
  clock: () => number;
  /** The budget of a request that sets none (config). */
  defaultBudget: BudgetLimits;
  /** ORCH_RETRY (config). */
  retryPolicy: Partial<Record<Stage, number>>;
  /** ORCH_APPROVAL (config). */
  defaultGates: readonly Stage[];
  /** The requests an alias belongs to; undefined when another instance owns its partition (correlate.ts). */
  lookupAlias: (alias: string) => readonly string[] | undefined;
  /** The state directory, as far as keyless misses need it (see keylessMiss below). */
  stateReads: {
    /** Every state record written before `at` (Date.now) has been read. */
    readPast(at: number): boolean;
    /** Resolves once the state topic has been read up to its end offsets as of now. */
    catchUp(): Promise<void>;
  };
  metrics: Metrics;
  logger: Logger;
}

/**
 * One fetched batch of one input topic-partition, the whole way: skip what was applied already,
 * decide (pure), commit the outcome and the input offset in one transaction, then resolve the
 * batch. While the partition restores (after an assignment or a failed transaction) it is paused
 * rather than waited for, so the other partitions of the fetch go on; the client fetches the same
 * records again once resumed, because nothing was resolved.
 */
export async function processBatch(batch: Batch, worker: PartitionWorker, deps: BatchDeps): Promise<void> {
  const topic = batch.topic as OrchestratorInput;
  const pauseUntilReady = () => {
    const resume = batch.pause();
    void worker.whenReady().then(resume);
  };
  const pauseUntilRoom = () => {
    const resume = batch.pause();
    void worker.whenRoom().then(resume);
  };
  const pauseUntilStateRead = () => {
    const resume = batch.pause();
    void deps.stateReads
      .catchUp()
      .catch((error: unknown) => deps.logger.warn({ err: error }, 'state topic catch-up failed'))
      .then(resume);
  };
  const fetchedAt = Date.now();
  worker.noteFetched(topic, batch.nextOffset, fetchedAt);
  if (worker.state !== 'ready') return pauseUntilReady();
  await worker.enqueue(async () => {
    if (!batch.isActive()) return;
    if (worker.state !== 'ready') return pauseUntilReady();
    const started = performance.now();
    // Records below the committed offset were applied already (before a failed transaction that
    // in fact committed, or by the previous owner after our fetch position was set).
    const floor = worker.floor(topic);
    const messages: RawInbound[] = batch.records
      .filter((m) => BigInt(m.offset) >= floor)
      .map((m) => ({
        topic,
        partition: batch.partition,
        offset: m.offset,
        key: m.key?.toString('utf8') || undefined,
        value: m.value,
        headers: readHeaders(m.headers),
        rawKey: m.key,
        rawHeaders: m.headers,
      }));
    // Admission (ORCH_MAX_IN_FLIGHT): new change requests only as far as there is room; the rest
    // stay in Kafka, unresolved, and the topic-partition is paused until requests finish.
    const room = topic === CRQ ? worker.room() : Number.POSITIVE_INFINITY;
    if (room <= 0 && messages.length > 0) return pauseUntilRoom();
    const admitted = messages.length > room ? messages.slice(0, room) : messages;
    const full = admitted.length < messages.length;
    let nextOffset = full ? BigInt((admitted.at(-1) as RawInbound).offset) + 1n : batch.nextOffset;
    let halted = false;
    if (admitted.length > 0) {
      const plan = decideBatch(admitted, {
        partition: batch.partition,
        numPartitions: deps.numPartitions,
        now: deps.clock(),
        maxTransactionBytes: deps.maxTransactionBytes,
        defaultBudget: deps.defaultBudget,
        retryPolicy: deps.retryPolicy,
        defaultGates: deps.defaultGates,
        // 64 random bits, the nonce a request created by this message keeps (its build ids carry it).
        nonce: () => randomBytes(8).toString('hex'),
        getRecord: (id) => worker.get(id),
        lookupAlias: deps.lookupAlias,
        // A keyless reply naming no known request may name one whose state this instance has not
        // read yet (another instance's partition, at start-up): final only once the state topic has
        // been read past the time the reply was first seen, which is after it was written.
        // One catch-up round settles every miss of what had been fetched before it started.
        keylessMiss: (offset) =>
          deps.stateReads.readPast(worker.firstFetched(topic, BigInt(offset), fetchedAt)) ? 'final' : 'retry',
      });
      // One transaction per chunk, each with the offset after its last record (the last one: after
      // the whole fetch, transaction markers included). A failure midway leaves the committed chunks
      // committed; the batch is read again from the committed offset once the worker is ready.
      if (plan.halted !== undefined) {
        halted = true;
        nextOffset = BigInt(plan.halted);
      }
      const chunks = chunkSteps(plan.steps, batch.partition, deps.maxTransactionBytes);
      for (const [i, chunk] of chunks.entries()) {
        const next = i === chunks.length - 1 ? nextOffset : BigInt(chunk.lastOffset ?? '-1') + 1n;
        const offset = { groupId: deps.groupId, topic, partition: batch.partition, offset: next };
        try {
          await worker.commit(chunk, [offset]);
        } catch {
          return pauseUntilReady();
        }
        observeCommitted(chunk, deps.metrics, deps.logger);
      }
    }
    batch.resolve(String(nextOffset - 1n));
    worker.advanced(topic, nextOffset);
    if (full) pauseUntilRoom();
    if (halted) pauseUntilStateRead();
    deps.metrics.batchDuration.observe((performance.now() - started) / 1000);
    const lagLabels = { topic: deps.names.physical(topic), partition: String(batch.partition) };
    deps.metrics.consumerLag.set(lagLabels, Number(batch.lag()));
  });
  await batch.heartbeat();
}
