// Handling records out of order, up to a limit at once, across and within partitions: for work that
// takes minutes (an AI agent), where handling one partition's records one after another would make
// every later record wait, and kafkajs' fetch loop would wait for the slowest batch of a fetch.
//
// Each record is handed to `run` without waiting for it; the batch returns at once, so the fetch loop
// (and its heartbeats) goes on. Offsets are committed below the first unfinished record of each
// partition (CommitWindow): a crash redelivers what was not finished, never skips it. A batch never
// waits for a commit (one at a time, in the background). When the limit is reached the batch waits
// for a free slot, heartbeating: that is the backpressure.

import type { Logger } from '@pipeline/common';
import { CommitWindow } from './commit-window.js';
import type { Batch, Consumer, ConsumerEvent } from './consumer.js';
import type { ConsumedRecord } from './records/record.js';

/** How many finished records are remembered (by topic/partition/offset). */
const REMEMBERED = 10_000;
/** A failed commit is tried again after 1 s, 2 s, … up to 30 s, unless a finish or a batch asks first. */
const COMMIT_RETRY_MS = 1000;
const COMMIT_RETRY_MAX_MS = 30_000;

export interface WindowedDispatchOptions {
  consumer: Consumer;
  /** Records handled at once. */
  limit: number;
  /** Handles one record: true when done (commit may pass it), false when stopping interrupted it. */
  run: (record: ConsumedRecord) => Promise<boolean>;
  stopping: AbortSignal;
  heartbeatEveryMs: number;
  logger: Logger;
}

export interface WindowedDispatch {
  onBatch(batch: Batch): Promise<void>;
  /** Group events: a new generation starts the window afresh. */
  onEvent(event: ConsumerEvent): void;
  /**
   * Waits for every record in hand to finish (or be abandoned), then commits what is done. Call it
   * before the consumer stops: kafkajs drops commits of a consumer that is not running.
   */
  drain(): Promise<void>;
}

