import { randomUUID } from 'node:crypto';
import type { Logger } from '@pipeline/common';
import {
  type Compression,
  createTransactionalProducer,
  type KafkaAdmin,
  type KafkaClient,
  type OutboundRecord,
  type TransactionalProducer,
} from '@pipeline/kafka';
import { ALIAS, type OrchestratorInput, STATE, type TopicNames } from '@pipeline/topics';
import type { RequestRecord } from '../domain/request-record.js';
import { BARRIER_HEADER, barrierKey } from '../domain/state-record.js';
import type { OffsetLookups, OffsetSnapshot } from './offset-lookups.js';
import type { StateDirectory } from './state-directory.js';

export interface RestoreDeps {
  client: KafkaClient;
  admin: KafkaAdmin;
  directory: StateDirectory;
  names: TopicNames;
  groupId: string;
  inputTopics: readonly OrchestratorInput[];
  restoreTimeoutMs: number;
  /** Codec of the partition's transactions (ORCH_COMPRESSION); default none. */
  compression?: Compression;
  logger: Logger;
  /** The orchestrator's clock (epoch ms), against which deadlines are judged. */
  clock: () => number;
  /** Shared by the partitions restored at once (offset-lookups.ts); default: one look-up each. */
  offsets?: OffsetLookups;
}

/** What a partition's new owner starts from. */
export interface Restored {
  /** The partition's transactional producer, open; every older one is fenced. */
  producer: TransactionalProducer;
  /** The partition's unfinished requests, as committed (finished ones stay in the store). */
  records: RequestRecord[];
  /** Committed offset of each input topic: anything below was already applied. */
  floors: Map<OrchestratorInput, bigint>;
  /** The end offsets of the inputs when the partition was taken over, and when (the clock's time). */
  ends: Map<OrchestratorInput, bigint>;
  at: number;
}

/**
 * Takes partition p over: opening its transactional producer fences any previous owner and aborts
 * its open transaction, so nothing can be committed to p behind our back from here on; a barrier
 * written to state partition p (and to partition p of the alias index) and read back by the
 * directory then proves that the directory's store holds every record committed to them before. Throws when any step fails (the producer is closed).
 */
export async function restorePartition(
  partition: number,
  deps: RestoreDeps,
  signal: AbortSignal,
): Promise<Restored> {
  const { directory, names, groupId, admin, inputTopics } = deps;
  const producer = createTransactionalProducer(deps.client, {
    transactionalId: `${groupId}-${partition}`,
    names,
    compression: deps.compression ?? 'none',
    logger: deps.logger,
  });
  try {
    await producer.open();
    signal.throwIfAborted();
    const nonce = randomUUID();
    // One barrier in the state partition, one in the alias index's: both read back, the directory
    // holds the partition's requests and its share of the alias index as committed before.
    const aliasNonce = `${nonce}/alias`;
    const seen = Promise.all([
      directory.waitForBarrier(nonce, partition, deps.restoreTimeoutMs, signal),
      directory.waitForBarrier(aliasNonce, partition, deps.restoreTimeoutMs, signal),
    ]);
    seen.catch(() => {}); // awaited below; a failed commit must not leave it unhandled
    const barrier = (topic: typeof STATE | typeof ALIAS, id: string): OutboundRecord => ({
      topic,
      key: barrierKey(partition),
      value: Buffer.from(JSON.stringify({ barrier: id, at: Date.now() })),
      headers: { [BARRIER_HEADER]: id },
      partition,
    });
    await producer.commit([barrier(STATE, nonce), barrier(ALIAS, aliasNonce)], []);
    await seen;
    signal.throwIfAborted();
    const unreadable = directory.unreadableIn(partition);
    if (unreadable.length > 0) {
      const examples = unreadable.slice(0, 3).map((u) => `${u.requestId}: ${u.why}`);
      throw new Error(
        `state partition ${partition} holds ${unreadable.length} record(s) this version cannot read ` +
          `(${examples.join('; ')}): run a version that reads them; the partition waits, nothing is lost`,
      );
    }
    // Noted before the look-up: whatever was written before `at` is below the ends found.
    const at = deps.clock();
    const { committed, ends } = await (deps.offsets?.get() ?? lookUpOffsets(admin, groupId, inputTopics));
    signal.throwIfAborted();
    const floors = new Map<OrchestratorInput, bigint>();
    const endsOfPartition = new Map<OrchestratorInput, bigint>();
    for (const topic of inputTopics) {
      const floor = committed.get(topic)?.get(partition);
      if (floor !== undefined) floors.set(topic, floor);
      const end = ends.get(topic)?.get(partition);
      if (end !== undefined) endsOfPartition.set(topic, end);
    }
    return { producer, records: directory.unfinishedIn(partition), floors, ends: endsOfPartition, at };
  } catch (error) {
    await producer.close();
    throw error;
  }
}

/** The group's committed offsets and the inputs' end offsets, every partition, in one round. */
export async function lookUpOffsets(
  admin: KafkaAdmin,
  groupId: string,
  inputTopics: readonly OrchestratorInput[],
): Promise<OffsetSnapshot> {
  const [committed, ends] = await Promise.all([
    admin.committedOffsets(groupId, inputTopics),
    admin.endOffsets(inputTopics),
  ]);
  return { committed, ends };
}
