import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConsumer, createKafkaClient, decodeRecord } from '@pipeline/kafka';
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

    // The tickets on <prefix>regression.out, as a read_committed reader sees them.
    const tickets: Array<{ key: string; requestId: string; failedStage: string; reason: string }> = [];
    const consumer = createConsumer(createKafkaClient(testBrokerConfig('demo-e2e-tickets')), {
      groupId: uniqueName('demo-e2e-tickets'),
      topics: [REG],
      names: TopicNames.prefixed(result.prefix),
      fromBeginning: true,
    });
    try {
      await consumer.run(async (batch) => {
        for (const record of batch.records) {
          const decoded = decodeRecord(REG, record.value);
          if (!decoded.ok) throw decoded.error;
          tickets.push({
            key: record.key?.toString() ?? '',
            requestId: decoded.message.requestId,
            failedStage: decoded.message.failedStage,
            reason: decoded.message.reason,
          });
          batch.resolve(record.offset);
        }
      });
      await expect
        .poll(() => tickets.length, { timeout: 30_000, interval: 100 })
        .toBeGreaterThanOrEqual(failing.length);
      // A second ticket for one request would arrive with the first; give it a moment to show up.
      await new Promise((resolve) => setTimeout(resolve, 1500));
    } finally {
      await consumer.close();
    }

    for (const o of failing) {
      const mine = tickets.filter((t) => t.requestId === o.id);
      expect(mine, o.id).toEqual([
        { key: o.id, requestId: o.id, failedStage: o.expected.failedStage, reason: o.expected.reason },
      ]);
    }
    const done = new Set(result.outcomes.filter((o) => o.expected.stage === 'done').map((o) => o.id));
    expect(tickets.filter((t) => done.has(t.requestId))).toEqual([]);
    expect(tickets).toHaveLength(failing.length);
  });
});
