import { create } from '@bufbuild/protobuf';
import { AgentProgressSchema, ChangeRequestSchema, PlanSchema } from '@pipeline/contracts';
import { CRQ, PLAN, PROGRESS } from '@pipeline/topics';
import { describe, expect, it } from 'vitest';
import { correlate, type Inbound } from '../src/domain/correlate.js';
import {
  failureOf,
  lastSignOfLife,
  type RequestRecord,
  stageOf,
  usageOf,
} from '../src/domain/request-record.js';
import { expire, type RouteResult, route } from '../src/domain/route.js';

// Issue 12: an agent's AgentProgress is a sign of life. A stage's deadline counts from the last one
// (idle limit), with a hard maximum per stage that progress does not extend.

const ID = 'cr-p';
const T0 = 1_000_000;

const crq: Inbound = {
  topic: CRQ,
  message: create(ChangeRequestSchema, { id: ID, repo: 'demo', branch: 'main' }),
};
const plan: Inbound = {
  topic: PLAN,
  message: create(PlanSchema, { id: 'p', parentRequestId: ID, taskIds: ['t1'] }),
};
const progress = (init: Parameters<typeof create<typeof AgentProgressSchema>>[1]): Inbound => ({
  topic: PROGRESS,
  message: create(AgentProgressSchema, { requestId: ID, ...init }),
});

function applied(result: RouteResult): RequestRecord {
  if (result.kind !== 'applied') throw new Error(`expected applied, got ${result.kind}: ${result.detail}`);
  return result.record;
}

/** A request that entered code_phase at T0. */
function coding(): RequestRecord {
  const planning = applied(route(undefined, ID, crq, { now: T0 - 10 }));
  return applied(route(planning, ID, plan, { now: T0 }));
}

describe('AgentProgress', () => {
  it('is recorded on the current stage: note, percent, usage; no command, no stage change', () => {
    const result = route(
      coding(),
      ID,
      progress({
        stage: 'code_phase',
        note: 'editing src/a.ts',
        percent: 40,
        usage: { inputTokens: 1200n, outputTokens: 300n, costUsd: 0.02 },
      }),
      { now: T0 + 5_000 },
    );
    expect(result).toMatchObject({ kind: 'applied', commands: [] });
    expect(result).not.toHaveProperty('change');
    const record = applied(result);
    expect(stageOf(record)).toBe('code_phase');
    expect(record.history.at(-1)?.progress).toEqual({
      at: T0 + 5_000,
      count: 1,
      note: 'editing src/a.ts',
      percent: 40,
    });
    expect(record.history.at(-1)?.usage).toEqual({ inputTokens: 1200, outputTokens: 300, costUsd: 0.02 });
    expect(lastSignOfLife(record)).toBe(T0 + 5_000);
    expect(record.updatedAt).toBe(T0 + 5_000);
  });

  it('keeps what a bare heartbeat does not repeat, and takes usage as cumulative (not added up)', () => {
    let record = coding();
    const usage = { inputTokens: 100n, outputTokens: 10n, costUsd: 0.5 };
    record = applied(route(record, ID, progress({ note: 'reading', percent: 0, usage }), { now: T0 + 1 }));
    record = applied(route(record, ID, progress({}), { now: T0 + 2 }));
    expect(record.history.at(-1)?.progress).toMatchObject({
      at: T0 + 2,
      count: 2,
      note: 'reading',
      percent: 0,
    });
    const more = { inputTokens: 150n, outputTokens: 20n, costUsd: 0.75 };
    record = applied(route(record, ID, progress({ usage: more }), { now: T0 + 3 }));
    record = applied(route(record, ID, progress({ usage: more }), { now: T0 + 4 }));
    expect(usageOf(record)).toEqual({ inputTokens: 150, outputTokens: 20, costUsd: 0.75 });
  });

  it('sums the usage of every stage for the request', () => {
    const record = coding();
    record.history[1] = {
      ...(record.history[1] as RequestRecord['history'][number]),
      progress: { at: T0 - 5, count: 1 },
      usage: { inputTokens: 10, outputTokens: 1, costUsd: 0.25 },
    };
    const next = applied(
      route(record, ID, progress({ usage: { inputTokens: 5n, outputTokens: 2n, costUsd: 0.5 } }), {
        now: T0 + 1,
      }),
    );
    expect(usageOf(next)).toEqual({ inputTokens: 15, outputTokens: 3, costUsd: 0.75 });
    expect(usageOf(coding())).toBeUndefined();
  });

  it('is ignored, not dead-lettered, for a stage the request has left or when it is final', () => {
    const record = coding();
    expect(route(record, ID, progress({ stage: 'plan_phase', note: 'late' }), { now: T0 + 1 })).toEqual({
      kind: 'ignored',
      detail: 'progress for plan_phase, but the request is in code_phase',
      stage: 'code_phase',
    });
    const regressed = expire(record, { idleMs: 1000 }, { now: T0 + 2000 });
    if (regressed?.kind !== 'applied') throw new Error('expected a regression');
    expect(route(regressed.record, ID, progress({ note: 'still here' }), { now: T0 + 3000 })).toMatchObject({
      kind: 'ignored',
    });
  });

  it('is refused with a reason when it names no known request, no stage, or a cost below 0', () => {
    expect(route(undefined, ID, progress({}), { now: T0 })).toMatchObject({
      kind: 'rejected',
      reason: 'unknown_request',
    });
    expect(route(coding(), ID, progress({ stage: 'coding' }), { now: T0 })).toMatchObject({
      kind: 'rejected',
      reason: 'invalid',
      detail: 'AgentProgress.stage "coding" is not a stage',
    });
    const negative = { inputTokens: 1n, outputTokens: 1n, costUsd: -1 };
    expect(route(coding(), ID, progress({ usage: negative }), { now: T0 })).toMatchObject({
      kind: 'rejected',
      reason: 'invalid',
    });
  });

  it('is correlated by its key, or by its request_id when keyless; the two must agree', () => {
    const none = () => [];
    expect(correlate(progress({}), ID, none)).toEqual({ ok: true, requestId: ID, via: 'key' });
    expect(correlate(progress({}), undefined, none)).toEqual({ ok: true, requestId: ID, via: 'payload' });
    expect(correlate(progress({}), 'cr-other', none)).toMatchObject({ ok: false, reason: 'invalid' });
  });
});

