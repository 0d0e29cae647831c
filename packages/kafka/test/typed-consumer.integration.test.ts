import { PipelineError } from '@pipeline/common';
import { create, schemas } from '@pipeline/contracts';
import { uniqueName } from '@pipeline/testkit';
import { CRQ, DLQ, PLAN, TopicNames } from '@pipeline/topics';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createProducer,
  createTypedConsumer,
  HEADERS,
  type InboundMessage,
  KafkaAdmin,
  type KafkaClient,
  type Producer,
  readHeaders,
  type TypedConsumer,
} from '../src/index.js';
import { createTestTopics, kafka, readAll, uniqueNames, waitFor } from './support.js';

const TRACE = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

/** What landed on the dead-letter topic, headers decoded. */
async function deadLetters(client: KafkaClient, names: TopicNames, count: number) {
  const records = await readAll(client, names, [DLQ], count);
  return records.map((r) => ({ key: r.key?.toString(), value: r.value, headers: readHeaders(r.headers) }));
}

async function committedOffset(client: KafkaClient, names: TopicNames, groupId: string) {
  const admin = await KafkaAdmin.open(client, names);
  try {
    return (await admin.committedOffsets(groupId, [CRQ])).get(CRQ)?.get(0);
  } finally {
    await admin.close();
  }
}

