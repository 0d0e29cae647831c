// Long-running agents against the real broker: progress reports, a handler longer than the group
// session, and cancellation through agent.cancel.in.
import { create } from '@bufbuild/protobuf';
import { noopLogger, pollUntil } from '@pipeline/common';
import { AgentCancelSchema, BuildReportSchema, STATUS } from '@pipeline/contracts';
import { decodeTopicMessage, encodeRecord } from '@pipeline/kafka';
import { uniqueName } from '@pipeline/testkit';
import { BREPORT, CANCEL, DLQ, PROGRESS } from '@pipeline/topics';
import { describe, expect, it } from 'vitest';
import { CancelledError, runAgent } from '../src/index.js';
import { client, track, world } from './support/world.js';

const waitFor = (what: string, ok: () => boolean) => pollUntil(ok, { timeoutMs: 60_000, what });

describe('long work', () => {
  it('keeps its group membership through a handler twice the session, reporting progress meanwhile', async () => {
    const w = await world([PROGRESS, CANCEL]);
    let calls = 0;
    const builder = track(
      await runAgent({
        role: 'builder',
        client,
        logger: noopLogger,
        topicPrefix: w.prefix,
        groupId: uniqueName('slow-builders'),
        // The broker's shortest session: without heartbeats during the handler, the member would be
        // expelled after 6 s, its commit refused and the command handled a second time.
        sessionTimeoutMs: 6000,
        progressIntervalMs: 0,
        handle: async (command, { progress, signal }) => {
          calls++;
          for (let second = 1; second <= 13; second++) {
            await new Promise((resolve) => setTimeout(resolve, 1000));
            signal.throwIfAborted();
            progress({
              note: `second ${second}`,
              percent: (100 * second) / 13,
              usage: { inputTokens: second },
            });
          }
          return create(BuildReportSchema, {
            commitSha: command.commitSha,
            buildId: command.buildId,
            status: STATUS.passed,
          });
        },
      }),
    );
    await w.send('r-slow');
    await waitFor('the build report', () => w.on(BREPORT).length === 1);
    const reports = w
      .on(PROGRESS)
      .map((r) => ({ key: r.key?.toString(), ...decodeTopicMessage(PROGRESS, r.value ?? Buffer.alloc(0)) }));
    expect(reports.length).toBeGreaterThanOrEqual(10);
    expect(reports[0]).toMatchObject({
      key: 'r-slow',
      requestId: 'r-slow',
      stage: 'build1',
      note: 'second 1',
    });
    expect(reports.at(-1)?.usage?.inputTokens).toBe(13n);
    // Once: the command was not delivered again while the handler ran, nor after (committed).
    await builder.stop();
    expect(calls).toBe(1);
    expect(await builder.metrics.getSingleMetricAsString('agent_commands_total')).toContain(
      'agent_commands_total{role="builder",outcome="ok"} 1',
    );
  });

  it('fires the handler signal on an AgentCancel for its request: no reply, no retry, no dead letter', async () => {
    const w = await world([PROGRESS, CANCEL]);
    const started = new Set<string>();
    let reason: unknown;
    const builder = track(
      await runAgent({
        role: 'builder',
        client,
        logger: noopLogger,
        topicPrefix: w.prefix,
        groupId: uniqueName('cancelled-builders'),
        handle: async (command, { requestId, signal }) => {
          started.add(requestId);
          if (requestId === 'r-cancel') {
            await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
            reason = signal.reason;
            throw signal.reason;
          }
          return create(BuildReportSchema, {
            commitSha: command.commitSha,
            buildId: command.buildId,
            status: STATUS.passed,
          });
        },
      }),
    );
    await w.send('r-cancel');
    await waitFor('the handler at work', () => started.has('r-cancel'));
    await w.producer.sendRecords([
      encodeRecord(
        CANCEL,
        create(AgentCancelSchema, { requestId: 'r-cancel', reason: 'cancelled', requestedBy: 'ann' }),
        { key: 'r-cancel' },
      ),
    ]);
    await waitFor('the cancelled outcome', () => reason !== undefined);
    expect(reason).toBeInstanceOf(CancelledError);
    // The partition moves on: the next command is answered, the cancelled one never is.
    await w.send('r-next');
    await waitFor('the next report', () => w.on(BREPORT).length === 1);
    expect(w.on(BREPORT).map((r) => r.key?.toString())).toEqual(['r-next']);
    expect(w.on(DLQ)).toEqual([]);
    const metrics = await builder.metrics.getSingleMetricAsString('agent_commands_total');
    expect(metrics).toContain('agent_commands_total{role="builder",outcome="cancelled"} 1');
    expect(metrics).not.toContain('outcome="error"');
  });
});
