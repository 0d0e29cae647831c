import { PipelineError } from '@pipeline/common';
import { create, schemas } from '@pipeline/contracts';
import { createTopics, uniqueName } from '@pipeline/testkit';
import { CRQ, PLAN } from '@pipeline/topics';
import type { Kafka } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createTypedConsumer,
  createTypedProducer,
  HEADERS,
  type InboundMessage,
  readHeaders,
  type TopicNames,
  type TypedConsumer,
  type TypedProducer,
} from '../src/index.js';
import { kafka, waitFor } from './support.js';

const TRACE = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

interface Raw {
  key: string | undefined;
  value: Buffer | null;
  headers: Record<string, string>;
}

/** Reads a topic with a plain kafkajs consumer, to see exactly what landed there. */
async function readAll(client: Kafka, topic: string, count: number): Promise<Raw[]> {
  const consumer = client.consumer({ groupId: uniqueName('reader'), maxWaitTimeInMs: 200 });
  const seen: Raw[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        seen.push({
          key: message.key?.toString(),
          value: message.value,
          headers: readHeaders(message.headers),
        });
      },
    });
    await waitFor(() => seen.length >= count, 30_000, `${count} records on ${topic}`);
  } finally {
    await consumer.disconnect();
  }
  return seen;
}

describe('typed producer and consumer (real broker)', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const stop of cleanup.splice(0).reverse()) await stop();
  });

  async function setup(partitions = 1) {
    const client = kafka();
    const topicNames: TopicNames = { [CRQ]: uniqueName('t-crq'), [PLAN]: uniqueName('t-plan') };
    const deadLetterTopic = uniqueName('t-dlq');
    await createTopics(
      client,
      [topicNames[CRQ] as string, topicNames[PLAN] as string, deadLetterTopic],
      partitions,
    );
    const producer = createTypedProducer(client, { topicNames });
    await producer.connect();
    cleanup.push(() => producer.disconnect());
    return { client, topicNames, deadLetterTopic, producer };
  }

  function startConsumer(
    client: Kafka,
    producer: TypedProducer,
    topicNames: TopicNames,
    deadLetterTopic: string,
    handle: (m: InboundMessage<typeof CRQ | typeof PLAN>) => Promise<void>,
  ): TypedConsumer {
    const consumer = createTypedConsumer(client, {
      groupId: uniqueName('g'),
      topics: [CRQ, PLAN],
      fromBeginning: true,
      producer,
      topicNames,
      deadLetterTopic,
      retry: { retries: 2, initialDelayMs: 1, maxDelayMs: 5 },
      handle,
    });
    cleanup.push(() => consumer.stop());
    return consumer;
  }

  it('round-trips typed messages with standard headers, narrowed by topic', async () => {
    const { client, topicNames, deadLetterTopic, producer } = await setup();
    const received: InboundMessage<typeof CRQ | typeof PLAN>[] = [];
    const plans: string[] = [];
    const consumer = startConsumer(client, producer, topicNames, deadLetterTopic, async (m) => {
      received.push(m);
      // The discriminated union: on PLAN, m.message is a Plan.
      if (m.topic === PLAN) plans.push(m.message.parentRequestId);
    });
    expect(consumer.ready()).toBe(false);
    await consumer.start();
    expect(consumer.ready()).toBe(true);

    const before = Date.now();
    await producer.send(CRQ, create(schemas.ChangeRequest, { id: 'req-1', description: 'make it so' }), {
      key: 'req-1',
      traceparent: TRACE,
    });
    await producer.send(
      PLAN,
      create(schemas.Plan, { id: 'plan-1', parentRequestId: 'req-1', taskIds: ['a'] }),
      { key: 'req-1' },
    );
    await waitFor(() => received.length === 2, 30_000, 'two messages');

    const crq = received.find((m) => m.topic === CRQ);
    expect(crq?.key).toBe('req-1');
    expect(crq?.message).toMatchObject({
      $typeName: 'core.ChangeRequest',
      id: 'req-1',
      description: 'make it so',
    });
    expect(crq?.standard).toEqual({
      messageType: 'core.ChangeRequest',
      requestId: 'req-1',
      traceparent: TRACE,
      producedAt: expect.any(Number),
    });
    expect(crq?.standard.producedAt).toBeGreaterThanOrEqual(before);
    expect(crq?.headers[HEADERS.messageType]).toBe('core.ChangeRequest');
    expect(crq?.offset).toBe('0');
    expect(plans).toEqual(['req-1']);

    await consumer.stop();
    expect(consumer.ready()).toBe(false);
    await consumer.stop(); // idempotent
  });

  it('dead-letters undecodable bytes with the original bytes and goes on', async () => {
    const { client, topicNames, deadLetterTopic, producer } = await setup();
    const garbage = Buffer.from([0x0f, 0xff]);
    // A foreign producer writes bytes that are no ChangeRequest, then a good message follows.
    await producer.sendRecords([
      {
        topic: topicNames[CRQ] as string,
        key: 'req-bad',
        value: garbage,
        headers: { 'x-origin': 'elsewhere' },
      },
    ]);
    await producer.send(CRQ, create(schemas.ChangeRequest, { id: 'req-good' }), { key: 'req-good' });

    const handled: string[] = [];
    const consumer = startConsumer(client, producer, topicNames, deadLetterTopic, async (m) => {
      handled.push(m.key ?? '');
    });
    await consumer.start();
    await waitFor(() => handled.length === 1, 30_000, 'the good message');
    expect(handled).toEqual(['req-good']);

    const [dead] = await readAll(client, deadLetterTopic, 1);
    expect(dead?.key).toBe('req-bad');
    expect(dead?.value?.equals(garbage)).toBe(true);
    expect(dead?.headers).toMatchObject({
      'x-origin': 'elsewhere',
      [HEADERS.dlqReason]: 'undecodable',
      [HEADERS.dlqSourceTopic]: topicNames[CRQ],
      [HEADERS.dlqSourcePartition]: '0',
      [HEADERS.dlqSourceOffset]: '0',
    });
    expect(dead?.headers[HEADERS.dlqError]).toContain('cannot decode core.ChangeRequest');
    expect(Number(dead?.headers[HEADERS.dlqAt])).toBeGreaterThan(0);
  });

  it('retries a failing handler, then dead-letters it and goes on; commits what it handled', async () => {
    const { client, topicNames, deadLetterTopic, producer } = await setup();
    for (const id of ['flaky', 'broken', 'fine']) {
      await producer.send(CRQ, create(schemas.ChangeRequest, { id }), { key: id });
    }
    const attempts = new Map<string, number>();
    const groupId = uniqueName('g');
    const consumer = createTypedConsumer(client, {
      groupId,
      topics: [CRQ],
      fromBeginning: true,
      producer,
      topicNames,
      deadLetterTopic,
      retry: { retries: 2, initialDelayMs: 1, maxDelayMs: 5 },
      handle: async (m) => {
        const n = (attempts.get(m.message.id) ?? 0) + 1;
        attempts.set(m.message.id, n);
        if (m.message.id === 'flaky' && n === 1) throw new Error('transient');
        if (m.message.id === 'broken') throw new Error('always broken');
      },
    });
    cleanup.push(() => consumer.stop());
    await consumer.start();
    await waitFor(() => attempts.has('fine'), 30_000, 'the last message');
    expect(Object.fromEntries(attempts)).toEqual({ flaky: 2, broken: 3, fine: 1 });

    const [dead] = await readAll(client, deadLetterTopic, 1);
    expect(dead?.key).toBe('broken');
    expect(dead?.headers[HEADERS.dlqReason]).toBe('handler_failed');
    expect(dead?.headers[HEADERS.dlqError]).toBe('Error: always broken');
    expect(dead?.headers[HEADERS.dlqSourceOffset]).toBe('1');
    await consumer.stop();

    // Offsets were committed: the group resumes after the last message.
    const admin = client.admin();
    await admin.connect();
    try {
      const [offsets] = await admin.fetchOffsets({ groupId, topics: [topicNames[CRQ] as string] });
      expect(offsets?.partitions).toEqual([expect.objectContaining({ partition: 0, offset: '3' })]);
    } finally {
      await admin.disconnect();
    }
  });

  it('does not retry a PipelineError that says retrying cannot help', async () => {
    const { client, topicNames, deadLetterTopic, producer } = await setup();
    await producer.send(CRQ, create(schemas.ChangeRequest, { id: 'invalid' }), { key: 'invalid' });
    let calls = 0;
    const consumer = startConsumer(client, producer, topicNames, deadLetterTopic, async () => {
      calls++;
      throw new PipelineError('DECODE_FAILED', 'nope', { canRetry: false });
    });
    await consumer.start();
    const [dead] = await readAll(client, deadLetterTopic, 1);
    expect(dead?.headers[HEADERS.dlqError]).toBe('PipelineError: nope');
    expect(calls).toBe(1);
  });

  it('stop lets the message in hand finish and commits it', async () => {
    const { client, topicNames, deadLetterTopic, producer } = await setup();
    await producer.send(CRQ, create(schemas.ChangeRequest, { id: 'slow' }), { key: 'slow' });
    await producer.send(CRQ, create(schemas.ChangeRequest, { id: 'next' }), { key: 'next' });
    let started = false;
    let finished = false;
    const handled: string[] = [];
    const groupId = uniqueName('g');
    const consumer = createTypedConsumer(client, {
      groupId,
      topics: [CRQ],
      fromBeginning: true,
      producer,
      topicNames,
      deadLetterTopic,
      handle: async (m) => {
        handled.push(m.message.id);
        started = true;
        await new Promise((r) => setTimeout(r, 500));
        finished = true;
      },
    });
    await consumer.start();
    await waitFor(() => started, 30_000, 'the slow handler to start');
    await consumer.stop();
    expect(finished).toBe(true);
    expect(handled).toEqual(['slow']);

    const admin = client.admin();
    await admin.connect();
    try {
      const [offsets] = await admin.fetchOffsets({ groupId, topics: [topicNames[CRQ] as string] });
      expect(offsets?.partitions[0]?.offset).toBe('1');
    } finally {
      await admin.disconnect();
    }
  });

  it('validates its options', () => {
    const client = kafka();
    const producer = createTypedProducer(client);
    expect(() =>
      createTypedConsumer(client, {
        groupId: '',
        topics: [],
        producer,
        handle: async () => {},
        partitionsConsumedConcurrently: 0,
      }),
    ).toThrow(
      /groupId must be a non-empty string[\s\S]*topics must list at least one topic[\s\S]*partitionsConsumedConcurrently/,
    );
    expect(() =>
      createTypedConsumer(client, {
        groupId: 'g',
        topics: [CRQ, PLAN],
        producer,
        topicNames: { [CRQ]: 'same', [PLAN]: 'same' },
        handle: async () => {},
      }),
    ).toThrow(/both map to same/);
  });

  it('refuses to send before connect', async () => {
    const producer = createTypedProducer(kafka());
    await expect(producer.send(CRQ, create(schemas.ChangeRequest, { id: 'x' }))).rejects.toMatchObject({
      code: 'NOT_CONNECTED',
    });
  });
});