describe('typed producer and consumer (real broker)', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const stop of cleanup.splice(0).reverse()) await stop();
  });

  async function setup(partitions = 1) {
    const client = kafka();
    const names = uniqueNames(CRQ, PLAN, DLQ);
    await createTestTopics(client, names, [CRQ, PLAN, DLQ], partitions);
    const producer = createProducer(client, { names });
    await producer.connect();
    cleanup.push(() => producer.disconnect());
    return { client, names, producer };
  }

  function startConsumer(
    client: KafkaClient,
    producer: Producer,
    names: TopicNames,
    handle: (m: InboundMessage<typeof CRQ | typeof PLAN>) => Promise<void>,
  ): TypedConsumer {
    const consumer = createTypedConsumer(client, {
      groupId: uniqueName('g'),
      topics: [CRQ, PLAN],
      fromBeginning: true,
      producer,
      names,
      retry: { retries: 2, initialDelayMs: 1, maxDelayMs: 5 },
      handle,
    });
    cleanup.push(() => consumer.stop());
    return consumer;
  }

  it('round-trips typed messages with standard headers, narrowed by topic', async () => {
    const { client, names, producer } = await setup();
    const received: InboundMessage<typeof CRQ | typeof PLAN>[] = [];
    const plans: string[] = [];
    const consumer = startConsumer(client, producer, names, async (m) => {
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

  it('dead letters change the bytes (finding 15): keeps the original key and header bytes', async () => {
    const { client, names, producer } = await setup();
    const key = Buffer.from([0x63, 0x72, 0xff, 0xfe]);
    const header = Buffer.from([0xc3, 0x28, 0x00]);
    await producer.sendRecords([
      { topic: CRQ, key, value: Buffer.from([0x0f, 0xff]), headers: { 'x-odd': header } },
    ]);
    const consumer = startConsumer(client, producer, names, async () => {});
    await consumer.start();
    const [dead] = await readAll(client, names, [DLQ], 1);
    expect(dead?.key?.equals(key)).toBe(true);
    const odd = dead?.headers['x-odd'];
    expect(Buffer.isBuffer(odd) && odd.equals(header)).toBe(true);
    expect(readHeaders(dead?.headers ?? {})[HEADERS.dlqReason]).toBe('undecodable');
  });

  it('dead-letters undecodable bytes with the original bytes and goes on', async () => {
    const { client, names, producer } = await setup();
    const garbage = Buffer.from([0x0f, 0xff]);
    // A foreign producer writes bytes that are no ChangeRequest, then a good message follows.
    await producer.sendRecords([
      {
        topic: CRQ,
        key: 'req-bad',
        value: garbage,
        headers: { 'x-origin': 'elsewhere' },
      },
    ]);
    await producer.send(CRQ, create(schemas.ChangeRequest, { id: 'req-good' }), { key: 'req-good' });

    const handled: string[] = [];
    const consumer = startConsumer(client, producer, names, async (m) => {
      handled.push(m.key ?? '');
    });
    await consumer.start();
    await waitFor(() => handled.length === 1, 30_000, 'the good message');
    expect(handled).toEqual(['req-good']);

    const [dead] = await deadLetters(client, names, 1);
    expect(dead?.key).toBe('req-bad');
    expect(dead?.value?.equals(garbage)).toBe(true);
    expect(dead?.headers).toMatchObject({
      'x-origin': 'elsewhere',
      [HEADERS.dlqReason]: 'undecodable',
      [HEADERS.dlqSourceTopic]: names.physical(CRQ),
      [HEADERS.dlqSourcePartition]: '0',
      [HEADERS.dlqSourceOffset]: '0',
    });
    expect(dead?.headers[HEADERS.dlqError]).toContain('cannot decode core.ChangeRequest');
    expect(Number(dead?.headers[HEADERS.dlqAt])).toBeGreaterThan(0);
  });

  it('retries a failing handler, then dead-letters it and goes on; commits what it handled', async () => {
    const { client, names, producer } = await setup();
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
      names,
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

    const [dead] = await deadLetters(client, names, 1);
    expect(dead?.key).toBe('broken');
    expect(dead?.headers[HEADERS.dlqReason]).toBe('handler_failed');
    expect(dead?.headers[HEADERS.dlqError]).toBe('Error: always broken');
    expect(dead?.headers[HEADERS.dlqSourceOffset]).toBe('1');
    await consumer.stop();

    // Offsets were committed: the group resumes after the last message.
    expect(await committedOffset(client, names, groupId)).toBe(3n);
  });

  it('does not retry a PipelineError that says retrying cannot help', async () => {
    const { client, names, producer } = await setup();
    await producer.send(CRQ, create(schemas.ChangeRequest, { id: 'invalid' }), { key: 'invalid' });
    let calls = 0;
    const consumer = startConsumer(client, producer, names, async () => {
      calls++;
      throw new PipelineError('DECODE_FAILED', 'nope', { canRetry: false });
    });
    await consumer.start();
    const [dead] = await deadLetters(client, names, 1);
    expect(dead?.headers[HEADERS.dlqError]).toBe('PipelineError: nope');
    expect(calls).toBe(1);
  });

  it('stop lets the message in hand finish and commits it', async () => {
    const { client, names, producer } = await setup();
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
      names,
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

    expect(await committedOffset(client, names, groupId)).toBe(1n);
  });

  it('with inFlight, handles records of one partition at once and commits below the first unfinished', async () => {
    const { client, names, producer } = await setup();
    for (const id of ['first', 'second', 'third'])
      await producer.send(CRQ, create(schemas.ChangeRequest, { id }), { key: id });
    const started = new Set<string>();
    const finished: string[] = [];
    let releaseFirst: () => void = () => {};
    const firstMayEnd = new Promise<void>((resolve) => {
      releaseFirst = resolve;
    });
    const groupId = uniqueName('g');
    const consumer = createTypedConsumer(client, {
      groupId,
      topics: [CRQ],
      fromBeginning: true,
      producer,
      names,
      inFlight: 4,
      handle: async (m) => {
        started.add(m.message.id);
        // Done one after another, 'first' would wait here for ever: the others never start.
        if (m.message.id === 'first') await firstMayEnd;
        finished.push(m.message.id);
      },
    });
    cleanup.push(() => consumer.stop());
    await consumer.start();
    await waitFor(() => finished.length === 2, 30_000, 'the later records, while the first still runs');
    expect(finished).toEqual(['second', 'third']);
    // Nothing is committed past the unfinished first record.
    expect((await committedOffset(client, names, groupId)) ?? 0n).toBe(0n);
    releaseFirst();
    await waitFor(() => finished.length === 3, 30_000, 'the first');
    await consumer.stop();
    expect(await committedOffset(client, names, groupId)).toBe(3n);
  });

  it('with inFlight, a stop that abandons a record leaves it to be delivered again', async () => {
    const { client, names, producer } = await setup();
    for (const id of ['stuck', 'quick'])
      await producer.send(CRQ, create(schemas.ChangeRequest, { id }), { key: id });
    const groupId = uniqueName('g');
    const quickDone: string[] = [];
    const consumer = createTypedConsumer(client, {
      groupId,
      topics: [CRQ],
      fromBeginning: true,
      producer,
      names,
      inFlight: 2,
      handle: async (m) => {
        if (m.message.id === 'quick') {
          quickDone.push('quick');
          return;
        }
        // Abandoned by the stop below.
        await new Promise((_, reject) => setTimeout(() => reject(new Error('gave up')), 3000));
      },
    });
    await consumer.start();
    await waitFor(() => quickDone.length === 1, 30_000, 'the quick record');
    await consumer.stop();
    expect((await committedOffset(client, names, groupId)) ?? 0n).toBe(0n);
    const again: string[] = [];
    const next = createTypedConsumer(client, {
      groupId,
      topics: [CRQ],
      producer,
      names,
      inFlight: 2,
      handle: async (m) => {
        again.push(m.message.id);
      },
    });
    cleanup.push(() => next.stop());
    await next.start();
    await waitFor(() => again.includes('stuck'), 30_000, 'the abandoned record, delivered again');
  });

  it('validates its options', () => {
    const client = kafka();
    const names = TopicNames.prefixed('');
    const producer = createProducer(client, { names });
    expect(() =>
      createTypedConsumer(client, {
        groupId: '',
        topics: [],
        names,
        producer,
        handle: async () => {},
        concurrency: 0,
      }),
    ).toThrow(
      /groupId must be a non-empty string[\s\S]*topics must list at least one topic[\s\S]*concurrency/,
    );
    expect(() => TopicNames.of({ [CRQ]: 'same', [PLAN]: 'same' })).toThrow(/same physical name/);
  });

  it('refuses to send before connect', async () => {
    const producer = createProducer(kafka(), { names: TopicNames.prefixed('') });
    await expect(producer.send(CRQ, create(schemas.ChangeRequest, { id: 'x' }))).rejects.toMatchObject({
      code: 'NOT_CONNECTED',
    });
  });
});
