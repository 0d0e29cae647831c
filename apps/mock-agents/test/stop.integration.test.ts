import { create } from '@bufbuild/protobuf';
import { noopLogger, pollUntil } from '@pipeline/common';
import { BuildRequestSchema } from '@pipeline/contracts';
import { type Consumer, decodeTopicMessage, encodeRecord, type Producer } from '@pipeline/kafka';
import { kafkaBootstrap, uniqueName } from '@pipeline/testkit';
import { BREPORT, BUILD_REQ, DLQ, PROGRESS, TopicNames } from '@pipeline/topics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { type MockAgentsHandle, startMockAgents } from '../src/mock-agents.js';
import { capturingLogger, connectProducer, createTopics, startAudit, testClient } from './support/kafka.js';

const prefix = `${uniqueName('mock-stop')}.`;
const groupPrefix = uniqueName('mock-stop-agents');
const names = TopicNames.prefixed(prefix);
const client = testClient('mock-agents-stop-test');
const answered: string[] = [];
const progress: Array<{ key: string; note: string; percent: number | undefined }> = [];
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
  await createTopics(client, names, [BUILD_REQ, BREPORT, DLQ, PROGRESS]);
  producer = await connectProducer(client, names);
  audit = await startAudit(client, names, [BREPORT, PROGRESS], (record) => {
    const key = record.key?.toString('utf8') ?? '';
    if (record.topic === BREPORT) answered.push(key);
    if (record.topic !== PROGRESS) return;
    const message = decodeTopicMessage(PROGRESS, record.value ?? Buffer.alloc(0));
    progress.push({ key, note: message.note, percent: message.percent });
  });
}, 60_000);

afterAll(async () => {
  await Promise.all([audit?.close(), producer?.disconnect()]);
});

const waitFor = (condition: () => boolean, timeoutMs: number, what: string) =>
  pollUntil(condition, { timeoutMs, what });

describe('a long think', () => {
  it('reports progress every second, as a real agent would while it works', async () => {
    // rng 0.5: the think is exactly MOCK_THINK_MS, 2.5 s: reports after 1 s and 2 s, then the reply.
    const agents = await startMockAgents(config('2500'), { logger: noopLogger, rng: () => 0.5 });
    try {
      const id = uniqueName('crq');
      await producer.sendRecords([
        encodeRecord(
          BUILD_REQ,
          create(BuildRequestSchema, { requestId: id, buildId: `${id}/build1`, round: 1 }),
          {
            key: id,
          },
        ),
      ]);
      await waitFor(() => answered.includes(id), 30_000, 'the reply');
      await waitFor(() => progress.filter((p) => p.key === id).length === 2, 30_000, 'two progress reports');
      expect(progress.filter((p) => p.key === id)).toEqual([
        { key: id, note: 'stub builder thinking: 1 of 3 s', percent: 40 },
        { key: id, note: 'stub builder thinking: 2 of 3 s', percent: 80 },
      ]);
    } finally {
      await agents.stop();
    }
  }, 90_000);
});

describe('stopping in the middle of a command', () => {
  it('does not wait out the think time, and the command is answered after a restart', async () => {
    const logLines: Record<string, unknown>[] = [];
    const logger = capturingLogger('debug', logLines);
    // A think of 15 s drawn at its top: 22.5 s.
    const slow: MockAgentsHandle = await startMockAgents(config('15000'), { logger, rng: () => 0.999 });
    const id = uniqueName('crq');
    const record = encodeRecord(
      BUILD_REQ,
      create(BuildRequestSchema, { requestId: id, buildId: `${id}/build1`, round: 1 }),
      { key: id },
    );
    await producer.sendRecords([record]);
    // The agent picks the command up and thinks (22.5 s).
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
