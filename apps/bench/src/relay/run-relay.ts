// A relay as a running service: reads the change requests and the agents' replies, sends on what
// route() decides. Transactional like the orchestrator (one transactional producer per partition
// number, the input offsets in the transaction, read_committed) or plain (an idempotent producer,
// offsets committed after the send: at least once). Both use the project's Kafka wrappers with the
// orchestrator's settings, so what differs is only what the orchestrator does besides the hops.

import type { Logger } from '@pipeline/common';
import {
  type Batch,
  createConsumer,
  createProducer,
  createTransactionalProducer,
  decodeTopicMessage,
  encodeRecord,
  type KafkaClient,
  type OutboundRecord,
  type TransactionalProducer,
} from '@pipeline/kafka';
import { STATE, type TopicNames } from '@pipeline/topics';
import { doneRecordValue } from '../ended.js';
import { RELAY_INPUTS, type RelayInput, route } from './route.js';

export type RelayMode = 'transactional' | 'plain';

export interface RelayOptions {
  client: KafkaClient;
  names: TopicNames;
  mode: RelayMode;
  groupId: string;
  /** Tasks per plan (the stub planner's). */
  tasks: number;
  /** Partitions handled at once: the orchestrator's ORCH_CONCURRENCY default. */
  concurrency: number;
  logger: Logger;
}

export interface Relay {
  stop(): Promise<void>;
}

/** The records one batch makes: its commands, and a done record (on the state topic) per finished request. */
function recordsOf(batch: Batch, tasks: number): OutboundRecord[] {
  const out: OutboundRecord[] = [];
  const topic = batch.topic as RelayInput;
  for (const record of batch.records) {
    const requestId = record.key?.toString('utf8');
    if (!requestId || record.value === null) continue;
    const step = route(topic, decodeTopicMessage(topic, record.value), requestId, { tasks });
    for (const command of step.commands)
      out.push(encodeRecord(command.topic, command.message, { key: requestId }));
    if (step.done) out.push({ topic: STATE, key: requestId, value: doneRecordValue(requestId), headers: {} });
  }
  return out;
}

export async function startRelay(options: RelayOptions): Promise<Relay> {
  const { client, names, groupId, logger, tasks } = options;
  const consumer = createConsumer(client, {
    groupId,
    topics: RELAY_INPUTS,
    names,
    fromBeginning: true,
    coPartitioned: true,
    // The orchestrator's (runtime/group.ts): a read_committed fetch may wait this long for a
    // transaction to end, so it bears on latency and must be the same for both.
    maxWaitTimeMs: 500,
    concurrency: options.concurrency,
    logger,
  });
  if (options.mode === 'plain') {
    const producer = createProducer(client, { names, logger });
    await producer.connect();
    await consumer.run(async (batch) => {
      await producer.sendRecords(recordsOf(batch, tasks));
      const last = batch.records.at(-1);
      if (last) batch.resolve(last.offset);
      await batch.commit();
    });
    return {
      async stop() {
        await consumer.close();
        await producer.disconnect();
      },
    };
  }
  // One producer per partition number, its transactions one after another (like the orchestrator's
  // partition workers): batches of two topics of one partition never share a transaction.
  const producers = new Map<number, Promise<TransactionalProducer>>();
  const queues = new Map<number, Promise<void>>();
  const producerFor = (partition: number) => {
    let producer = producers.get(partition);
    if (!producer) {
      const made = createTransactionalProducer(client, {
        transactionalId: `${groupId}-${partition}`,
        names,
        logger,
      });
      producer = made.open().then(() => made);
      producers.set(partition, producer);
    }
    return producer;
  };
  await consumer.run(async (batch) => {
    const work = (queues.get(batch.partition) ?? Promise.resolve()).then(async () => {
      if (!batch.isActive()) return;
      const producer = await producerFor(batch.partition);
      const offset = { groupId, topic: batch.topic, partition: batch.partition, offset: batch.nextOffset };
      await producer.commit(recordsOf(batch, tasks), [offset]);
      const last = batch.records.at(-1);
      if (last) batch.resolve(last.offset);
    });
    queues.set(
      batch.partition,
      work.catch(() => {}),
    );
    await work;
  });
  return {
    async stop() {
      await consumer.close();
      await Promise.all([...producers.values()].map(async (p) => (await p).close()));
    },
  };
}
