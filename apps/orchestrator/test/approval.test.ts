// Issue 13: approval gates. Before a gated stage starts, the request waits for an operator; its
// commands are held back. Approved, the stage starts (its deadlines count from then); rejected, or
// not approved in time, it regresses with `rejected`.
import { create } from '@bufbuild/protobuf';
import { ChangeRequestSchema, ControlCommandSchema, PlanSchema } from '@pipeline/contracts';
import { CONTROL, CRQ, PLAN, REG, TASK } from '@pipeline/topics';
import { describe, expect, it } from 'vitest';
import type { Inbound } from '../src/domain/correlate.js';
import { failureOf, type RequestRecord, stageEnteredAt, stageOf } from '../src/domain/request-record.js';
import { expire, type RouteResult, route } from '../src/domain/route.js';

const ID = 'cr-gate';
let now = 9_000_000;
const at = () => {
  now += 1000;
  return now;
};

function applied(result: RouteResult): Extract<RouteResult, { kind: 'applied' }> {
  if (result.kind !== 'applied') throw new Error(`expected applied, got ${result.kind}: ${result.detail}`);
  return result;
}
const control = (action: 'approve' | 'reject' | 'cancel', by = 'ann'): Inbound => ({
  topic: CONTROL,
  message: create(ControlCommandSchema, {
    requestId: ID,
    requestedBy: by,
    reason: 'looked at it',
    action: { case: action, value: {} },
  }),
});
const crq = (approvalStages: string[] = []): Inbound => ({
  topic: CRQ,
  message: create(ChangeRequestSchema, { id: ID, repo: 'demo', approvalStages }),
});
const plan: Inbound = {
  topic: PLAN,
  message: create(PlanSchema, { id: 'p', parentRequestId: ID, taskIds: ['t1'] }),
};

/** The plan arrived; code_phase is gated: the request waits. */
function waiting(): { record: RequestRecord; result: Extract<RouteResult, { kind: 'applied' }> } {
  const planning = applied(route(undefined, ID, crq(), { now: at(), defaultGates: ['code_phase'] })).record;
  const result = applied(route(planning, ID, plan, { now: at() }));
  return { record: result.record, result };
}

describe('approval gates', () => {
  it('hold the commands of a gated stage until an operator approves; the stage starts then', () => {
    const { record, result } = waiting();
    expect(record.gates).toEqual(['code_phase']);
    expect(stageOf(record)).toBe('code_phase');
    expect(result.commands).toEqual([]);
    expect(record.awaiting).toMatchObject({ stage: 'code_phase', since: now });
    const approved = applied(route(record, ID, control('approve'), { now: at() }));
    expect(approved.commands.map((c) => c.topic)).toEqual([TASK]);
    expect(approved.record.awaiting).toBeUndefined();
    expect(stageEnteredAt(approved.record)).toBe(now);
    expect(approved.record.decisions).toMatchObject([{ action: 'approve', by: 'ann', stage: 'code_phase' }]);
  });

  it('a rejected request regresses with rejected; no agent is told (none was at work)', () => {
    const rejected = applied(route(waiting().record, ID, control('reject'), { now: at() }));
    expect(failureOf(rejected.record)).toEqual({
      stage: 'code_phase',
      reason: 'rejected',
      detail: 'code_phase rejected by ann: looked at it',
    });
    expect(rejected.commands.map((c) => c.topic)).toEqual([REG]);
  });

  it('an approval that does not come in time rejects; while waiting, no other deadline runs', () => {
    const { record } = waiting();
    const since = record.awaiting?.since ?? 0;
    expect(
      expire(record, { idleMs: 1000, maxMs: 1000, approvalMs: 60_000 }, { now: since + 60_000 }),
    ).toBeUndefined();
    const timedOut = expire(record, { idleMs: 1000, approvalMs: 60_000 }, { now: since + 60_001 });
    if (timedOut?.kind !== 'applied') throw new Error('expected the approval to time out');
    expect(failureOf(timedOut.record)).toEqual({
      stage: 'code_phase',
      reason: 'rejected',
      detail: 'approval of code_phase timed out after 60s (limit 60s)',
    });
  });

  it('refuse approve and reject of a request that does not wait, and a gate that is no stage', () => {
    const planning = applied(route(undefined, ID, crq(), { now: at() })).record;
    expect(route(planning, ID, control('approve'), { now: at() })).toMatchObject({
      reason: 'not_accepted_in_stage',
    });
    expect(route(planning, ID, control('reject'), { now: at() })).toMatchObject({
      reason: 'not_accepted_in_stage',
    });
    expect(route(undefined, ID, crq(['coding']), { now: at() })).toMatchObject({
      kind: 'rejected',
      reason: 'invalid',
    });
    // A request's own gates add to the defaults.
    const own = applied(
      route(undefined, ID, crq(['build2']), { now: at(), defaultGates: ['code_phase'] }),
    ).record;
    expect(own.gates).toEqual(['code_phase', 'build2']);
  });

  it('a cancel of a waiting request regresses it with cancelled and tells no agent', () => {
    const cancelled = applied(route(waiting().record, ID, control('cancel'), { now: at() }));
    expect(failureOf(cancelled.record)?.reason).toBe('cancelled');
    expect(cancelled.commands.map((c) => c.topic)).toEqual([REG]);
  });
});
