import { create } from '@bufbuild/protobuf';
import {
  BuildRequestSchema,
  ChangeRequestSchema,
  TaskBundleSchema,
  TestGenRequestSchema,
  TestPlanRequestSchema,
} from '@pipeline/contracts';
import { failureMarker, silentMarker } from '@pipeline/failure-markers';
import {
  type Consumer,
  decodeTopicMessage,
  encodeRecord,
  HEADERS,
  isValidTraceparent,
  newTraceparent,
  type Producer,
  type RecordHeaders,
  readHeaders,
} from '@pipeline/kafka';
import { kafkaBootstrap, uniqueName } from '@pipeline/testkit';
import {
  AGENT_ROLES,
  type AgentRole,
  DLQ,
  type MessageTopic,
  type TopicMessage,
  TopicNames,
} from '@pipeline/topics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { type MockAgentsHandle, startMockAgents } from '../src/mock-agents.js';
import { capturingLogger, connectProducer, createTopics, startAudit, testClient } from './support/kafka.js';

/** One reply as the orchestrator would read it. */
interface Reply {
  topic: MessageTopic;
  key: string | undefined;
  headers: RecordHeaders;
  message: unknown;
}

const prefix = `${uniqueName('mock')}.`;
const names = TopicNames.prefixed(prefix);
const client = testClient('mock-agents-test');
const commandTopics = Object.values(AGENT_ROLES).map((r) => r.reads);
const replyTopics = Object.values(AGENT_ROLES).map((r) => r.answers);
const replies: Reply[] = [];
const logLines: Record<string, unknown>[] = [];
let agents: MockAgentsHandle;
let producer: Producer;
let audit: Consumer;

beforeAll(async () => {
  // One partition each: the order of commands is the order of replies, which the silence test uses.
  await createTopics(client, names, [...commandTopics, ...replyTopics, DLQ]);
  const config = loadConfig({
    KAFKA_BOOTSTRAP: kafkaBootstrap(),
    PIPELINE_TOPIC_PREFIX: prefix,
    MOCK_GROUP_PREFIX: uniqueName('mock-agents'),
    MOCK_THINK_MS: '0',
    MOCK_PLANNER_TASKS: '2',
    LOG_LEVEL: 'info',
  });
  const logger = capturingLogger('info', logLines);
  agents = await startMockAgents(config, { logger });

  producer = await connectProducer(client, names);
  audit = await startAudit(client, names, replyTopics, (record) => {
    const topic = record.topic as MessageTopic;
    replies.push({
      topic,
      key: record.key?.toString('utf8'),
      headers: readHeaders(record.headers),
      message: decodeTopicMessage(topic, record.value ?? Buffer.alloc(0)),
    });
  });
}, 120_000);

afterAll(async () => {
  await agents?.stop();
  await agents?.stop(); // idempotent
  await Promise.all([audit?.close(), producer?.disconnect()]);
  expect(agents?.agents.every((a) => !a.ready())).toBe(true);
}, 60_000);

/** Sends a command as the orchestrator does: keyed by the request id, standard headers, a trace. */
async function send<T extends MessageTopic>(
  topic: T,
  message: TopicMessage<T>,
  requestId: string | undefined,
): Promise<string> {
  const traceparent = newTraceparent();
  const record = encodeRecord(topic, message, {
    ...(requestId === undefined ? {} : { key: requestId }),
    traceparent,
  });
  await producer.sendRecords([record]);
  return traceparent;
}

