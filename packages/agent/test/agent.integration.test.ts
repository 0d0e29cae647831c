// runAgent against the real broker: each test on topics and a group of its own.
import { create } from '@bufbuild/protobuf';
import { noopLogger, pollUntil } from '@pipeline/common';
import { BuildReportSchema, STATUS } from '@pipeline/contracts';
import { decodeTopicMessage, HEADERS, readHeaders } from '@pipeline/kafka';
import { uniqueName } from '@pipeline/testkit';
import { BREPORT, BUILD_REQ, DLQ } from '@pipeline/topics';
import { describe, expect, it } from 'vitest';
import { runAgent } from '../src/index.js';
import { client, track, world } from './support/world.js';

describe('runAgent', () => {
  it('answers a command with a keyed reply, headers and metrics, and commits it', async () => {
    const w = await world();
    const groupId = uniqueName('builders');
    // The complete agent of docs/agents.md, but for the test's prefix and group.
    const builder = track(
      await runAgent({
        role: 'builder',
        client,
        logger: noopLogger,
        topicPrefix: w.prefix,
        groupId,
        handle: async (command) =>
          create(BuildReportSchema, {
            commitSha: command.commitSha,
            buildId: command.buildId,
            status: STATUS.passed,
          }),
      }),
    );
    await w.send('r-1');
    await pollUntil(() => w.on(BREPORT).length === 1, { timeoutMs: 60_000, what: 'the build report' });
    const [reply] = w.on(BREPORT);
    expect(reply?.key?.toString()).toBe('r-1');
    const headers = readHeaders(reply?.headers ?? {});
    expect(headers[HEADERS.requestId]).toBe('r-1');
    const report = decodeTopicMessage(BREPORT, reply?.value ?? Buffer.alloc(0));
    expect(report).toMatchObject({ commitSha: 'sha-r-1', buildId: 'b1', status: STATUS.passed });
    expect(await builder.metrics.getSingleMetricAsString('agent_commands_total')).toContain(
      'agent_commands_total{role="builder",outcome="ok"} 1',
    );
    await builder.stop();
    expect(builder.state()).toBe('stopped');

    // Committed: the next member of the group does not answer it again.
    const next = track(
      await runAgent({
        role: 'builder',
        client,
        logger: noopLogger,
        topicPrefix: w.prefix,
        groupId,
        handle: async (command) =>
          create(BuildReportSchema, {
            commitSha: command.commitSha,
            buildId: command.buildId,
            status: STATUS.failed,
          }),
      }),
    );
    await w.send('r-2');
    await pollUntil(() => w.on(BREPORT).length === 2, { timeoutMs: 60_000, what: 'the second report' });
    expect(w.on(BREPORT).map((r) => r.key?.toString())).toEqual(['r-1', 'r-2']);
    await next.stop();
  });

  it('retries a failing handler, then dead-letters the command with handler_failed and its bytes', async () => {
    const w = await world();
    const tries: number[] = [];
    const agent = track(
      await runAgent({
        role: 'builder',
        client,
        logger: noopLogger,
        topicPrefix: w.prefix,
        groupId: uniqueName('builders'),
        attempts: 3,
        retryDelayMs: 10,
        handle: async (_command, { attempt }) => {
          tries.push(attempt);
          throw new Error('the build farm is on fire');
        },
      }),
    );
    await w.send('r-bad');
    await pollUntil(() => w.on(DLQ).length === 1, { timeoutMs: 60_000, what: 'the dead letter' });
    expect(tries).toEqual([1, 2, 3]);
    const [letter] = w.on(DLQ);
    const headers = readHeaders(letter?.headers ?? {});
    expect(headers[HEADERS.dlqReason]).toBe('handler_failed');
    expect(String(headers[HEADERS.dlqError])).toContain('the build farm is on fire');
    expect(decodeTopicMessage(BUILD_REQ, letter?.value ?? Buffer.alloc(0))).toMatchObject({
      requestId: 'r-bad',
    });
    expect(w.on(BREPORT)).toEqual([]);
    const counts = await agent.metrics.getSingleMetricAsString('agent_commands_total');
    expect(counts).toContain('outcome="error"} 3');
    expect(counts).toContain('outcome="dead_lettered"} 1');
  });

  it('on stop, fires the signal of work in hand after the grace; the command is answered after a restart', async () => {
    const w = await world();
    const groupId = uniqueName('builders');
    let started = false;
    let aborted = false;
    const slow = track(
      await runAgent({
        role: 'builder',
        client,
        logger: noopLogger,
        topicPrefix: w.prefix,
        groupId,
        shutdownGraceMs: 300,
        // One try: the abandoned try is the last one, and still must not be taken for a bad message.
        attempts: 1,
        handle: (_command, { signal }) =>
          new Promise((_resolve, reject) => {
            started = true;
            signal.addEventListener('abort', () => {
              aborted = true;
              reject(signal.reason);
            });
          }),
      }),
    );
    await w.send('r-long');
    await pollUntil(() => started, { timeoutMs: 60_000, what: 'the handler to start' });
    await slow.stop();
    expect(aborted).toBe(true);
    expect(w.on(DLQ)).toEqual([]); // abandoned, not a bad message

    const again = track(
      await runAgent({
        role: 'builder',
        client,
        logger: noopLogger,
        topicPrefix: w.prefix,
        groupId,
        handle: async (command) =>
          create(BuildReportSchema, {
            commitSha: command.commitSha,
            buildId: command.buildId,
            status: STATUS.passed,
          }),
      }),
    );
    await pollUntil(() => w.on(BREPORT).length === 1, {
      timeoutMs: 60_000,
      what: 'the report after the restart',
    });
    expect(w.on(BREPORT)[0]?.key?.toString()).toBe('r-long');
    expect(w.on(DLQ)).toEqual([]);
    await again.stop();
  });
});