export function createWindowedDispatch(options: WindowedDispatchOptions): WindowedDispatch {
  const { consumer, logger } = options;
  const window = new CommitWindow();
  /** Records in hand, by topic/partition/offset: one delivered again while it runs is not started twice. */
  const running = new Map<string, Promise<void>>();
  /**
   * Records finished lately whose commit may not have landed (a rebalance, a coordinator moving):
   * delivered again, they are passed over instead of handled twice — for an AI agent, paid twice.
   */
  const finished = new Set<string>();
  const waiters: Array<() => void> = [];
  /** A record whose handling failed outside the handler (writing its dead letter): the consumer restarts. */
  let failure: unknown;
  /** The commit round under way, if any; `wanted` asks it for one more pass. */
  let committing: Promise<void> | undefined;
  let wanted = false;
  /** After a failed commit: when to try again if nothing else asks first (ms, doubling to 30 s). */
  let retryMs = COMMIT_RETRY_MS;
  let retryTimer: NodeJS.Timeout | undefined;

  /**
   * Commits what is finished. One commit at a time, and callers meanwhile ask for one more pass, not
   * one each: kafkajs retries a failing commit for seconds (a group coordinator that moved is asked
   * again and again until the member rejoins), and one queued per finished record kept an agent's
   * batches waiting for minutes. A failure ends the round and backs off (1 s, 2 s, … 30 s, or until
   * the member joins again); a lost generation redelivers what was not committed instead.
   */
  const commitDone = (): Promise<void> => {
    wanted = true;
    // Backing off after a failure: the timer's round takes what was asked meanwhile.
    if (retryTimer !== undefined) return Promise.resolve();
    committing ??= (async () => {
      // Yield first, so that `committing` is set before the round can end and clear it.
      await Promise.resolve();
      try {
        while (wanted) {
          wanted = false;
          const points = window.committable();
          if (points.length === 0) continue;
          try {
            await consumer.commit(points.map((p) => ({ ...p, topic: p.topic as never })));
            window.committed(points);
            retryMs = COMMIT_RETRY_MS;
          } catch (error) {
            logger.debug({ err: error, retryMs }, 'commit of finished records failed');
            retryLater();
            return;
          }
        }
      } finally {
        committing = undefined;
      }
    })();
    return committing;
  };

  const retryLater = (): void => {
    if (retryTimer !== undefined || options.stopping.aborted) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void commitDone();
    }, retryMs);
    retryTimer.unref();
    retryMs = Math.min(COMMIT_RETRY_MAX_MS, retryMs * 2);
  };

  // One listener for the whole life of the dispatch (one per wait would pile up on the signal).
  options.stopping.addEventListener(
    'abort',
    () => {
      for (const wake of waiters.splice(0)) wake();
    },
    { once: true },
  );

  const remember = (id: string): void => {
    finished.add(id);
    if (finished.size > REMEMBERED) finished.delete(finished.values().next().value as string);
  };

  const freeSlot = async (batch: Batch): Promise<boolean> => {
    if (running.size < options.limit) return true;
    const timer = setInterval(() => {
      batch
        .heartbeat()
        .catch((error: unknown) => logger.debug({ err: error }, 'heartbeat while full failed'));
    }, options.heartbeatEveryMs);
    try {
      while (running.size >= options.limit && !options.stopping.aborted && batch.isActive()) {
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    } finally {
      clearInterval(timer);
    }
    return !options.stopping.aborted && batch.isActive();
  };

  const start = (raw: ConsumedRecord, id: string, offset: bigint): void => {
    const done = (async () => {
      try {
        if (await options.run(raw)) {
          window.finish(raw.topic, raw.partition, offset);
          remember(id);
        }
      } catch (error) {
        failure ??= error;
        logger.error(
          { err: error, topic: raw.topic, partition: raw.partition, offset: raw.offset },
          'record not handled',
        );
      } finally {
        running.delete(id);
        waiters.shift()?.();
        await commitDone();
      }
    })();
    running.set(id, done);
  };

  return {
    async onBatch(batch) {
      if (failure !== undefined) {
        const error = failure;
        failure = undefined;
        throw error;
      }
      for (const raw of batch.records) {
        if (options.stopping.aborted || !batch.isActive()) {
          // Not handed out: read again by whoever owns the partition next. Paused, so that a stopping
          // consumer does not fetch the same records in a loop while its work in hand finishes.
          if (options.stopping.aborted) batch.pause();
          return;
        }
        const id = `${raw.topic}/${raw.partition}/${raw.offset}`;
        const offset = BigInt(raw.offset);
        if (finished.has(id)) {
          window.open(raw.topic, raw.partition, offset);
          window.finish(raw.topic, raw.partition, offset);
          batch.resolve(raw.offset);
          continue;
        }
        if (!running.has(id) && !(await freeSlot(batch))) {
          if (options.stopping.aborted) batch.pause();
          return;
        }
        // Opened before it starts, so that its finish always finds it.
        window.open(raw.topic, raw.partition, offset);
        if (!running.has(id)) start(raw, id, offset);
        batch.resolve(raw.offset);
      }
      window.advance(batch.topic, batch.partition, batch.nextOffset);
      // Not awaited: the fetch loop goes on, and its own heartbeat finds a moved coordinator and rejoins.
      void commitDone();
    },
    onEvent(event) {
      if (event.type !== 'joined') return;
      window.reset();
      // A new generation, maybe a new coordinator: commit again as soon as something finishes.
      clearTimeout(retryTimer);
      retryTimer = undefined;
      retryMs = COMMIT_RETRY_MS;
    },
    async drain() {
      await Promise.allSettled([...running.values()]);
      clearTimeout(retryTimer);
      retryTimer = undefined;
      // A round under way takes one more pass for the records that finished after it began.
      await commitDone();
    },
  };
}
