import { ChangeRequestSchema, create, decode, encode } from '@pipeline/contracts';
import type { Consumer, Producer } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { createTopics, testKafka, uniqueName } from '../src/index.js';

// Proves the broker of the run is a real Kafka with transactions: a committed protobuf message is
// read back by a read_committed consumer, an aborted one never is.
describe('the test broker', () => {
  const kafka = testKafka('broker-test');
  const open: Array<Producer | Consumer> = [];
  afterAll(async () => {
    await Promise.all(open.map((c) => c.disconnect()));
  });

  it('round-trips a protobuf message inside a transaction and hides an aborted one', async () => {
    const topic = uniqueName('broker-tx');
    await createTopics(kafka, [topic]);

    const producer = kafka.producer({
      transactionalId: uniqueName('broker-tx-id'),
      idempotent: true,
      maxInFlightRequests: 1,
    });
    open.push(producer);
    await producer.connect();

    const aborted = create(ChangeRequestSchema, { id: 'cr-aborted', description: 'never visible' });
    const txAbort = await producer.transaction();
    await txAbort.send({
      topic,
      messages: [{ key: aborted.id, value: Buffer.from(encode(ChangeRequestSchema, aborted)) }],
    });
    await txAbort.abort();

    const committed = create(ChangeRequestSchema, {
      id: 'cr-1',
      requester: 'kil',
      repo: 'demo',
      branch: 'main',
      description: 'add greet() — ünïcode',
    });
    const tx = await producer.transaction();
    await tx.send({
      topic,
      messages: [{ key: committed.id, value: Buffer.from(encode(ChangeRequestSchema, committed)) }],
    });
    await tx.commit();

    const consumer = kafka.consumer({ groupId: uniqueName('broker-tx-group'), readUncommitted: false });
    open.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const seen: Array<{ key: string; id: string; description: string }> = [];
    const gotOne = new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          const decoded = decode(ChangeRequestSchema, message.value ?? new Uint8Array());
          seen.push({ key: message.key?.toString() ?? '', id: decoded.id, description: decoded.description });
          resolve();
        },
      });
    });
    await gotOne;
    // Let anything else that might be delivered arrive before asserting there is only one.
    await new Promise((r) => setTimeout(r, 500));
    expect(seen).toEqual([{ key: 'cr-1', id: 'cr-1', description: 'add greet() — ünïcode' }]);
  });
});
