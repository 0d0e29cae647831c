import { randomUUID } from 'node:crypto';
import { type Logger, pollUntil } from '@pipeline/common';
import { type Consumer, createConsumer, KafkaAdmin, type KafkaClient, readHeaders } from '@pipeline/kafka';
import { ALIAS, STATE, type Topic, type TopicNames } from '@pipeline/topics';
import { aliasPartition, parseAliasKey } from '../domain/alias-record.js';
import type { RequestRecord } from '../domain/request-record.js';
import { ALIASES_INDEXED_HEADER, BARRIER_HEADER, decodeState, isBarrier } from '../domain/state-record.js';
import type {
  AliasChange,
  StateStore,
  StoreChange,
  StoredValue,
  StoreListQuery,
  StoreTopic,
} from '../store/state-store.js';
import { storeChangeOf } from '../store/store-change.js';
import { BarrierWaits } from './barrier-waits.js';

/** A request the store took: its state value, or null when it was forgotten or cannot be read. */
export type StoredListener = (partition: number, requestId: string, value: Buffer | null) => void;

/**
 * The instance's reader of the state topic and the alias index, only of the partitions it owns
 * (own(): the others are paused), like Kafka Streams' per-task stores restored from their changelog:
 * each fetched batch goes into the on-disk StateStore (store/state-store.ts) with the offset read up
 * to, in one SQLite transaction, and a restart, or a partition taken over again, reads on from there.
 * Nothing of it stays in memory but positions. It serves:
 * - restore: an instance taking partition p over writes a barrier to p of both topics and, once the
 *   directory has read them, the store holds every record committed to p before (read_committed);
 * - correlation of keyless agent replies by the aliases whose partition this instance owns (a reply
 *   naming another alias goes to that alias's partition: domain/decide-batch.ts);
 * - `GET /requests/{id}` and `GET /requests` for the partitions this instance owns, finished requests
 *   included (their workers keep only unfinished ones); other instances' are asked of them.
 * Its consumer group is its own and never commits: positions live in the store.
 */
export class StateDirectory {
  private readonly consumer: Consumer;
  private readonly groupId: string;
  private running = false;
  private crashed = false;
  /** Next offset to read per partition of each topic (records, markers and aborted records all count). */
  private positions: Record<StoreTopic, Map<number, bigint>> = { state: new Map(), alias: new Map() };
  /** When the end offsets were sampled that the directory has since read up to (Date.now). */
  private caughtUpAt = Number.NEGATIVE_INFINITY;
  private catchingUp: Promise<void> | undefined;
  private storedListener: StoredListener | undefined;
  /** Set by start. */
  private store: StateStore | undefined;
  /** When the directory last read further in each state partition (Date.now). */
  private readonly progressAt = new Map<number, number>();
  private readonly barriers = new BarrierWaits((partition) => this.progressAt.get(partition) ?? 0);
  /**
   * The partitions this instance owns (own()): only they are read, of both topics. Undefined until
   * told: every partition is read (a directory used on its own, in tests and tools).
   */
  private owned: Set<number> | undefined;
  private numPartitions = 0;
  /** The partitions of the directory's own group, as of its last join (all of both topics). */
  private assigned: number[] | undefined;
  /** Set by start; false once the directory has read up to the end offsets of its start. */
  private startedAt = 0;
  private behind = false;
  private reportedAt = 0;
  /** State records read since start (what a warm restart saves shows here). */
  recordsRead = 0;

