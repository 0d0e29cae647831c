import { createTopics, uniqueName } from '@pipeline/testkit';
import type { Consumer } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { CoPartitionAssigner } from '../src/index.js';
import { kafka, waitFor } from './support.js';

describe('CoPartitionAssigner (real broker)', () => {
  const consumers: Consumer[] = [];
  afterEach(async () => {
    await Promise.all(consumers.splice(0).map((c) => c.disconnect()));
  });

  it('gives two members the same partition numbers of both topics, disjoint and complete', async () => {
    const client = kafka();
    const topics = [uniqueName('cop-a'), uniqueName('cop-b')];
    await createTopics(client, topics, 4);
    const groupId = uniqueName('cop-g');
    const latest = new Map<string, { generation: number; assignment: Record<string, number[]> }>();

    const join = async (name: string) => {
      const consumer = client.consumer({
        groupId,
        partitionAssigners: [CoPartitionAssigner],
        heartbeatInterval: 500,
        maxWaitTimeInMs: 200,
      });
      consumers.push(consumer);
      consumer.on(consumer.events.GROUP_JOIN, (e) => {
        expect(e.payload.groupProtocol).toBe('co-partition');
        latest.set(name, { generation: Date.now(), assignment: e.payload.memberAssignment });
      });
      await consumer.connect();
      await consumer.subscribe({ topics, fromBeginning: true });
      await consumer.run({ eachMessage: async () => {} });
    };

    await join('one');
    await join('two');

    const numbers = (name: string, topic: string) => [...(latest.get(name)?.assignment[topic] ?? [])].sort();
    const settled = () => {
      if (latest.size < 2) return false;
      const all = [...numbers('one', topics[0] as string), ...numbers('two', topics[0] as string)];
      return all.length === 4 && new Set(all).size === 4;
    };
    // The first member learns of the second at its next heartbeat and rejoins.
    await waitFor(settled, 45_000, 'both members to hold a settled assignment');

    for (const name of ['one', 'two']) {
      const a = numbers(name, topics[0] as string);
      expect(a.length).toBeGreaterThan(0);
      expect(numbers(name, topics[1] as string)).toEqual(a);
    }
    const first = numbers('one', topics[0] as string);
    const second = numbers('two', topics[0] as string);
    expect(first.filter((p) => second.includes(p))).toEqual([]);
    expect([...first, ...second].sort()).toEqual([0, 1, 2, 3]);
  });
});
