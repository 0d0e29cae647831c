import { create } from '@bufbuild/protobuf';
import { BuildRequestSchema } from '@pipeline/contracts';
import { encodeRecord, jsonLogger, noopLogger } from '@pipeline/kafka';
import { createTopics, kafkaBootstrap, testKafka, uniqueName } from '@pipeline/testkit';
import { BREPORT, BUILD_REQ, DLQ } from '@pipeline/topics';
import type { Consumer, Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { type MockAgentsHandle, startMockAgents } from '../src/mock-agents.js';

const prefix = `${uniqueName('mock-stop')}.`;
const groupPrefix = uniqueName('mock-stop-agents');
const kafka = testKafka('mock-agents-stop-test');
const answered: string[] = [];
let producer: Producer;
let audit: Consumer;

const config = (thinkMs: string) =>
  loadConfig({
    KAFKA_BOOTSTRAP: kafkaBootstrap(),
    PIPELINE_TOPIC_PREFIX: prefix,
    MOCK_GROUP_PREFIX: groupPrefix,
    MOCK_ROLES: 'builder',
    MOCK_THINK_MS: thinkMs,
  });

beforeAll(async () => {
  await createTopics(
    kafka,
    [BUILD_REQ, BREPORT, DLQ].map((t) => prefix + t),
    1,
  );
  producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  audit = kafka.consumer({ groupId: uniqueName('mock-stop-audit'), maxWaitTimeInMs: 100 });
  await audit.connect();
  await audit.subscribe({ topics: [prefix + BREPORT], fromBeginning: true });
  await audit.run({
    eachMessage: async ({ message }) => {
      answered.push(message.key?.toString('utf8') ?? '');
    },
  });
}, 60_000);

afterAll(async () => {
  await Promise.all([audit?.disconnect(), producer?.disconnect()]);
});

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('stopping in the middle of a command', () => {
  it('does not wait out the think time, and the command is answered after a restart', async () => {
    const logLines: Record<string, unknown>[] = [];
    const logger = jsonLogger({ level: 'debug', write: (line) => logLines.push(JSON.parse(line)) });
    const slow: MockAgentsHandle = await startMockAgents(config('60000'), { logger });
    const id = uniqueName('crq');
    const record = encodeRecord(
      BUILD_REQ,
      create(BuildRequestSchema, { requestId: id, buildId: `${id}/build1`, round: 1 }),
      { key: id, topicNames: { [BUILD_REQ]: prefix + BUILD_REQ } },
    );
    await producer.send({
      topic: record.topic,
      messages: [{ key: id, value: record.value, headers: record.headers }],
    });
    // The agent picks the command up and thinks (30..90 s).
    await waitFor(() => logLines.some((l) => l.msg === 'thinking' && l.requestId === id), 30_000, 'thinking');
    const started = Date.now();
    await slow.stop();
    expect(Date.now() - started).toBeLessThan(8000);
    expect(answered).not.toContain(id);

    // Same group, no think time: the uncommitted command is delivered again and answered once.
    const fast = await startMockAgents(config('0'), { logger: noopLogger });
    try {
      await waitFor(() => answered.includes(id), 30_000, 'the reply after the restart');
      await new Promise((r) => setTimeout(r, 500));
      expect(answered.filter((k) => k === id)).toHaveLength(1);
    } finally {
      await fast.stop();
    }
  }, 90_000);
});