  constructor(
    private readonly client: KafkaClient,
    private readonly options: { names: TopicNames; groupPrefix: string; logger: Logger },
  ) {
    this.groupId = `${options.groupPrefix}-directory-${randomUUID()}`;
    this.consumer = createConsumer(client, {
      groupId: this.groupId,
      topics: [STATE, ALIAS],
      names: options.names,
      fromBeginning: true,
      maxWaitTimeMs: 250,
      // A cold read of 250,000 finished requests in one instance peaked at ~270 MB RSS with kafkajs'
      // 10 MiB fetches and ~210 MB with these, in about the same time (6-8 s).
      maxBytes: 2 * 1024 * 1024,
      maxBytesPerPartition: 512 * 1024,
      logger: options.logger,
    });
    this.consumer.on((event) => {
      if (event.type === 'crashed' && !event.restarting) this.crashed = true;
      if (event.type === 'skipped') {
        const topic = storeTopic(event.topic);
        this.store?.advance(event.partition, event.nextOffset, topic);
        this.advance(topic, event.partition, event.nextOffset);
      }
      // Before the first fetch of the generation: read on from the store's checkpoints, and only
      // the partitions this instance owns.
      if (event.type === 'joined') {
        for (const [partition, offset] of this.positions.state) this.consumer.seek(STATE, partition, offset);
        for (const [partition, offset] of this.positions.alias) this.consumer.seek(ALIAS, partition, offset);
        this.assigned = [...new Set([...event.partitions.values()].flat())];
        if (this.owned)
          this.readOnly(
            this.assigned.filter((p) => !this.owned?.has(p)),
            [],
          );
      }
    });
  }

  /**
   * Starts reading from the store's checkpoints. `ends` are the state topic's end offsets now, and
   * `aliasEnds` the alias index's: a checkpoint beyond one means the topic is not the one the store
   * copied (deleted and created again), and the store starts empty.
   */
  async start(
    store: StateStore,
    ends: ReadonlyMap<number, bigint>,
    aliasEnds: ReadonlyMap<number, bigint> = new Map(),
  ): Promise<void> {
    const { logger } = this.options;
    this.store = store;
    let positions = { state: store.positions('state'), alias: store.positions('alias') };
    const past = (checkpoints: Map<number, bigint>, topicEnds: ReadonlyMap<number, bigint>) =>
      [...checkpoints].filter(([partition, offset]) => offset > (topicEnds.get(partition) ?? 0n));
    const beyond = [...past(positions.state, ends), ...past(positions.alias, aliasEnds)];
    if (beyond.length > 0) {
      logger.warn(
        { partitions: beyond.map(([p]) => p).slice(0, 10), file: store.file },
        'state store is ahead of the state topic (a new topic of the same name?): reading it again from the start',
      );
      store.clear();
      positions = { state: new Map(), alias: new Map() };
    }
    this.positions = positions;
    this.startedAt = Date.now();
    this.behind = true;
    logger.info(
      { requests: store.size, partitions: positions.state.size, file: store.file, driver: store.driver },
      'state store opened',
    );
    await this.consumer.run(async (batch) => {
      if (batch.topic === ALIAS) {
        const changes: AliasChange[] = [];
        for (const record of batch.records) {
          const headers = readHeaders(record.headers);
          if (isBarrier(headers)) {
            this.barriers.arrived(headers[BARRIER_HEADER] as string);
            continue;
          }
          const entry = parseAliasKey(record.key?.toString('utf8') ?? '');
          if (entry) changes.push({ ...entry, present: record.value !== null });
        }
        this.recordsRead += batch.records.length;
        store.applyAliases(batch.partition, changes, batch.nextOffset);
        if (batch.records.length > 0) batch.resolve(batch.records.at(-1)?.offset as string);
        this.advance('alias', batch.partition, batch.nextOffset);
        await batch.heartbeat();
        return;
      }
      const changes: StoreChange[] = [];
      let aliasesIndexed = false;
      for (const record of batch.records) {
        const headers = readHeaders(record.headers);
        const key = record.key?.toString('utf8');
        if (headers[ALIASES_INDEXED_HEADER] !== undefined) aliasesIndexed = true;
        if (isBarrier(headers)) this.barriers.arrived(headers[BARRIER_HEADER] as string);
        else if (key !== undefined) changes.push(this.change(key, batch.partition, record.value));
      }
      this.recordsRead += batch.records.length;
      store.apply(batch.partition, changes, batch.nextOffset, { aliasesIndexed });
      if (batch.records.length > 0) batch.resolve(batch.records.at(-1)?.offset as string);
      this.advance('state', batch.partition, batch.nextOffset);
      this.reportCatchingUp(ends);
      for (const change of changes)
        if (change.kind === 'put')
          this.storedListener?.(batch.partition, change.request.requestId, change.request.value);
        else this.storedListener?.(batch.partition, change.requestId, null);
      await batch.heartbeat();
    });
    this.running = true;
  }

