import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from '@bufbuild/protobuf';
import { ChangeRequestSchema } from '@pipeline/contracts';
import { CRQ } from '@pipeline/topics';
import { afterAll, describe, expect, it } from 'vitest';
import { TestPipeline, waitFor } from './support/pipeline.js';

// Issue 10, finding 16 ("invisible trouble"): no metric for restores, a partition's state or lag in
// seconds, and every start logged kafkajs ERROR lines for routine events and a warning per producer.
const pipeline = new TestPipeline(3);
afterAll(() => pipeline.close());

/** The value of one sample of the Prometheus text, or undefined when the series is absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('issue 10, finding 16: invisible trouble', () => {
  it('a healthy start on new topics logs no warning and no error', async () => {
    const logFile = join(mkdtempSync(join(tmpdir(), 'orch-quiet-')), 'orchestrator.log');
    const child = await pipeline.spawn({ LOG_LEVEL: 'info' }, logFile);
    try {
      await child.ready();
    } finally {
      await child.kill('SIGTERM');
    }
    const lines = readFileSync(logFile, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { level: string; msg: string });
    expect(lines.some((l) => l.msg === 'orchestrator running')).toBe(true);
    // The one warning a test broker earns: its topics are not replicated (a cluster of one broker).
    const deliberate = (l: { msg: string }) => l.msg.includes('single replica (not replicated)');
    expect(lines.filter((l) => (l.level === 'warn' || l.level === 'error') && !deliberate(l))).toEqual([]);
  });

  it('restores, the state of each partition and the input lag in seconds are metrics', async () => {
    const { url, stop } = await pipeline.startInProcess();
    try {
      await pipeline.send(CRQ, create(ChangeRequestSchema, { id: 'observed-1', repo: 'demo' }), {
        key: 'observed-1',
      });
      let text = '';
      await waitFor(
        async () => {
          text = await (await fetch(`${url}/metrics`)).text();
          return (sample(text, 'orch_stage_total{stage="plan_phase"}') ?? 0) >= 1;
        },
        60_000,
        'the request to be planned',
      );
      expect(sample(text, 'orch_restores_total{outcome="succeeded"}')).toBe(3);
      expect(sample(text, 'orch_restores_total{outcome="failed"}')).toBe(0);
      for (const partition of [0, 1, 2]) {
        expect(sample(text, `orch_partition_state{partition="${partition}",state="ready"}`)).toBe(1);
        expect(sample(text, `orch_partition_state{partition="${partition}",state="restoring"}`)).toBe(0);
      }
      // Lag in seconds: how far behind the read horizon (read-horizon.ts) is; a sweep (200 ms here)
      // moves it on, so a partition that has read everything lags by about one sweep interval.
      await waitFor(
        async () => {
          text = await (await fetch(`${url}/metrics`)).text();
          const lags = [0, 1, 2].map((p) => sample(text, `orch_input_lag_seconds{partition="${p}"}`));
          return lags.every((lag) => lag !== undefined && lag >= 0 && lag < 30);
        },
        60_000,
        'every partition to report its lag in seconds',
      );
    } finally {
      await stop();
    }
  });
});
