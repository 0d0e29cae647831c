import { createLogger, type Logger, type LogLevel } from '@pipeline/common';
import {
  type ConsumedRecord,
  type Consumer,
  createConsumer,
  createKafkaClient,
  createProducer,
  type KafkaClient,
  type Producer,
  provisionPipelineTopics,
} from '@pipeline/kafka';
import { testBrokerConfig, uniqueName } from '@pipeline/testkit';
import type { Topic, TopicNames } from '@pipeline/topics';

/** A client on the broker of the run. */
export function testClient(clientId: string): KafkaClient {
  return createKafkaClient(testBrokerConfig(clientId));
}

/** Creates these topics under `names`, one partition each unless said otherwise. */
export async function createTopics(
  client: KafkaClient,
  names: TopicNames,
  topics: readonly Topic[],
  partitions = 1,
): Promise<void> {
  await provisionPipelineTopics(client, { names, partitions, only: topics });
}

/** A connected producer of records on logical topics. */
export async function connectProducer(client: KafkaClient, names: TopicNames): Promise<Producer> {
  const producer = createProducer(client, { names, retry: { retries: 0 } });
  await producer.connect();
  return producer;
}

/** Reads every record of `topics` from the beginning, as a downstream reader would (read_committed). */
export async function startAudit(
  client: KafkaClient,
  names: TopicNames,
  topics: readonly Topic[],
  onRecord: (record: ConsumedRecord) => void,
): Promise<Consumer> {
  const consumer = createConsumer(client, {
    groupId: uniqueName('mock-audit'),
    topics,
    names,
    fromBeginning: true,
    maxWaitTimeMs: 100,
  });
  await consumer.run(async (batch) => {
    for (const record of batch.records) {
      onRecord(record);
      batch.resolve(record.offset);
    }
  });
  return consumer;
}

/** A logger whose JSON lines land in `lines`, parsed. */
export function capturingLogger(level: LogLevel, lines: Record<string, unknown>[]): Logger {
  return createLogger({ level, destination: { write: (line: string) => lines.push(JSON.parse(line)) } });
}