  /**
   * A cold start reads the whole topic (minutes for a million requests): says how far it got every
   * 10 s, and once when it has read up to the end offsets it started with.
   */
  private reportCatchingUp(ends: ReadonlyMap<number, bigint>): void {
    if (!this.behind) return;
    const now = Date.now();
    let toGo = 0n;
    for (const [partition, end] of ends) {
      if (!this.reads(partition)) continue;
      const position = this.positions.state.get(partition) ?? 0n;
      if (end > position) toGo += end - position;
    }
    const seconds = Math.round((now - this.startedAt) / 1000);
    if (toGo === 0n) {
      this.behind = false;
      this.options.logger.info({ recordsRead: this.recordsRead, seconds }, 'state store caught up');
    } else if (now - this.reportedAt >= 10_000 && now - this.startedAt >= 10_000) {
      this.reportedAt = now;
      this.options.logger.info(
        { recordsRead: this.recordsRead, offsetsToGo: Number(toGo), seconds },
        'state store catching up',
      );
    }
  }

  /** Told of every request the store took (its value; null when forgotten or unreadable). */
  onStored(listener: StoredListener): void {
    this.storedListener = listener;
  }

  get size(): number {
    return this.store?.size ?? 0;
  }

  get(requestId: string): RequestRecord | undefined {
    const stored = this.store?.get(requestId);
    return stored && this.decode(stored.value);
  }

  /** The state value the store holds for a request (either version), undecoded. */
  storedValue(requestId: string): Buffer | undefined {
    return this.store?.get(requestId)?.value;
  }

  /** Whether state partition p says its unfinished requests are in the alias index (state-record.ts). */
  aliasesIndexed(partition: number): boolean {
    return this.store?.aliasesIndexed(partition) ?? false;
  }

  /**
   * The requests an alias belongs to; undefined when its partition of the alias index is another
   * instance's (only its owner can say: ask there).
   */
  lookupAlias(alias: string): string[] | undefined {
    if (this.owned && !this.owned.has(aliasPartition(alias, this.numPartitions))) return undefined;
    return this.store?.requestsOf(alias) ?? [];
  }

  /** The state partitions the store has read before (a checkpoint): cheap to take over. */
  warm(): number[] {
    return [...this.positions.state.keys()].sort((a, b) => a - b);
  }

  /**
   * The partitions this instance owns now (of `numPartitions`): from here on only they are read, of
   * the state topic and of the alias index; a partition taken over is read on from its checkpoint.
   * What the store holds of the others stays on disk, unread and unanswered, until owned again.
   */
  own(partitions: readonly number[], numPartitions: number): void {
    const before = this.owned;
    this.owned = new Set(partitions);
    this.numPartitions = numPartitions;
    if (!this.assigned) return; // applied at the join
    const gained = partitions.filter((p) => !before?.has(p));
    const lost = this.assigned.filter((p) => !this.owned?.has(p) && (!before || before.has(p)));
    this.readOnly(lost, gained);
  }

  /** Pauses `stop` and resumes `start` (from the checkpoints), of both topics. */
  private readOnly(stop: readonly number[], start: readonly number[]): void {
    for (const topic of [STATE, ALIAS] as const) {
      const positions = this.positions[storeTopic(topic)];
      this.consumer.pause(topic, stop);
      for (const partition of start) {
        const at = positions.get(partition);
        if (at !== undefined) this.consumer.seek(topic, partition, at);
      }
      this.consumer.resume(topic, start);
    }
  }

  /** The partitions read: the owned ones, or all of `ends` before own() was first told. */
  private reads(partition: number): boolean {
    return !this.owned || this.owned.has(partition);
  }

  /** A page of requests from the store, newest first (store/state-store.ts). */
  list(query: StoreListQuery): RequestRecord[] {
    return this.decodeAll(this.store?.list(query) ?? []);
  }