async function repliesOf(topic: MessageTopic, key: string, count: number, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = replies.filter((r) => r.topic === topic && r.key === key);
    if (found.length >= count) return found;
    if (Date.now() > deadline) {
      throw new Error(
        `waited ${timeoutMs} ms for ${count} replies on ${topic} keyed ${key}, got ${found.length}`,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The single reply to a command that has one. */
async function replyOf(topic: MessageTopic, key: string): Promise<Reply> {
  const [reply] = await repliesOf(topic, key, 1);
  if (!reply) throw new Error('unreachable');
  return reply;
}

function expectStandardHeaders(reply: Reply, requestId: string, typeName: string, parent: string): void {
  expect(reply.key).toBe(requestId);
  expect(reply.headers[HEADERS.messageType]).toBe(typeName);
  expect(reply.headers[HEADERS.requestId]).toBe(requestId);
  expect(reply.headers[HEADERS.producedAt]).toMatch(/^\d+$/);
  const child = reply.headers[HEADERS.traceparent];
  expect(isValidTraceparent(child)).toBe(true);
  const [, traceId, spanId, flags] = (child ?? '').split('-');
  const [, parentTraceId, parentSpanId, parentFlags] = parent.split('-');
  expect(traceId).toBe(parentTraceId);
  expect(spanId).not.toBe(parentSpanId);
  expect(flags).toBe(parentFlags);
}

function handledLog(role: AgentRole, requestId: string) {
  return logLines.find((l) => l.msg === 'handled command' && l.role === role && l.requestId === requestId);
}

describe('mock agents on a real broker', () => {
  it('runs one consumer group per role', () => {
    expect(agents.agents.map((a) => a.role)).toEqual(Object.keys(AGENT_ROLES));
    expect(new Set(agents.agents.map((a) => a.groupId)).size).toBe(5);
    for (const agent of agents.agents) expect(agent.groupId.endsWith(`-${agent.role}`)).toBe(true);
  });

  it('builder: answers a BuildRequest with a PASSED BuildReport, keyed and traced', async () => {
    const id = uniqueName('crq');
    const request = create(BuildRequestSchema, {
      requestId: id,
      buildId: `${id}/build1`,
      commitSha: 'c'.repeat(40),
      round: 1,
    });
    const parent = await send('build.request.in', request, id);
    const reply = await replyOf('build.report.out', id);
    expectStandardHeaders(reply, id, 'core.BuildReport', parent);
    expect(reply.message).toMatchObject({
      commitSha: 'c'.repeat(40),
      status: 'PASSED',
      buildId: `${id}/build1`,
    });
    expect(handledLog('builder', id)).toMatchObject({ outcome: 'ok', replies: 1, level: 'info' });
  });

  it('coder: answers a TaskBundle of 3 tasks with 3 CommitResults', async () => {
    const id = uniqueName('crq');
    const taskIds = [1, 2, 3].map((i) => `${id}/task-${i}`);
    const parent = await send(
      'code.task.out',
      create(TaskBundleSchema, { planId: `${id}/plan`, taskIds }),
      id,
    );
    const results = await repliesOf('commit.result.out', id, 3);
    for (const r of results) expectStandardHeaders(r, id, 'core.CommitResult', parent);
    const messages = results.map((r) => r.message as TopicMessage<'commit.result.out'>);
    expect(messages.map((m) => m.taskId)).toEqual(taskIds);
    expect(messages.map((m) => m.status)).toEqual(['SUCCESS', 'SUCCESS', 'SUCCESS']);
    for (const m of messages) expect(m.commitSha).toMatch(/^[0-9a-f]{40}$/);
    expect(handledLog('coder', id)).toMatchObject({ outcome: 'ok', replies: 3 });
  });

  it('builder: fail-build1 fails round 1', async () => {
    const id = `${uniqueName('crq')}-${failureMarker('build1')}`;
    const request = create(BuildRequestSchema, {
      requestId: id,
      buildId: `${id}/build1`,
      commitSha: 'd'.repeat(40),
      round: 1,
    });
    const parent = await send('build.request.in', request, id);
    const reply = await replyOf('build.report.out', id);
    expectStandardHeaders(reply, id, 'core.BuildReport', parent);
    expect(reply.message).toMatchObject({ status: 'FAILED', buildId: `${id}/build1` });
    expect(handledLog('builder', id)).toMatchObject({ outcome: 'failed' });
  });

  it('coder: fail-coder fails the last task', async () => {
    const id = `${uniqueName('crq')}-${failureMarker('coder')}`;
    const taskIds = [`${id}/task-1`, `${id}/task-2`];
    await send('code.task.out', create(TaskBundleSchema, { planId: `${id}/plan`, taskIds }), id);
    const results = await repliesOf('commit.result.out', id, 2);
    expect(results.map((r) => (r.message as { status: string }).status)).toEqual(['SUCCESS', 'FAILED']);
  });

  it('planner: answers a ChangeRequest with a Plan of the configured number of tasks', async () => {
    const id = uniqueName('crq');
    const parent = await send('deepplan.in', create(ChangeRequestSchema, { id, repo: 'acme/app' }), id);
    const reply = await replyOf('plan.out', id);
    expectStandardHeaders(reply, id, 'core.Plan', parent);
    expect(reply.message).toMatchObject({
      id: `${id}/plan`,
      parentRequestId: id,
      taskIds: [`${id}/task-1`, `${id}/task-2`],
    });
  });

  it('test planner and test generator answer their commands', async () => {
    const id = uniqueName('crq');
    const planParent = await send(
      'test.plan.request.in',
      create(TestPlanRequestSchema, { requestId: id, commitSha: 'e'.repeat(40) }),
      id,
    );
    const genId = `${uniqueName('crq')}-${failureMarker('precheck')}`;
    const genParent = await send(
      'test.gen.request.in',
      create(TestGenRequestSchema, { requestId: genId, specId: `${genId}/spec`, commitSha: 'e'.repeat(40) }),
      genId,
    );
    const spec = await replyOf('test.spec.out', id);
    expectStandardHeaders(spec, id, 'core.TestSpec', planParent);
    expect(spec.message).toMatchObject({ id: `${id}/spec`, parentCommitSha: 'e'.repeat(40) });
    const tests = await replyOf('generated.tests.out', genId);
    expectStandardHeaders(tests, genId, 'core.GeneratedTests', genParent);
    expect(tests.message).toMatchObject({ specId: `${genId}/spec`, precheck: 'FAILED' });
    expect((tests.message as { commitSha: string }).commitSha).toMatch(/^[0-9a-f]{40}$/);
  });

  it('keys the reply by BuildRequest.request_id when the command has no key', async () => {
    const id = uniqueName('crq');
    const request = create(BuildRequestSchema, { requestId: id, buildId: `${id}/build2`, round: 2 });
    await send('build.request.in', request, undefined);
    const reply = await replyOf('build.report.out', id);
    expect(reply.headers[HEADERS.requestId]).toBe(id);
    expect(reply.message).toMatchObject({ status: 'PASSED', buildId: `${id}/build2` });
  });

  it('fail-silent-builder: the builder never answers', async () => {
    const silent = `${uniqueName('crq')}-${silentMarker('builder')}`;
    const after = uniqueName('crq');
    const build = (id: string) =>
      create(BuildRequestSchema, { requestId: id, buildId: `${id}/build1`, round: 1 });
    await send('build.request.in', build(silent), silent);
    await send('build.request.in', build(after), after);
    // One partition: once the later command is answered, the silent one has been handled.
    await repliesOf('build.report.out', after, 1);
    expect(replies.filter((r) => r.key === silent)).toEqual([]);
    expect(handledLog('builder', silent)).toMatchObject({ outcome: 'silent', replies: 0 });
  });
});