describe('expire: idle limit since the last sign of life, hard maximum since the stage began', () => {
  const limits = { idleMs: 60_000, maxMs: 600_000 };

  it('lets a request that reports progress run past the idle limit', () => {
    let record = coding();
    for (let t = T0 + 30_000; t <= T0 + 300_000; t += 30_000) {
      expect(expire(record, limits, { now: t })).toBeUndefined();
      record = applied(route(record, ID, progress({ note: `step ${t}` }), { now: t }));
    }
    expect(expire(record, limits, { now: T0 + 300_000 + 60_000 })).toBeUndefined();
  });

  it('regresses a request whose agent goes silent, one idle limit after its last progress', () => {
    const record = applied(route(coding(), ID, progress({ note: 'one' }), { now: T0 + 50_000 }));
    expect(expire(record, limits, { now: T0 + 110_000 })).toBeUndefined();
    const result = expire(record, limits, { now: T0 + 110_001 });
    if (result?.kind !== 'applied') throw new Error('expected a regression');
    expect(failureOf(result.record)).toEqual({
      stage: 'code_phase',
      reason: 'deadline_exceeded',
      detail: 'deadline exceeded: no progress in code_phase for 60s (limit 60s)',
    });
  });

  it('regresses a request at the hard maximum however often its agent reports', () => {
    let record = coding();
    for (let t = T0 + 10_000; t <= T0 + 600_000; t += 10_000)
      record = applied(route(record, ID, progress({}), { now: t }));
    expect(expire(record, limits, { now: T0 + 600_000 })).toBeUndefined();
    const result = expire(record, limits, { now: T0 + 600_001 });
    if (result?.kind !== 'applied') throw new Error('expected a regression');
    expect(failureOf(result.record)?.detail).toBe(
      'deadline exceeded: code_phase ran for 600s, its hard maximum is 600s, last progress 0s ago',
    );
  });

  it('applies either limit alone', () => {
    const record = coding();
    expect(expire(record, { maxMs: 1000 }, { now: T0 + 1001 })).toMatchObject({ kind: 'applied' });
    expect(expire(record, { idleMs: 1000 }, { now: T0 + 1001 })).toMatchObject({ kind: 'applied' });
    expect(expire(record, {}, { now: T0 + 10 ** 9 })).toBeUndefined();
  });
});
