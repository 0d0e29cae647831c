import { pollUntil } from '@pipeline/common';
import { create, schemas } from '@pipeline/contracts';
import { uniqueName } from '@pipeline/testkit';
import { CRQ, DLQ, PLAN, type TopicNames } from '@pipeline/topics';
import { Partitioners } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { kafkajsOf } from '../src/client.js';
import {
  createProducer,
  createTypedConsumer,
  encodeRecord,
  KafkaAdmin,
  type KafkaClient,
} from '../src/index.js';
import { createProducerOver, type KafkajsProducerLike } from '../src/producer.js';
import { createTestTopics, kafka, readAll, uniqueNames, waitFor } from './support.js';

// The agent loop (consume a command, send the reply, commit) on a real broker, with real kafkajs
// producers behind the producer wrapper. The first one is broken the way kafkajs really breaks:
// disconnected under its user, it refuses every send ("The producer is disconnected") however often
// it is retried. Broker-side producer-state errors (UNKNOWN_PRODUCER_ID, OUT_OF_ORDER_SEQUENCE_NUMBER)
// need a broker restart to provoke; producer-rebuild.test.ts covers them with fakes.

async function offsets(client: KafkaClient, names: TopicNames, groupId: string) {
  const admin = await KafkaAdmin.open(client, names);
  try {
    return {
      committed: (await admin.committedOffsets(groupId, [CRQ])).get(CRQ)?.get(0),
      deadLetters: (await admin.endOffsets([DLQ])).get(DLQ)?.get(0),
    };
  } finally {
    await admin.close();
  }
}

describe('issue 10, finding 17: agents rebuild a broken producer (real broker)', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const stop of cleanup.splice(0).reverse()) await stop();
  });

  it('answers a command with a new producer after the first broke, and commits the command only after the reply', async () => {
    const client = kafka();
    const names = uniqueNames(CRQ, PLAN, DLQ);
    await createTestTopics(client, names, [CRQ, PLAN, DLQ]);

    // The second kafkajs producer connects only when the test says so, so the test can look at the
    // group's committed offset while the reply is still unsent.
    let releaseSecond: () => void = () => {};
    const secondMayConnect = new Promise<void>((resolve) => {
      releaseSecond = resolve;
    });
    const made: KafkajsProducerLike[] = [];
    const producer = createProducerOver(
      () => {
        const real = kafkajsOf(client).producer({
          idempotent: true,
          maxInFlightRequests: 1,
          allowAutoTopicCreation: false,
          createPartitioner: Partitioners.DefaultPartitioner,
        });
        const gated: KafkajsProducerLike = {
          connect: async () => {
            if (made.length > 1) await secondMayConnect;
            await real.connect();
          },
          disconnect: () => real.disconnect(),
          sendBatch: (batch) => real.sendBatch(batch),
        };
        made.push(gated);
        return gated;
      },
      { names },
    );
    cleanup.push(() => producer.disconnect());

    const groupId = uniqueName('agent');
    const consumer = createTypedConsumer(client, {
      groupId,
      topics: [CRQ],
      names,
      fromBeginning: true,
      producer,
      retry: { retries: 2, initialDelayMs: 1, maxDelayMs: 5 },
      handle: async (m) => {
        const id = m.key ?? '';
        const plan = create(schemas.Plan, { id: `${id}/plan`, parentRequestId: id, taskIds: ['t1'] });
        await producer.sendRecords([encodeRecord(PLAN, plan, { key: id })]);
      },
    });
    cleanup.push(() => consumer.stop());
    await consumer.start();

    // Broken behind the wrapper's back, as a kafkajs producer in trouble leaves itself.
    await made[0]?.disconnect();

    const sender = createProducer(client, { names });
    await sender.connect();
    cleanup.push(() => sender.disconnect());
    await sender.send(CRQ, create(schemas.ChangeRequest, { id: 'crq-1' }), { key: 'crq-1' });

    await waitFor(() => made.length === 2, 30_000, 'a second kafkajs producer');
    expect(await offsets(client, names, groupId)).toEqual({ committed: undefined, deadLetters: 0n });

    releaseSecond();
    const [answer] = await readAll(client, names, [PLAN], 1);
    expect(answer?.key?.toString()).toBe('crq-1');
    await pollUntil(async () => (await offsets(client, names, groupId)).committed === 1n, {
      timeoutMs: 30_000,
      intervalMs: 200,
      what: 'the command committed',
    });
    expect(await offsets(client, names, groupId)).toEqual({ committed: 1n, deadLetters: 0n });
    expect(made).toHaveLength(2);
  });
});
