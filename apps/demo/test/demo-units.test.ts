import { expectedOutcome, failingCount, MARKED_REGRESSIONS, planRequests } from '@pipeline/failure-markers';
import type { RequestView } from '@pipeline/orchestrator-api';
import { describe, expect, it } from 'vitest';
import { type DemoOutcome, type DemoResult, outcomeOf } from '../src/outcomes.js';
import {
  bar,
  LiveRegion,
  type ProgressState,
  renderProgressFrame,
  renderProgressLine,
} from '../src/progress.js';
import { percentile } from '../src/stats.js';
import { renderSummary } from '../src/summary.js';

describe('percentile (nearest rank)', () => {
  it('is undefined for no values', () => {
    expect(percentile([], 50)).toBeUndefined();
  });

  it('of one value is that value', () => {
    expect(percentile([7], 50)).toBe(7);
    expect(percentile([7], 99)).toBe(7);
  });

  it('picks the smallest value with at least p% at or below it, whatever the input order', () => {
    const values = [10, 1, 9, 2, 8, 3, 7, 4, 6, 5];
    expect(percentile(values, 50)).toBe(5);
    expect(percentile(values, 90)).toBe(9);
    expect(percentile(values, 99)).toBe(10);
    expect(percentile(values, 100)).toBe(10);
    expect(percentile(values, 10)).toBe(1);
    expect(values[0]).toBe(10); // not sorted in place
  });

  it('p99 of 100 values is the 99th', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 50)).toBe(50);
  });

  it('rejects p outside (0, 100]', () => {
    expect(() => percentile([1], 0)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });
});

describe('expected outcomes', () => {
  // The table of where each marker ends a request is @pipeline/failure-markers' (and tested there).
  it('map each stub failure marker to the stage and reason the orchestrator regresses with', () => {
    for (const target of ['coder', 'build1', 'precheck', 'build2'] as const) {
      expect(expectedOutcome(target)).toEqual(MARKED_REGRESSIONS[target]);
    }
    expect(expectedOutcome('build1')).toEqual({
      stage: 'regress',
      failedStage: 'build1',
      reason: 'build_failed',
    });
    expect(expectedOutcome(undefined)).toEqual({ stage: 'done' });
    expect(expectedOutcome('precheck')).toEqual({
      stage: 'regress',
      failedStage: 'test_build',
      reason: 'precheck_failed',
    });
  });

  it('fail fewer than half below 8 requests, 4 (every path) at 8, about 20% above', () => {
    expect([1, 2, 3, 5, 7].map(failingCount)).toEqual([0, 1, 1, 2, 3]);
    expect(failingCount(8)).toBe(4);
    expect(failingCount(10)).toBe(4);
    expect(failingCount(20)).toBe(4);
    expect(failingCount(50)).toBe(10);
    expect(failingCount(1000)).toBe(200);
  });

  it('8 requests: one of each failure, spread out, the rest plain; ids unique and marked', () => {
    const plan = planRequests(8, 'run1');
    expect(plan.map((p) => p.id)).toEqual([
      'cr-run1-1',
      'cr-run1-2-fail-coder',
      'cr-run1-3',
      'cr-run1-4-fail-build1',
      'cr-run1-5',
      'cr-run1-6-fail-precheck',
      'cr-run1-7',
      'cr-run1-8-fail-build2',
    ]);
    expect(plan.filter((p) => !p.fail).every((p) => p.expected.stage === 'done')).toBe(true);
    expect(plan[5]?.expected).toEqual(MARKED_REGRESSIONS.precheck);
  });

  it('bigger runs spread ~20% failures over the four targets', () => {
    const plan = planRequests(100, 'big');
    expect(new Set(plan.map((p) => p.id)).size).toBe(100);
    expect(plan[0]?.id).toBe('cr-big-001');
    const failing = plan.filter((p) => p.fail);
    expect(failing).toHaveLength(20);
    for (const target of ['coder', 'build1', 'precheck', 'build2']) {
      expect(failing.filter((p) => p.fail === target)).toHaveLength(5);
    }
    for (const p of failing) expect(p.id.endsWith(`-fail-${p.fail}`)).toBe(true);
  });
});