  /** Requests of state partition p whose latest state this version cannot read, with why. */
  unreadableIn(partition: number): Array<{ requestId: string; why: string }> {
    return this.store?.unreadableIn(partition) ?? [];
  }

  /** The unfinished requests last written to state partition p: what its owner keeps in memory. */
  unfinishedIn(partition: number): RequestRecord[] {
    return this.decodeAll(this.store?.unfinishedIn(partition) ?? []);
  }

  /** Finished requests of partition p not changed since `before` (epoch ms), oldest first. */
  finishedBefore(partition: number, before: number, limit: number): RequestRecord[] {
    return this.decodeAll(this.store?.finishedBefore(partition, before, limit) ?? []);
  }

  /**
   * Resolves once the barrier with this nonce, written to state partition `partition`, has been read
   * (and so everything before it). Rejects once the directory has read nothing of that partition for
   * `timeoutMs` (however long a cold read of a long history takes), or at once when `signal` aborts
   * (the worker was closed meanwhile).
   */
  waitForBarrier(nonce: string, partition: number, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return this.barriers.wait(nonce, partition, timeoutMs, signal);
  }

  /** True when every state record written before `at` (Date.now) has been read. */
  readPast(at: number): boolean {
    return this.caughtUpAt >= at;
  }

  /**
   * Samples the end offsets of the state topic and the alias index now and resolves once every
   * partition has been read up to them (readPast of the sample's time is then true). Callers at once
   * share one round.
   */
  catchUp(endOffsets: () => Promise<Map<Topic, Map<number, bigint>>>): Promise<void> {
    this.catchingUp ??= (async () => {
      const at = Date.now();
      const ends = await endOffsets();
      const read = (topic: StoreTopic, topicEnds: Map<number, bigint> | undefined) =>
        [...(topicEnds ?? [])].every(
          ([partition, end]) => (this.positions[topic].get(partition) ?? 0n) >= end,
        );
      await pollUntil(() => read('state', ends.get(STATE)) && read('alias', ends.get(ALIAS)), {
        timeoutMs: 60_000,
        intervalMs: 50,
        what: 'the state directory to read up to the end offsets',
      });
      this.caughtUpAt = Math.max(this.caughtUpAt, at);
    })().finally(() => {
      this.catchingUp = undefined;
    });
    return this.catchingUp;
  }

  /** False once the directory's consumer crashed for good: restores cannot complete any more. */
  get healthy(): boolean {
    return this.running && !this.crashed;
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    await this.consumer.close();
    // The group exists only for this instance's lifetime; remove it so the cluster keeps no trace.
    try {
      const admin = await KafkaAdmin.open(this.client, this.options.names);
      await admin.deleteGroups([this.groupId]).finally(() => admin.close());
    } catch (error) {
      this.options.logger.debug({ err: error, groupId: this.groupId }, 'could not delete directory group');
    }
  }

  private advance(topic: StoreTopic, partition: number, nextOffset: bigint): void {
    const positions = this.positions[topic];
    if (nextOffset <= (positions.get(partition) ?? 0n)) return;
    positions.set(partition, nextOffset);
    // The restore timeout counts from the last progress in partition p of either topic (waitForBarrier).
    this.progressAt.set(partition, Date.now());
  }

  /** What one state record does to the store; one this version cannot read is also logged. */
  private change(requestId: string, partition: number, value: Buffer | null): StoreChange {
    const change = storeChangeOf(requestId, partition, value);
    if (change.kind === 'unreadable')
      this.options.logger.error(
        { requestId, partition, why: change.why },
        'state record this version cannot read',
      );
    return change;
  }

  private decode(value: Buffer): RequestRecord | undefined {
    const decoded = decodeState(value);
    return decoded.ok ? decoded.record : undefined;
  }

  private decodeAll(values: readonly StoredValue[]): RequestRecord[] {
    const records: RequestRecord[] = [];
    for (const { value } of values) {
      const record = this.decode(value);
      if (record) records.push(record);
    }
    return records;
  }
}

/** Which of the store's topics a record of `topic` belongs to. */
function storeTopic(topic: Topic): StoreTopic {
  return topic === ALIAS ? 'alias' : 'state';
}
