import { ChangeRequestSchema, create } from '@pipeline/contracts';
import { uniqueName } from '@pipeline/testkit';
import { CRQ, STATE } from '@pipeline/topics';
import { afterAll, describe, expect, it } from 'vitest';
import { kafkajsOf } from '../src/client.js';
import {
  createTransactionalProducer,
  decodeRecord,
  encodeRecord,
  isFenced,
  KafkaAdmin,
  type OutboundRecord,
  type TransactionalProducer,
} from '../src/index.js';
import { createTestTopics, kafka, readAll, uniqueNames } from './support.js';

// Proves the broker of the run is a real Kafka with transactions, and that the transactional
// producer commits records and offsets all or nothing and cannot commit once fenced.
describe('transactions (real broker)', () => {
  const open: TransactionalProducer[] = [];
  afterAll(async () => {
    await Promise.all(open.map((p) => p.close()));
  });

  it('a read_committed reader sees a committed protobuf message, never an aborted one', async () => {
    const client = kafka();
    const names = uniqueNames(CRQ);
    await createTestTopics(client, names, [CRQ]);
    // Straight kafkajs here: aborting on purpose is not something the pipeline's API offers.
    const producer = kafkajsOf(client).producer({
      transactionalId: uniqueName('broker-tx-id'),
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    try {
      const send = async (id: string, description: string, end: 'commit' | 'abort') => {
        const tx = await producer.transaction();
        const record = encodeRecord(CRQ, create(ChangeRequestSchema, { id, description }), { key: id });
        await tx.send({ topic: names.physical(CRQ), messages: [{ key: id, value: record.value }] });
        await (end === 'commit' ? tx.commit() : tx.abort());
      };
      await send('cr-aborted', 'never visible', 'abort');
      await send('cr-1', 'add greet() — ünïcode', 'commit');
      await send('cr-last', 'marks the end', 'commit');
    } finally {
      await producer.disconnect();
    }
    // Two committed records: reading until the second has arrived means the aborted one would have too.
    const seen = await readAll(client, names, [CRQ], 2);
    const messages = seen.map((r) => {
      const decoded = decodeRecord(CRQ, r.value);
      return decoded.ok ? [r.key?.toString(), decoded.message.description] : ['undecodable'];
    });
    expect(messages).toEqual([
      ['cr-1', 'add greet() — ünïcode'],
      ['cr-last', 'marks the end'],
    ]);
  });

  it('commits records and input offsets together, and a fenced producer cannot commit', async () => {
    const client = kafka();
    const names = uniqueNames(CRQ, STATE);
    await createTestTopics(client, names, [CRQ, STATE]);
    const transactionalId = uniqueName('tx');
    const groupId = uniqueName('tx-group');
    const first = createTransactionalProducer(client, { transactionalId, names });
    open.push(first);
    await first.open();
    const state = (key: string): OutboundRecord => ({
      topic: STATE,
      key,
      value: Buffer.from(key),
      headers: {},
      partition: 0,
    });
    await first.commit([state('a')], [{ groupId, topic: CRQ, partition: 0, offset: 7n }]);

    const admin = await KafkaAdmin.open(client, names);
    try {
      expect((await admin.committedOffsets(groupId, [CRQ])).get(CRQ)?.get(0)).toBe(7n);
    } finally {
      await admin.close();
    }

    // A second producer with the same id (another instance taking the partition over) fences the first.
    const second = createTransactionalProducer(client, { transactionalId, names });
    open.push(second);
    await second.open();
    const fenced = await first.commit([state('zombie')], []).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(fenced).toBeDefined();
    expect(isFenced(fenced)).toBe(true);
    await second.commit([state('b')], []);

    const seen = await readAll(client, names, [STATE], 2);
    expect(seen.map((r) => r.key?.toString())).toEqual(['a', 'b']);
  });
});