function view(partial: Partial<RequestView>): RequestView {
  return {
    v: 1,
    attempt: 1,
    id: 'cr-1',
    stage: 'done',
    final: true,
    change: { requester: 'ann', repo: 'demo/shop', branch: 'main', description: 'x' },
    ids: { tasks: [] },
    history: [
      { stage: 'plan_phase', at: '2026-01-01T00:00:00.000Z' },
      { stage: 'done', at: '2026-01-01T00:00:01.500Z' },
    ],
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:01.500Z',
    ...partial,
  };
}

describe('outcomeOf', () => {
  it('done as planned, latency = first to last stage change', () => {
    const o = outcomeOf({ id: 'cr-1', expected: { stage: 'done' } }, view({}));
    expect(o).toEqual({
      id: 'cr-1',
      expected: { stage: 'done' },
      actual: { stage: 'done' },
      latencyMs: 1500,
      ok: true,
    });
  });

  it('a regress must match stage and reason', () => {
    const planned = { id: 'cr-1', fail: 'build1' as const, expected: expectedOutcome('build1') };
    const failure: NonNullable<RequestView['failure']> = {
      stage: 'build1',
      reason: 'build_failed',
      detail: 'x',
    };
    expect(outcomeOf(planned, view({ stage: 'regress', failure })).ok).toBe(true);
    const wrongReason = outcomeOf(
      planned,
      view({ stage: 'regress', failure: { ...failure, reason: 'deadline_exceeded' } }),
    );
    expect(wrongReason.ok).toBe(false);
    expect(wrongReason.actual).toEqual({
      stage: 'regress',
      reason: 'deadline_exceeded',
      failedStage: 'build1',
    });
    expect(outcomeOf(planned, view({})).ok).toBe(false);
  });

  it('a request never seen or not final is not ok', () => {
    expect(outcomeOf({ id: 'cr-1', expected: { stage: 'done' } }, undefined)).toEqual({
      id: 'cr-1',
      expected: { stage: 'done' },
      actual: { stage: 'waiting' },
      latencyMs: undefined,
      ok: false,
    });
    expect(
      outcomeOf({ id: 'cr-1', expected: { stage: 'done' } }, view({ stage: 'build1', final: false })).ok,
    ).toBe(false);
  });
});

describe('progress rendering', () => {
  const state: ProgressState = {
    total: 8,
    counts: { plan_phase: 1, build1: 2, done: 3, regress: 2 },
    elapsedMs: 4200,
  };

  it('the bar fills in proportion', () => {
    expect(bar(0, 8, 8)).toBe('[░░░░░░░░]');
    expect(bar(4, 8, 8)).toBe('[████░░░░]');
    expect(bar(8, 8, 8)).toBe('[████████]');
    expect(bar(0, 0, 4)).toBe('[████]');
  });

  it('a terminal frame has a line per stage with its count, then the bar', () => {
    expect(renderProgressFrame(state, 8)).toBe(
      [
        '  waiting     0',
        '  plan_phase  1  █',
        '  code_phase  0',
        '  build1      2  ██',
        '  test_plan   0',
        '  test_build  0',
        '  build2      0',
        '  done        3  ███',
        '  regress     2  ██',
        '  [█████░░░] 5/8 final (62%)  4.20s',
        '',
      ].join('\n'),
    );
  });

  it('the plain line lists the stages that have requests', () => {
    expect(renderProgressLine(state)).toBe(
      '[ 4.20s] 5/8 final · plan_phase 1 · build1 2 · done 3 · regress 2\n',
    );
    expect(renderProgressLine({ total: 2, counts: { waiting: 2 }, elapsedMs: 50 })).toBe(
      '[  50ms] 0/2 final · waiting 2\n',
    );
  });

  it('the live region moves the cursor up over the previous frame before redrawing', () => {
    let written = '';
    const region = new LiveRegion((text) => {
      written += text;
    });
    region.update('a\nb\n');
    region.update('c\nd\ne\n');
    region.update('f\n');
    expect(written).toBe('a\nb\n\x1b[2A\r\x1b[Jc\nd\ne\n\x1b[3A\r\x1b[Jf\n');
    region.done();
    region.update('g\n');
    expect(written.endsWith('f\ng\n')).toBe(true);
  });
});

