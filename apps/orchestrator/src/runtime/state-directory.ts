import { randomUUID } from 'node:crypto';
import { type Logger, pollUntil } from '@pipeline/common';
import { type Consumer, createConsumer, KafkaAdmin, type KafkaClient, readHeaders } from '@pipeline/kafka';
import { STATE, type TopicNames } from '@pipeline/topics';
import { RequestIndex } from '../domain/request-index.js';
import type { RequestRecord } from '../domain/request-record.js';
import { BARRIER_HEADER, decodeState, isBarrier } from '../domain/state-record.js';

/**
 * A live, read-only copy of the whole state topic (every partition), like a Kafka Streams global
 * table. It serves three needs:
 * - restore: an instance taking partition p over writes a barrier to p and, once the directory has
 *   read it, has every record committed to p before (read_committed), so it can start processing;
 * - correlation of keyless agent replies (task, commit, spec ids) to requests on any partition;
 * - `GET /requests/{id}` on any instance, whoever owns the request.
 * It uses a group of its own that never commits, so every start reads the topic from the beginning.
 */
export class StateDirectory {
  private readonly index = new RequestIndex();
  /** The state partition of each request: a restore takes the records of its partition. */
  private readonly partitionOf = new Map<string, number>();
  /** Requests whose latest state this version cannot read, with why: their partitions stay blocked. */
  private readonly unreadable = new Map<string, { partition: number; why: string }>();
  private readonly seenBarriers = new Set<string>();
  private readonly barrierWaiters = new Map<string, () => void>();
  private readonly consumer: Consumer;
  private readonly groupId: string;
  private running = false;
  private crashed = false;
  /** Next offset to read per state partition (records, markers and aborted records all count). */
  private readonly positions = new Map<number, bigint>();
  /** When the end offsets were sampled that the directory has since read up to (Date.now). */
  private caughtUpAt = Number.NEGATIVE_INFINITY;
  private catchingUp: Promise<void> | undefined;

  constructor(
    private readonly client: KafkaClient,
    private readonly options: { names: TopicNames; groupPrefix: string; logger: Logger },
  ) {
    this.groupId = `${options.groupPrefix}-directory-${randomUUID()}`;
    this.consumer = createConsumer(client, {
      groupId: this.groupId,
      topics: [STATE],
      names: options.names,
      fromBeginning: true,
      maxWaitTimeMs: 250,
      logger: options.logger,
    });
    this.consumer.on((event) => {
      if (event.type === 'crashed' && !event.restarting) this.crashed = true;
      if (event.type === 'skipped') this.advance(event.partition, event.nextOffset);
    });
  }

  async start(): Promise<void> {
    await this.consumer.run(async (batch) => {
      for (const record of batch.records) {
        const headers = readHeaders(record.headers);
        const key = record.key?.toString('utf8');
        if (isBarrier(headers)) this.onBarrier(headers[BARRIER_HEADER] as string);
        else if (key !== undefined) this.apply(key, batch.partition, record.value);
        batch.resolve(record.offset);
      }
      this.advance(batch.partition, batch.nextOffset);
      await batch.heartbeat();
    });
    this.running = true;
  }

  get size(): number {
    return this.index.size;
  }

  get(requestId: string): RequestRecord | undefined {
    return this.index.get(requestId);
  }

  lookupAlias(alias: string): string[] {
    return this.index.lookupAlias(alias);
  }

  /** The latest record of every request (every partition). */
  records(): Iterable<RequestRecord> {
    return this.index.values();
  }

  /** Requests of state partition p whose latest state this version cannot read, with why. */
  unreadableIn(partition: number): Array<{ requestId: string; why: string }> {
    return [...this.unreadable]
      .filter(([, u]) => u.partition === partition)
      .map(([requestId, u]) => ({ requestId, why: u.why }));
  }

  /** The records last written to state partition p. */
  recordsOf(partition: number): RequestRecord[] {
    return [...this.index.values()].filter((record) => this.partitionOf.get(record.requestId) === partition);
  }

  /**
   * Resolves once the barrier with this nonce has been read (and so everything before it). Rejects
   * after `timeoutMs`, or at once when `signal` aborts (the worker was closed meanwhile).
   */
  waitForBarrier(nonce: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (this.seenBarriers.delete(nonce)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const done = (error?: Error) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.barrierWaiters.delete(nonce);
        if (error) reject(error);
        else resolve();
      };
      const onAbort = () => done(new Error(`restore barrier ${nonce} no longer awaited: worker closed`));
      const timer = setTimeout(
        () => done(new Error(`state directory did not read restore barrier ${nonce} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.barrierWaiters.set(nonce, () => done());
    });
  }

  /** True when every state record written before `at` (Date.now) has been read. */
  readPast(at: number): boolean {
    return this.caughtUpAt >= at;
  }

  /**
   * Samples the state topic's end offsets now and resolves once every partition has been read up to
   * them (readPast of the sample's time is then true). Callers at once share one round.
   */
  catchUp(endOffsets: () => Promise<Map<number, bigint>>): Promise<void> {
    this.catchingUp ??= (async () => {
      const at = Date.now();
      const ends = await endOffsets();
      await pollUntil(
        () => [...ends].every(([partition, end]) => (this.positions.get(partition) ?? 0n) >= end),
        { timeoutMs: 60_000, intervalMs: 50, what: 'the state directory to read up to the end offsets' },
      );
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

  private advance(partition: number, nextOffset: bigint): void {
    if (nextOffset > (this.positions.get(partition) ?? 0n)) this.positions.set(partition, nextOffset);
  }

  private onBarrier(nonce: string): void {
    const waiter = this.barrierWaiters.get(nonce);
    if (waiter) {
      this.barrierWaiters.delete(nonce);
      waiter();
    } else {
      this.seenBarriers.add(nonce);
      // Barriers of other instances pile up otherwise; only recent ones can still be awaited.
      if (this.seenBarriers.size > 1000)
        this.seenBarriers.delete(this.seenBarriers.values().next().value as string);
    }
  }

  private apply(requestId: string, partition: number, value: Buffer | null): void {
    const decoded = value === null ? undefined : decodeState(value);
    this.unreadable.delete(requestId);
    if (decoded?.ok === false) {
      this.options.logger.error(
        { requestId, partition, why: decoded.why },
        'state record this version cannot read',
      );
      this.unreadable.set(requestId, { partition, why: decoded.why });
    }
    if (!decoded?.ok) {
      this.index.forget(requestId);
      this.partitionOf.delete(requestId);
      return;
    }
    this.index.put(decoded.record);
    this.partitionOf.set(requestId, partition);
  }
}
