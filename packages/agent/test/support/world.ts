// Topics, a command producer and a reader of everything an agent writes, for the SDK's tests against
// the real broker: each test on topics and a group of its own.
import { create } from '@bufbuild/protobuf';
import { BuildRequestSchema } from '@pipeline/contracts';
import {
  type ConsumedRecord,
  type Consumer,
  createConsumer,
  createKafkaClient,
  createProducer,
  encodeRecord,
  type Producer,
  provisionPipelineTopics,
} from '@pipeline/kafka';
import { testBrokerConfig, uniqueName } from '@pipeline/testkit';
import { BREPORT, BUILD_REQ, DLQ, type Topic, TopicNames } from '@pipeline/topics';
import { afterAll, afterEach } from 'vitest';
import type { Agent } from '../../src/index.js';

export const client = createKafkaClient(testBrokerConfig('agent-sdk-test'));
export const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step().catch(() => {});
});
afterAll(async () => {
  for (const step of cleanup.splice(0).reverse()) await step().catch(() => {});
});

/** Topics of one test, a producer of commands and a reader of everything the agent writes. */
export async function world(extra: readonly Topic[] = []) {
  const prefix = `${uniqueName('agent')}.`;
  const names = TopicNames.prefixed(prefix);
  await provisionPipelineTopics(client, { names, partitions: 1, only: [BUILD_REQ, BREPORT, DLQ, ...extra] });
  const producer: Producer = createProducer(client, { names });
  await producer.connect();
  cleanup.push(() => producer.disconnect());
  const written: ConsumedRecord[] = [];
  const reader: Consumer = createConsumer(client, {
    groupId: uniqueName('agent-audit'),
    topics: [BREPORT, DLQ, ...extra.filter((t) => t !== BUILD_REQ)],
    names,
    fromBeginning: true,
    maxWaitTimeMs: 100,
  });
  await reader.run(async (batch) => {
    for (const record of batch.records) {
      written.push(record);
      batch.resolve(record.offset);
    }
  });
  cleanup.push(() => reader.close());
  const send = (requestId: string) =>
    producer.sendRecords([
      encodeRecord(
        BUILD_REQ,
        create(BuildRequestSchema, { requestId, commitSha: `sha-${requestId}`, buildId: 'b1', round: 1 }),
        {
          key: requestId,
        },
      ),
    ]);
  const on = (topic: string) => written.filter((r) => r.topic === topic);
  return { prefix, names, send, on, producer };
}

export const track = <A extends Agent>(agent: A): A => {
  cleanup.push(() => agent.stop());
  return agent;
};
