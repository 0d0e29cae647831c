import { randomUUID } from 'node:crypto';
import { type Kafka, type Logger, readHeaders } from '@pipeline/kafka';
import type { Consumer } from 'kafkajs';
import { aliasesOf, type RequestRecord } from '../domain/request-record.js';
import { BARRIER_HEADER, decodeState, isBarrier } from './state-record.js';

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
  private readonly records = new Map<string, { record: RequestRecord; partition: number }>();
  private readonly aliases = new Map<string, string>();
  private readonly seenBarriers = new Set<string>();
  private readonly barrierWaiters = new Map<string, () => void>();
  private readonly consumer: Consumer;
  private readonly groupId: string;
  private running = false;
  private crashed = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly options: { topic: string; groupPrefix: string; logger: Logger },
  ) {
    this.groupId = `${options.groupPrefix}-directory-${randomUUID()}`;
    this.consumer = kafka.consumer({ groupId: this.groupId, readUncommitted: false, maxWaitTimeInMs: 250 });
  }

  async start(): Promise<void> {
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      this.options.logger.error(
        { err: payload.error, restart: payload.restart },
        'state directory consumer crashed',
      );
      if (!payload.restart) this.crashed = true;
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.options.topic, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
        for (const message of batch.messages) {
          const headers = readHeaders(message.headers);
          const key = message.key?.toString('utf8');
          if (isBarrier(headers)) this.onBarrier(headers[BARRIER_HEADER] as string);
          else if (key !== undefined) this.apply(key, batch.partition, message.value);
          resolveOffset(message.offset);
        }
        await heartbeat();
      },
    });
    this.running = true;
  }

  get size(): number {
    return this.records.size;
  }

  get(requestId: string): RequestRecord | undefined {
    return this.records.get(requestId)?.record;
  }

  lookupAlias(alias: string): string | undefined {
    return this.aliases.get(alias);
  }

  /** The records last written to state partition p. */
  recordsOf(partition: number): RequestRecord[] {
    const out: RequestRecord[] = [];
    for (const entry of this.records.values()) if (entry.partition === partition) out.push(entry.record);
    return out;
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

  /** False once the directory's consumer crashed for good: restores cannot complete any more. */
  get healthy(): boolean {
    return this.running && !this.crashed;
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    await this.consumer.disconnect();
    // The group exists only for this instance's lifetime; remove it so the cluster keeps no trace.
    const admin = this.kafka.admin();
    try {
      await admin.connect();
      await admin.deleteGroups([this.groupId]);
    } catch (error) {
      this.options.logger.debug({ err: error, groupId: this.groupId }, 'could not delete directory group');
    } finally {
      await admin.disconnect().catch(() => {});
    }
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
    const previous = this.records.get(requestId)?.record;
    if (previous) for (const alias of aliasesOf(previous)) this.aliases.delete(alias);
    if (value === null) {
      this.records.delete(requestId);
      return;
    }
    const record = decodeState(value);
    if (!record) {
      this.options.logger.warn({ requestId, partition }, 'skipping unreadable state record');
      this.records.delete(requestId);
      return;
    }
    this.records.set(requestId, { record, partition });
    for (const alias of aliasesOf(record)) this.aliases.set(alias, requestId);
  }
}
