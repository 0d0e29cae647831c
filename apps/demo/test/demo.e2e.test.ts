import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConsumer, createKafkaClient, createProducer, decodeRecord, KafkaAdmin } from '@pipeline/kafka';
import { kafkaBootstrap, testBrokerConfig, uniqueName } from '@pipeline/testkit';
import { REG, TopicNames } from '@pipeline/topics';
import { describe, expect, it } from 'vitest';
import type { DemoResult } from '../src/outcomes.js';
import { runDemo } from '../src/run-demo.js';

// The end-to-end test: the demo as CI runs it (non-interactive), against the real broker of
// the test run, with the BUILT orchestrator and stub agents as child processes (`pnpm test` builds
// everything first; by hand: `pnpm build`). Then the regression tickets the orchestrator wrote are
// read back with a read_committed consumer.
describe('the demo, end to end', () => {
  it('drives 10 change requests to the planned final stage, one ticket per regressed request', async () => {
    let output = '';
    const result: DemoResult = await runDemo({
      nonInteractive: true,
      ci: true,
      tty: false,
      bootstrap: kafkaBootstrap(),
      count: 10,
      httpPort: 0,
      thinkMs: 50,
      timeoutMs: 120_000,
      logDir: mkdtempSync(join(tmpdir(), 'pipeline-demo-logs-')),
      write: (text) => {
        output += text;
      },
    });
    const context = `demo output:\n${output}`;

    expect(result.interrupted, context).toBe(false);
    expect(result.prefix).toMatch(/^demo-\d{8}-\d{6}-[0-9a-f]{4}\.$/);
    expect(result.outcomes, context).toHaveLength(10);
    for (const o of result.outcomes) {
      expect(o.actual, `${o.id}\n${context}`).toEqual(
        o.expected.stage === 'done'
          ? { stage: 'done' }
          : { stage: 'regress', reason: o.expected.reason, failedStage: o.expected.failedStage },
      );
      expect(o.ok).toBe(true);
      expect(o.latencyMs).toBeGreaterThan(0);
    }
    const failing = result.outcomes.filter((o) => o.expected.stage === 'regress');
    // Every regress path at least once.
    expect(new Set(failing.map((o) => `${o.expected.failedStage}/${o.expected.reason}`))).toEqual(
      new Set([
        'code_phase/task_failed',
        'build1/build_failed',
        'test_build/precheck_failed',
        'build2/build_failed',
      ]),
    );
    expect(result.totals).toMatchObject({
      submitted: 10,
      done: 6,
      regressed: 4,
      unfinished: 0,
      unexpected: 0,
    });
    expect(result.totals.p50Ms).toBeGreaterThan(0);
    expect(result.totals.p99Ms).toBeGreaterThanOrEqual(result.totals.p50Ms ?? 0);
    expect(result.exitCode).toBe(0);
    expect(output).toContain('every request ended as planned.');
    expect(output).toContain(`prefix ${result.prefix}`);
    // Issue 13: the operator redrives the request that failed its first build, and cancels one that
    // waits at an approval gate.
    const redriven = failing.find((o) => o.expected.failedStage === 'build1');
    expect(result.operations, context).toEqual({
      redrive: { id: redriven?.id, ok: true, attempt: 2 },
      cancel: { id: expect.stringMatching(/-wait-then-cancel$/), ok: true },
    });
    expect(output).toMatch(/▶ retry +\S+: regressed at build1, retried: done at attempt 2/);
    expect(output).toMatch(
      /▶ cancel +\S+: waited for an approval of code_phase, cancelled: regress \(cancelled\)/,
    );

    // The tickets on <prefix>regression.out, as a read_committed reader sees them. The demo has
    // stopped the orchestrator, so the topic is complete: an end marker written now to every
    // partition is read after every committed ticket, so "all markers read" means "all tickets read"
    // (a second ticket for one request included), without guessing a wait.
    const END = 'end-of-tickets';
    const names = TopicNames.prefixed(result.prefix);
    const client = createKafkaClient(testBrokerConfig('demo-e2e-tickets'));
    const tickets: Array<{ key: string; requestId: string; failedStage: string; reason: string }> = [];
    const ends = new Set<number>();
    const admin = await KafkaAdmin.open(client, names);
    const producer = createProducer(client, { names });
    const consumer = createConsumer(client, {
      groupId: uniqueName('demo-e2e-tickets'),
      topics: [REG],
      names,
      fromBeginning: true,
    });
    try {
      const partitions = (await admin.partitionCounts([REG])).get(REG) ?? 0;
      await producer.connect();
      await producer.sendRecords(
        Array.from({ length: partitions }, (_, partition) => ({
          topic: REG,
          key: END,
          value: Buffer.alloc(0),
          headers: {},
          partition,
        })),
      );
      await consumer.run(async (batch) => {
        for (const record of batch.records) {
          batch.resolve(record.offset);
          if (record.key?.toString() === END) {
            ends.add(record.partition);
            continue;
          }
          const decoded = decodeRecord(REG, record.value);
          if (!decoded.ok) throw decoded.error;
          tickets.push({
            key: record.key?.toString() ?? '',
            requestId: decoded.message.requestId,
            failedStage: decoded.message.failedStage,
            reason: decoded.message.reason,
          });
        }
      });
      await expect.poll(() => ends.size, { timeout: 60_000, interval: 100 }).toBe(partitions);
      expect(tickets.length).toBeGreaterThanOrEqual(failing.length);
    } finally {
      await Promise.all([consumer.close(), producer.disconnect(), admin.close()]);
    }

    // The cancelled request has its ticket too; the redriven one keeps the one of its failed attempt.
    const cancelled = result.operations?.cancel.id ?? '';
    expect(tickets.filter((t) => t.requestId === cancelled)).toMatchObject([{ reason: 'cancelled' }]);
    for (const o of failing) {
      const mine = tickets.filter((t) => t.requestId === o.id);
      expect(mine, o.id).toEqual([
        { key: o.id, requestId: o.id, failedStage: o.expected.failedStage, reason: o.expected.reason },
      ]);
    }
    const done = new Set(result.outcomes.filter((o) => o.expected.stage === 'done').map((o) => o.id));
    expect(tickets.filter((t) => done.has(t.requestId))).toEqual([]);
    expect(tickets).toHaveLength(failing.length + 1);
  });
});
