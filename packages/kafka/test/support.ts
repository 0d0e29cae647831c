import { type Logger, noopLogger, pollUntil } from '@pipeline/common';
import { kafkaBrokers, uniqueName } from '@pipeline/testkit';
import { type Topic, TopicNames } from '@pipeline/topics';
import {
  createConsumer,
  createKafkaClient,
  type KafkaClient,
  provisionPipelineTopics,
} from '../src/index.js';
import type { ConsumedRecord } from '../src/records/index.js';

/** A client on the test broker through this package's own factory. */
export function kafka(clientId = uniqueName('kafka-test'), logger: Logger = noopLogger): KafkaClient {
  return createKafkaClient(
    { brokers: kafkaBrokers(), clientId, connectionTimeoutMs: 3000, requestTimeoutMs: 30000 },
    { logger },
  );
}

/** Unique physical names for some logical topics, so tests never share data on the shared broker. */
export function uniqueNames(...topics: Topic[]): TopicNames {
  return TopicNames.of(Object.fromEntries(topics.map((t) => [t, uniqueName(`t-${t}`)])));
}

/** Creates these topics (under their unique names) with `partitions` partitions each. */
export async function createTestTopics(
  client: KafkaClient,
  names: TopicNames,
  topics: readonly Topic[],
  partitions = 1,
): Promise<void> {
  await provisionPipelineTopics(client, { names, partitions, only: topics });
}

/** Reads topics from the beginning with a plain group consumer until `count` records arrived. */
export async function readAll(
  client: KafkaClient,
  names: TopicNames,
  topics: readonly Topic[],
  count: number,
): Promise<ConsumedRecord[]> {
  const consumer = createConsumer(client, {
    groupId: uniqueName('reader'),
    topics,
    names,
    fromBeginning: true,
    maxWaitTimeMs: 200,
  });
  const seen: ConsumedRecord[] = [];
  try {
    await consumer.run(async (batch) => {
      seen.push(...batch.records);
      for (const r of batch.records) batch.resolve(r.offset);
    });
    await pollUntil(() => seen.length >= count, {
      timeoutMs: 30_000,
      what: `${count} records on ${topics.join(', ')}`,
    });
  } finally {
    await consumer.close();
  }
  return seen;
}

export function waitFor(condition: () => boolean, timeoutMs = 30_000, what = 'condition'): Promise<void> {
  return pollUntil(condition, { timeoutMs, what });
}