describe('summary', () => {
  const result: DemoResult = {
    prefix: 'demo-x.',
    bootstrap: '127.0.0.1:9092',
    orchestratorUrl: 'http://localhost:9300',
    outcomes: [
      { id: 'cr-1', expected: { stage: 'done' }, actual: { stage: 'done' }, latencyMs: 1000, ok: true },
      {
        id: 'cr-2-fail-build1',
        expected: expectedOutcome('build1'),
        actual: { stage: 'regress', failedStage: 'build1', reason: 'build_failed' },
        latencyMs: 800,
        ok: true,
      },
      {
        id: 'cr-3',
        expected: { stage: 'done' },
        actual: { stage: 'build2' },
        latencyMs: undefined,
        ok: false,
      },
    ],
    totals: {
      submitted: 3,
      done: 1,
      regressed: 1,
      unfinished: 1,
      unexpected: 1,
      p50Ms: 800,
      p99Ms: 1000,
      elapsedMs: 120_000,
    },
    ok: false,
    interrupted: false,
    exitCode: 1,
  };

  it('counts, each regression with stage and reason, latency, what went wrong, where to look', () => {
    const text = renderSummary(result, {
      timeoutMs: 120_000,
      interactive: false,
      logFiles: ['.demo/logs/o.log'],
    });
    expect(text).toContain('summary: 3 change requests in 2m00s');
    expect(text).toContain('  done       1\n  regressed  1\n');
    expect(text).toMatch(/cr-2-fail-build1 +failed in build1 +build_failed +\(as planned\)/);
    expect(text).toContain('unfinished 1 (not final within 2m00s)');
    expect(text).toContain('latency    p50 800ms, p99 1.00s');
    expect(text).toMatch(/1 request did not end as planned:\n +cr-3 +expected done +got still in build2/);
    expect(text).toContain("curl -s http://localhost:9300/metrics | grep '^orch_'");
    expect(text).toContain('curl -s http://localhost:9300/requests/cr-2-fail-build1');
    expect(text).toContain('pnpm pipeline status cr-2-fail-build1\n');
    expect(text).toContain('.demo/logs/o.log');
    expect(text).not.toContain('submit one');
  });

  it('many regressions are counted by failed stage and reason', () => {
    const many = Array.from(
      { length: 30 },
      (_, i): DemoOutcome => ({
        id: `cr-${i}`,
        expected: expectedOutcome(i % 2 ? 'coder' : 'build2'),
        actual:
          i % 2
            ? { stage: 'regress', failedStage: 'code_phase', reason: 'task_failed' }
            : { stage: 'regress', failedStage: 'build2', reason: 'build_failed' },
        latencyMs: 10,
        ok: i !== 0,
      }),
    );
    const text = renderSummary(
      { ...result, outcomes: many },
      { timeoutMs: 1000, interactive: false, logFiles: [] },
    );
    expect(text).toMatch(/ {4}failed in build2 +build_failed +15× +\(1 UNEXPECTED\)\n/);
    expect(text).toMatch(/ {4}failed in code_phase +task_failed +15× +\(as planned\)\n/);
    expect(text).not.toMatch(/cr-7 +failed in/);
  });

  it('interactive: how to submit and follow more, with --url when the port is not the default', () => {
    const text = renderSummary(
      { ...result, orchestratorUrl: 'http://localhost:4000' },
      { timeoutMs: 1000, interactive: true, logFiles: [] },
    );
    expect(text).toContain('everything keeps running until Ctrl-C');
    expect(text).toContain(
      'KAFKA_BOOTSTRAP=127.0.0.1:9092 PIPELINE_TOPIC_PREFIX=demo-x. pnpm pipeline submit',
    );
    expect(text).toContain('status cr-2-fail-build1 --url http://localhost:4000');
    expect(text).toContain('watch <id> --url http://localhost:4000');
  });
});
