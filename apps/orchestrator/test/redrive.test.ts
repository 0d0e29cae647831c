// Issue 13: a regressed request is redriven: a new attempt at the stage that failed (or an earlier
// one), keeping what the stages before it produced; commands carry the attempt, replies of an older
// attempt are stale.
import { create } from '@bufbuild/protobuf';
import {
  BuildReportSchema,
  ChangeRequestSchema,
  CommitResultSchema,
  ControlCommandSchema,
  GeneratedTestsSchema,
  PlanSchema,
  TestSpecSchema,
} from '@pipeline/contracts';
import {
  BREPORT,
  BUILD_REQ,
  CONTROL,
  CRES,
  CRQ,
  DEEP,
  GTRES,
  PLAN,
  REG,
  TASK,
  TSPEC,
} from '@pipeline/topics';
import { describe, expect, it } from 'vitest';
import type { Inbound } from '../src/domain/correlate.js';
import { type RequestRecord, stageOf } from '../src/domain/request-record.js';
import { type RouteResult, route } from '../src/domain/route.js';

const ID = 'cr-redrive';
let now = 5_000_000;
let nonces = 0;
const ctx = () => {
  now += 1000;
  nonces += 1;
  return { now, nonce: `nonce${String(nonces).padStart(11, '0')}` };
};

function applied(result: RouteResult): Extract<RouteResult, { kind: 'applied' }> {
  if (result.kind !== 'applied') throw new Error(`expected applied, got ${result.kind}: ${result.detail}`);
  return result;
}
function run(record: RequestRecord | undefined, ...messages: Inbound[]): RequestRecord {
  let current = record;
  for (const m of messages) current = applied(route(current, ID, m, ctx())).record;
  if (!current) throw new Error('no record');
  return current;
}
const retry = (fromStage = '', by = 'ann'): Inbound => ({
  topic: CONTROL,
  message: create(ControlCommandSchema, {
    requestId: ID,
    requestedBy: by,
    reason: 'flaky build',
    action: { case: 'retry', value: { fromStage } },
  }),
});
const report = (record: RequestRecord, status: string, attempt = 0): Inbound => ({
  topic: BREPORT,
  message: create(BuildReportSchema, {
    commitSha: record.build?.commitSha ?? '',
    buildId: record.build?.id ?? '',
    status,
    attempt,
  }),
});

/** A request that failed its first build. */
function failedAtBuild1(): RequestRecord {
  const building = run(
    undefined,
    { topic: CRQ, message: create(ChangeRequestSchema, { id: ID, repo: 'demo', branch: 'main' }) },
    { topic: PLAN, message: create(PlanSchema, { id: 'p', parentRequestId: ID, taskIds: ['t1'] }) },
    {
      topic: CRES,
      message: create(CommitResultSchema, { taskId: 't1', commitSha: 'c1', status: 'SUCCESS' }),
    },
  );
  return run(building, report(building, 'FAILED'));
}

