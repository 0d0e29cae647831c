// The 30-line example agent as a process against the real broker: a build request sent before it
// started is answered (its group reads from the beginning), SIGTERM stops it cleanly, bad settings
// stop it at start with what to fix.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { create } from '@bufbuild/protobuf';
import { pollUntil } from '@pipeline/common';
import { BuildRequestSchema, STATUS } from '@pipeline/contracts';
import {
  type ConsumedRecord,
  createConsumer,
  createKafkaClient,
  createProducer,
  decodeTopicMessage,
  encodeRecord,
  provisionPipelineTopics,
} from '@pipeline/kafka';
import { kafkaBootstrap, testBrokerConfig, uniqueName } from '@pipeline/testkit';
import { BREPORT, BUILD_REQ, DLQ, TopicNames } from '@pipeline/topics';
import { afterAll, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../dist/builder.js', import.meta.url));
const client = createKafkaClient(testBrokerConfig('example-agent-test'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

it('is built', () => {
  expect(existsSync(bin), `${bin} (pnpm build)`).toBe(true);
});

it('answers a build request sent before it started, and stops cleanly on SIGTERM', async () => {
  const prefix = `${uniqueName('example')}.`;
  const names = TopicNames.prefixed(prefix);
  await provisionPipelineTopics(client, { names, partitions: 1, only: [BUILD_REQ, BREPORT, DLQ] });
  const producer = createProducer(client, { names });
  await producer.connect();
  const request = create(BuildRequestSchema, {
    requestId: 'r-1',
    commitSha: 'abc',
    buildId: 'b-1',
    round: 1,
  });
  await producer.sendRecords([encodeRecord(BUILD_REQ, request, { key: 'r-1' })]);
  await producer.disconnect();

  const agent = spawn(process.execPath, [bin], {
    env: {
      ...process.env,
      KAFKA_BOOTSTRAP: kafkaBootstrap(),
      PIPELINE_TOPIC_PREFIX: prefix,
      BUILD_COMMAND: 'exit 0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(agent);
  let output = '';
  agent.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  const replies: ConsumedRecord[] = [];
  const reader = createConsumer(client, {
    groupId: uniqueName('example-audit'),
    topics: [BREPORT],
    names,
    fromBeginning: true,
    maxWaitTimeMs: 100,
  });
  await reader.run(async (batch) => {
    for (const record of batch.records) {
      replies.push(record);
      batch.resolve(record.offset);
    }
  });
  try {
    await pollUntil(() => replies.length === 1, { timeoutMs: 90_000, what: 'the build report' });
  } finally {
    await reader.close();
  }
  expect(replies[0]?.key?.toString()).toBe('r-1');
  expect(decodeTopicMessage(BREPORT, replies[0]?.value ?? Buffer.alloc(0))).toMatchObject({
    commitSha: 'abc',
    buildId: 'b-1',
    status: STATUS.passed,
  });
  expect(output).toContain('"msg":"building"');

  const exited = new Promise<number | null>((resolve) => agent.once('exit', (code) => resolve(code)));
  agent.kill('SIGTERM');
  expect(await exited).toBe(0);
  expect(output).toContain('"msg":"agent stopped"');
});

it('stops at start with what to fix when KAFKA_BOOTSTRAP is missing', () => {
  const env = { ...process.env };
  delete env.KAFKA_BOOTSTRAP;
  const result = spawnSync(process.execPath, [bin], { env, encoding: 'utf8', timeout: 60_000 });
  expect(result.status).toBe(2);
  expect(result.stderr).toContain('invalid agent settings');
  expect(result.stderr).toContain('KAFKA_BOOTSTRAP');
});
