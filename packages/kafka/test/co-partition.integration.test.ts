import { uniqueName } from '@pipeline/testkit';
import { PLAN, TSPEC } from '@pipeline/topics';
import { afterEach, describe, expect, it } from 'vitest';
import { CO_PARTITION_PROTOCOL, type Consumer, createConsumer } from '../src/index.js';
import { createTestTopics, kafka, uniqueNames, waitFor } from './support.js';

describe('co-partition assignment (real broker)', () => {
  const consumers: Consumer[] = [];
  afterEach(async () => {
    await Promise.all(consumers.splice(0).map((c) => c.close()));
  });

  it('gives two members the same partition numbers of both topics, disjoint and complete', async () => {
    const client = kafka();
    const topics = [PLAN, TSPEC] as const;
    const names = uniqueNames(...topics);
    await createTestTopics(client, names, topics, 4);
    const groupId = uniqueName('cop-g');
    const latest = new Map<string, ReadonlyMap<string, readonly number[]>>();

    const join = async (name: string) => {
      const consumer = createConsumer(client, {
        groupId,
        topics,
        names,
        coPartitioned: true,
        fromBeginning: true,
        heartbeatIntervalMs: 500,
        maxWaitTimeMs: 200,
      });
      consumers.push(consumer);
      consumer.on((event) => {
        if (event.type !== 'joined') return;
        expect(event.protocol).toBe(CO_PARTITION_PROTOCOL);
        latest.set(name, event.partitions);
      });
      await consumer.run(async () => {});
    };

    await join('one');
    await join('two');

    const numbers = (name: string, topic: string) => [...(latest.get(name)?.get(topic) ?? [])].sort();
    const settled = () => {
      if (latest.size < 2) return false;
      const all = [...numbers('one', PLAN), ...numbers('two', PLAN)];
      return all.length === 4 && new Set(all).size === 4;
    };
    // The first member learns of the second at its next heartbeat and rejoins.
    await waitFor(settled, 45_000, 'both members to hold a settled assignment');

    for (const name of ['one', 'two']) {
      const a = numbers(name, PLAN);
      expect(a.length).toBeGreaterThan(0);
      expect(numbers(name, TSPEC)).toEqual(a);
    }
    const first = numbers('one', PLAN);
    const second = numbers('two', PLAN);
    expect(first.filter((p) => second.includes(p))).toEqual([]);
    expect([...first, ...second].sort()).toEqual([0, 1, 2, 3]);
  });
});
