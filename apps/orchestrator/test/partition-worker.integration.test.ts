import { randomBytes } from 'node:crypto';
import { noopLogger, pollUntil } from '@pipeline/common';
import {
  createTransactionalProducer,
  KafkaAdmin,
  type OutboundRecord,
  provisionPipelineTopics,
} from '@pipeline/kafka';
import { ORCHESTRATOR_INPUTS, STATE } from '@pipeline/topics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Chunk } from '../src/domain/chunk.js';
import { PartitionWorker } from '../src/runtime/partition-worker.js';
import { StateDirectory } from '../src/runtime/state-directory.js';
import { TestPipeline } from './support/pipeline.js';
import { tempStore } from './support/temp-store.js';

// A partition worker on the real broker, alone: what happens when its transaction fails while it is
// closed, or because another producer fenced it (issue 10, findings 4 and 5).
// Partitions 2 and 3 are for the tests that need a partition no marker has made unreadable.
const pipeline = new TestPipeline(4);
let admin: KafkaAdmin;
let directory: StateDirectory;
const temp = tempStore();
const cleanup: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  await provisionPipelineTopics(pipeline.client, { names: pipeline.names, partitions: pipeline.partitions });
  admin = await KafkaAdmin.open(pipeline.client, pipeline.names);
  directory = new StateDirectory(pipeline.client, {
    names: pipeline.names,
    groupPrefix: pipeline.groupId,
    logger: noopLogger,
  });
  await directory.start(temp.store, new Map());
});

afterAll(async () => {
  for (const fn of cleanup.reverse()) await fn().catch(() => {});
  await directory?.stop();
  temp.remove();
  await admin?.close();
  await pipeline.close();
});

function startWorker(
  partition: number,
  onFenced?: () => Promise<boolean>,
  clock: () => number = Date.now,
): PartitionWorker {
  const worker = new PartitionWorker(partition, {
    client: pipeline.client,
    admin,
    directory,
    names: pipeline.names,
    groupId: pipeline.groupId,
    inputTopics: ORCHESTRATOR_INPUTS,
    restoreTimeoutMs: 60_000,
    logger: noopLogger,
    clock,
    numPartitions: pipeline.partitions,
    ...(onFenced ? { stillOwner: onFenced } : {}),
  });
  cleanup.push(() => worker.close());
  return worker;
}

/** A chunk whose transaction the broker refuses: one state record over the topic's 1 MB limit. */
function tooLargePlan(partition: number): Chunk {
  return emptyPlanWith({ topic: STATE, key: 'huge', value: randomBytes(2_000_000), headers: {}, partition });
}

/** Another owner of the partition's transactional id, as an instance taking the partition over. */
async function usurper(partition: number) {
  const producer = createTransactionalProducer(pipeline.client, {
    transactionalId: `${pipeline.groupId}-${partition}`,
    names: pipeline.names,
  });
  await producer.open();
  cleanup.push(() => producer.close());
  return producer;
}

const marker = (key: string, partition: number): OutboundRecord => ({
  topic: STATE,
  key,
  value: Buffer.from(key),
  headers: {},
  partition,
});

describe('partition worker lifecycle', () => {
  it('a worker closed during a rebalance does not come back to life when its transaction fails (finding 4)', async () => {
    const worker = startWorker(0);
    await worker.whenReady();
    expect(worker.state).toBe('ready');
    const failing = worker.commit(tooLargePlan(0), []).then(
      () => 'committed',
      () => 'failed',
    );
    await worker.close();
    expect(await failing).toBe('failed');
    expect(worker.state).toBe('closed');
    await worker.whenReady();
    expect(worker.state).toBe('closed');
  });

  it('a fenced worker does not fight the rightful owner (finding 5)', async () => {
    let asked = 0;
    const worker = startWorker(1, async () => {
      asked++;
      return false; // the group gave the partition to someone else
    });
    await worker.whenReady();
    const owner = await usurper(1);
    await expect(worker.commit(emptyPlanWith(marker('zombie', 1)), [])).rejects.toThrow();
    expect(worker.state).toBe('fenced');
    await pollUntil(() => asked === 1, { timeoutMs: 30_000, what: 'the worker to ask the group' });
    // The rightful owner goes on; the fenced worker neither restored nor fenced it back.
    await owner.commit([marker('owner', 1)], []);
    expect(worker.state).toBe('fenced');
    await worker.close();
    expect(worker.state).toBe('closed');
  });

  it('a worker closed right after it was fenced, before it asked the group, still closes', async () => {
    const worker = startWorker(2, async () => false);
    await worker.whenReady();
    await usurper(2);
    await expect(worker.commit(emptyPlanWith(marker('fenced-then-closed', 2)), [])).rejects.toThrow();
    // The close aborts before the worker starts waiting for the group: it must not wait for ever.
    await worker.close();
    expect(worker.state).toBe('closed');
  });

  it('a worker fenced by a producer outside the group restores when the group says it still owns the partition', async () => {
    const worker = startWorker(0, async () => true);
    await worker.whenReady();
    await usurper(0);
    await expect(worker.commit(emptyPlanWith(marker('fenced', 0)), [])).rejects.toThrow();
    await worker.whenReady();
    expect(worker.state).toBe('ready');
    await worker.commit(emptyPlanWith(marker('after', 0)), []);
  });
});

describe('issue 10, finding 16: liveness stays true while a partition loops', () => {
  it('a partition whose transactions keep failing is in trouble since its first failure, until a commit succeeds', async () => {
    let now = 1_000_000;
    const worker = startWorker(2, undefined, () => now);
    await worker.whenReady();
    expect(worker.troubleMs(now)).toBe(0);
    for (let i = 0; i < 3; i++) {
      now += 10_000;
      await expect(worker.commit(tooLargePlan(2), [])).rejects.toThrow();
      await worker.whenReady();
      expect(worker.state).toBe('ready'); // each failure restores: the loop the finding describes
    }
    // In trouble since the first of the three failures, although the worker is "ready" in between.
    expect(worker.troubleMs(now + 5_000)).toBe(25_000);
    await worker.commit(emptyPlanWith(marker('fine', 2)), []);
    expect(worker.troubleMs(now + 5_000)).toBe(0);
  });

  it('a partition that cannot restore is in trouble since it stopped being ready', async () => {
    let now = 2_000_000;
    const worker = startWorker(
      3,
      async () => false,
      () => now,
    );
    await worker.whenReady();
    await usurper(3);
    now += 1_000;
    await expect(worker.commit(emptyPlanWith(marker('fenced-trouble', 3)), [])).rejects.toThrow();
    expect(worker.state).toBe('fenced');
    expect(worker.troubleMs(now + 60_000)).toBe(60_000);
    await worker.close();
  });
});

function emptyPlanWith(record: OutboundRecord): Chunk {
  return { records: [record], updated: new Map(), forgotten: [], effects: [] };
}