describe('retry (redrive)', () => {
  it('starts attempt 2 at the failed build, keeping the plan and the commits: no new plan, no new code', () => {
    const failed = failedAtBuild1();
    expect(stageOf(failed)).toBe('regress');
    const result = applied(route(failed, ID, retry(), ctx()));
    const record = result.record;
    expect(stageOf(record)).toBe('build1');
    expect(record.attempt).toBe(2);
    expect(record.planId).toBe('p');
    expect(record.tasks).toEqual([{ id: 't1', status: 'SUCCESS', commitSha: 'c1' }]);
    expect(record.history.at(-1)).toMatchObject({ stage: 'build1', attempt: 2 });
    expect(record.decisions).toMatchObject([
      { action: 'retry', by: 'ann', reason: 'flaky build', stage: 'regress' },
    ]);
    expect(result.commands.map((c) => c.topic)).toEqual([BUILD_REQ]);
    expect(result.commands[0]?.message).toMatchObject({ commitSha: 'c1', round: 1, attempt: 2 });
    // A new build id: the first attempt's build cannot be reported for this one.
    expect(record.build?.id).not.toBe(failed.build?.id);
    expect(route(record, ID, report(failed, 'PASSED'), ctx())).toMatchObject({
      reason: 'stale_build_report',
    });
  });

  it("refuses a reply naming an older attempt, and reaches done on the new attempt's replies", () => {
    let record = applied(route(failedAtBuild1(), ID, retry(), ctx())).record;
    expect(route(record, ID, report(record, 'PASSED', 1), ctx())).toMatchObject({
      kind: 'rejected',
      reason: 'stale_attempt',
      detail: 'BuildReport for attempt 1, the request is on attempt 2',
    });
    record = run(record, report(record, 'PASSED', 2), {
      topic: TSPEC,
      message: create(TestSpecSchema, { id: 's', parentCommitSha: 'c1', attempt: 2 }),
    });
    record = run(record, {
      topic: GTRES,
      message: create(GeneratedTestsSchema, { specId: 's', commitSha: 'c2', precheck: 'PASSED' }),
    });
    record = run(record, report(record, 'PASSED'));
    expect(stageOf(record)).toBe('done');
  });

  it('starts over at an earlier stage when asked: the coder gets the tasks again, with the attempt', () => {
    const result = applied(route(failedAtBuild1(), ID, retry('code_phase'), ctx()));
    expect(stageOf(result.record)).toBe('code_phase');
    expect(result.record.tasks).toEqual([{ id: 't1' }]);
    expect(result.record.headCommit).toBeUndefined();
    expect(result.commands.map((c) => c.topic)).toEqual([TASK]);
    expect(result.commands[0]?.message).toMatchObject({ taskIds: ['t1'], attempt: 2 });
    const again = applied(route(failedAtBuild1(), ID, retry('plan_phase'), ctx()));
    expect(again.commands.map((c) => c.topic)).toEqual([DEEP]);
    expect(again.commands[0]?.message).toMatchObject({ id: ID, attempt: 2 });
  });

  it('refuses to retry a request that did not regress, at a later stage, or at no stage', () => {
    const failed = failedAtBuild1();
    expect(route(failed, ID, retry('build2'), ctx())).toMatchObject({ reason: 'invalid' });
    expect(route(failed, ID, retry('coding'), ctx())).toMatchObject({ reason: 'invalid' });
    const retried = applied(route(failed, ID, retry(), ctx())).record;
    expect(route(retried, ID, retry(), ctx())).toMatchObject({ reason: 'not_accepted_in_stage' });
  });

  it('ORCH_RETRY redrives a failed build automatically, up to its count, then the failure stands', () => {
    const policy = { retryPolicy: { build1: 2 } };
    const building = failedAtBuild1Policy(policy);
    // First failure: retried at once, no ticket.
    const first = applied(route(building, ID, report(building, 'FAILED'), { ...ctx(), ...policy }));
    expect(stageOf(first.record)).toBe('build1');
    expect(first.record.attempt).toBe(2);
    expect(first.commands.map((c) => c.topic)).toEqual([BUILD_REQ]);
    expect(first.record.decisions?.at(-1)).toMatchObject({
      action: 'retry',
      by: 'orchestrator (ORCH_RETRY)',
      from: 'build1',
    });
    expect(first.record.decisions?.at(-1)?.reason).toMatch(
      /^build_failed: retry 1 of 2 \(build 1 of commit c1 reported FAILED\)$/,
    );
    const second = applied(route(first.record, ID, report(first.record, 'FAILED'), { ...ctx(), ...policy }));
    expect(second.record.attempt).toBe(3);
    // The third failure regresses: the retries are spent.
    const third = applied(route(second.record, ID, report(second.record, 'FAILED'), { ...ctx(), ...policy }));
    expect(stageOf(third.record)).toBe('regress');
    expect(third.commands.map((c) => c.topic)).toEqual([REG]);
  });
});

/** Like failedAtBuild1, but stops in build1 (the build report is the test's). */
function failedAtBuild1Policy(policy: object): RequestRecord {
  let record: RequestRecord | undefined;
  for (const m of [
    { topic: CRQ, message: create(ChangeRequestSchema, { id: ID, repo: 'demo', branch: 'main' }) },
    { topic: PLAN, message: create(PlanSchema, { id: 'p', parentRequestId: ID, taskIds: ['t1'] }) },
    {
      topic: CRES,
      message: create(CommitResultSchema, { taskId: 't1', commitSha: 'c1', status: 'SUCCESS' }),
    },
  ] as Inbound[])
    record = applied(route(record, ID, m, { ...ctx(), ...policy })).record;
  if (!record) throw new Error('no record');
  return record;
}
