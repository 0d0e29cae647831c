import { create } from '@bufbuild/protobuf';
import {
  BuildReportSchema,
  ChangeRequestSchema,
  CommitResultSchema,
  GeneratedTestsSchema,
  PlanSchema,
  TestSpecSchema,
} from '@pipeline/contracts';
import {
  BREPORT,
  BUILD_REQ,
  CRES,
  CRQ,
  DEEP,
  GTRES,
  PLAN,
  REG,
  TASK,
  TGEN_REQ,
  TPLAN_REQ,
  TSPEC,
} from '@pipeline/topics';
import { describe, expect, it } from 'vitest';
import type { Inbound } from '../src/domain/correlate.js';
import { failureOf, type RequestRecord, stageOf } from '../src/domain/request-record.js';
import { expire, type RouteResult, route } from '../src/domain/route.js';

const ID = 'cr-1';
let clock = 1_000;
const ctx = () => {
  clock += 10;
  return { now: clock };
};

const crq = (): Inbound => ({
  topic: CRQ,
  message: create(ChangeRequestSchema, {
    id: ID,
    requester: 'kil',
    repo: 'demo',
    branch: 'main',
    description: 'add greet()',
  }),
});
const plan = (taskIds: string[] = ['t1', 't2']): Inbound => ({
  topic: PLAN,
  message: create(PlanSchema, { id: 'p1', parentRequestId: ID, taskIds }),
});
const commit = (taskId: string, commitSha: string, status = 'SUCCESS'): Inbound => ({
  topic: CRES,
  message: create(CommitResultSchema, { taskId, commitSha, status }),
});
const build = (commitSha: string, status = 'PASSED', buildId = ''): Inbound => ({
  topic: BREPORT,
  message: create(BuildReportSchema, { commitSha, status, buildId }),
});
const spec = (parentCommitSha = 'c2'): Inbound => ({
  topic: TSPEC,
  message: create(TestSpecSchema, { id: 's1', parentCommitSha }),
});
const tests = (precheck = 'PASSED', specId = 's1'): Inbound => ({
  topic: GTRES,
  message: create(GeneratedTestsSchema, { specId, commitSha: 'c3', precheck }),
});

function applied(result: RouteResult): Extract<RouteResult, { kind: 'applied' }> {
  if (result.kind !== 'applied')
    throw new Error(
      `expected applied, got ${result.kind === 'rejected' ? result.reason : result.kind}: ${result.detail}`,
    );
  return result;
}

/** Runs messages in order, failing on any rejection, and returns the last record. */
function drive(...messages: Inbound[]): { record: RequestRecord; results: RouteResult[] } {
  let record: RequestRecord | undefined;
  const results: RouteResult[] = [];
  for (const message of messages) {
    const result = applied(route(record, ID, message, ctx()));
    results.push(result);
    record = result.record;
  }
  if (!record) throw new Error('no messages');
  return { record, results };
}

const toBuild2 = [crq(), plan(), commit('t1', 'c1'), commit('t2', 'c2'), build('c2'), spec(), tests()];

describe('route: the happy path', () => {
  it('walks a request to done, commanding each agent once per stage', () => {
    const { record, results } = drive(...toBuild2, build('c3'));
    expect(stageOf(record)).toBe('done');
    expect(record.history.map((h) => h.stage)).toEqual([
      'idle',
      'plan_phase',
      'code_phase',
      'build1',
      'test_plan',
      'test_build',
      'build2',
      'done',
    ]);
    const sent = results.flatMap((r) => (r.kind === 'applied' ? r.commands.map((c) => c.topic) : []));
    expect(sent).toEqual([DEEP, TASK, BUILD_REQ, TPLAN_REQ, TGEN_REQ, BUILD_REQ]);
  });

  it('forwards the change request to the planner and the tasks to the coder', () => {
    const { results } = drive(crq(), plan(['a', 'b', 'a']));
    const [toPlanner] = applied(results[0] as RouteResult).commands;
    expect(toPlanner?.topic).toBe(DEEP);
    expect(toPlanner?.message).toMatchObject({ id: ID, repo: 'demo', description: 'add greet()' });
    const [bundle] = applied(results[1] as RouteResult).commands;
    expect(bundle?.topic).toBe(TASK);
    expect(bundle?.message).toMatchObject({ planId: 'p1', taskIds: ['a', 'b'] });
  });

  it('gives a seed planner that lists no tasks one task', () => {
    const { record } = drive(crq(), plan([]));
    expect(record.tasks).toEqual([{ id: 'p1/task-1' }]);
  });

  it('builds the last successful commit, then the tests commit', () => {
    const { results } = drive(...toBuild2);
    const builds = results
      .flatMap((r) => (r.kind === 'applied' ? r.commands : []))
      .filter((c) => c.topic === BUILD_REQ);
    expect(builds.map((b) => b.message)).toMatchObject([
      { buildId: `${ID}/build1`, commitSha: 'c2', round: 1 },
      { buildId: `${ID}/build2`, commitSha: 'c3', round: 2 },
    ]);
  });

  it('stays in code_phase until every task succeeded', () => {
    const { record } = drive(crq(), plan(['t1', 't2', 't3']), commit('t2', 'c2'), commit('t1', 'c1'));
    expect(stageOf(record)).toBe('code_phase');
    const done = applied(route(record, ID, commit('t3', 'c3'), ctx()));
    expect(stageOf(done.record)).toBe('build1');
    expect(done.change).toMatchObject({ from: 'code_phase', to: 'build1' });
  });

  it('counts 20 tasks arriving in any order', () => {
    const ids = Array.from({ length: 20 }, (_, i) => `t${i}`);
    let { record } = drive(crq(), plan(ids));
    for (const id of [...ids].reverse())
      record = applied(route(record, ID, commit(id, `sha-${id}`), ctx())).record;
    expect(stageOf(record)).toBe('build1');
    expect(record.build?.commitSha).toBe('sha-t0');
  });
});

describe('route: failure paths end in regress with one ticket', () => {
  const cases: Array<[string, Inbound[], Inbound, string, string]> = [
    ['a failed task', [crq(), plan()], commit('t1', 'c1', 'FAILED'), 'code_phase', 'task_failed'],
    [
      'a failed build 1',
      [crq(), plan(), commit('t1', 'c1'), commit('t2', 'c2')],
      build('c2', 'FAILED'),
      'build1',
      'build_failed',
    ],
    [
      'a failed precheck',
      [crq(), plan(), commit('t1', 'c1'), commit('t2', 'c2'), build('c2'), spec()],
      tests('FAILED'),
      'test_build',
      'precheck_failed',
    ],
    ['a failed build 2', toBuild2, build('c3', 'BROKEN'), 'build2', 'build_failed'],
  ];
  it.each(cases)('%s', (_name, before, failing, stage, reason) => {
    const { record } = drive(...before);
    const result = applied(route(record, ID, failing, ctx()));
    expect(stageOf(result.record)).toBe('regress');
    expect(failureOf(result.record)).toMatchObject({ stage, reason });
    expect(result.commands).toHaveLength(1);
    const [ticket] = result.commands;
    expect(ticket?.topic).toBe(REG);
    expect(ticket?.message).toMatchObject({
      id: `${ID}/regression`,
      requestId: ID,
      failedStage: stage,
      reason,
    });
    expect(ticket?.message.$typeName).toBe('core.RegressionTicket');
    if (ticket?.topic === REG) expect(ticket.message.summary).toContain(`failed in stage ${stage}`);
  });
});

describe('route: duplicate, late, out-of-order and unknown messages are rejected with a reason', () => {
  it('starts nothing for a second ChangeRequest with a known id', () => {
    const { record } = drive(crq(), plan());
    expect(route(record, ID, crq(), ctx())).toMatchObject({ kind: 'rejected', reason: 'duplicate_request' });
  });

  it('rejects messages for an unknown request', () => {
    expect(route(undefined, ID, plan(), ctx())).toMatchObject({
      kind: 'rejected',
      reason: 'unknown_request',
    });
  });

  it('rejects a result for a task not in the plan and a second result for one task', () => {
    const { record } = drive(crq(), plan(), commit('t1', 'c1'));
    expect(route(record, ID, commit('t9', 'c9'), ctx())).toMatchObject({ reason: 'unknown_task' });
    expect(route(record, ID, commit('t1', 'c1'), ctx())).toMatchObject({ reason: 'duplicate_task_result' });
  });

  it('rejects a message that comes before its stage', () => {
    const { record } = drive(crq());
    expect(route(record, ID, build('c1'), ctx())).toMatchObject({
      reason: 'not_accepted_in_stage',
      stage: 'plan_phase',
    });
    expect(route(record, ID, tests(), ctx())).toMatchObject({ reason: 'not_accepted_in_stage' });
  });

  it('rejects a late build 1 report while build 2 runs', () => {
    const { record } = drive(...toBuild2);
    expect(route(record, ID, build('c2'), ctx())).toMatchObject({
      reason: 'stale_build_report',
      stage: 'build2',
    });
    expect(route(record, ID, build('c3', 'PASSED', `${ID}/build1`), ctx())).toMatchObject({
      reason: 'stale_build_report',
    });
    expect(stageOf(applied(route(record, ID, build('c3', 'PASSED', `${ID}/build2`), ctx())).record)).toBe(
      'done',
    );
  });

  it('needs the build id in build 2 when it builds the same commit as build 1', () => {
    const noTestCommit: Inbound = {
      topic: GTRES,
      message: create(GeneratedTestsSchema, { specId: 's1', precheck: 'PASSED' }),
    };
    const { record } = drive(
      crq(),
      plan(),
      commit('t1', 'c1'),
      commit('t2', 'c2'),
      build('c2'),
      spec(),
      noTestCommit,
    );
    expect(record.build).toMatchObject({ round: 2, commitSha: 'c2' });
    expect(route(record, ID, build('c2'), ctx())).toMatchObject({ reason: 'stale_build_report' });
    expect(stageOf(applied(route(record, ID, build('c2', 'PASSED', `${ID}/build2`), ctx())).record)).toBe(
      'done',
    );
  });

  it('rejects everything once the request is final', () => {
    const { record } = drive(crq(), plan(), commit('t1', 'c1', 'FAILED'));
    expect(route(record, ID, commit('t2', 'c2'), ctx())).toMatchObject({
      reason: 'final_stage',
      stage: 'regress',
    });
  });

  it('rejects a spec for another commit and tests for another spec', () => {
    const { record } = drive(crq(), plan(), commit('t1', 'c1'), commit('t2', 'c2'), build('c2'));
    expect(route(record, ID, spec('other'), ctx())).toMatchObject({ reason: 'stale_test_spec' });
    const atTestBuild = drive(
      crq(),
      plan(),
      commit('t1', 'c1'),
      commit('t2', 'c2'),
      build('c2'),
      spec(),
    ).record;
    expect(route(atTestBuild, ID, tests('PASSED', 's9'), ctx())).toMatchObject({ reason: 'unknown_spec' });
  });

  it('never changes the record it was given', () => {
    const { record } = drive(crq(), plan());
    const copy = structuredClone(record);
    route(record, ID, commit('t1', 'c1'), ctx());
    route(record, ID, commit('t1', 'c1', 'FAILED'), ctx());
    expect(record).toEqual(copy);
  });
});

describe('expire: stage deadlines', () => {
  it('regresses a request stuck longer than its deadline, once', () => {
    const { record } = drive(crq(), plan());
    const enteredAt = record.history.at(-1)?.at ?? 0;
    expect(expire(record, { idleMs: 60_000 }, { now: enteredAt + 60_000 })).toBeUndefined();
    const result = expire(record, { idleMs: 60_000 }, { now: enteredAt + 60_001 });
    expect(result).toMatchObject({ kind: 'applied' });
    if (result?.kind !== 'applied') throw new Error('expected applied');
    expect(stageOf(result.record)).toBe('regress');
    expect(failureOf(result.record)).toMatchObject({ stage: 'code_phase', reason: 'deadline_exceeded' });
    expect(result.commands.map((c) => c.topic)).toEqual([REG]);
    expect(expire(result.record, { idleMs: 60_000 }, { now: enteredAt + 10 * 60_000 })).toBeUndefined();
  });
});

describe('finding 14: build ids carry the request nonce', () => {
  // The runtime gives every request a random nonce when it first stores it (partition-worker.ts);
  // the decisions stay pure: the nonce is part of the record they are given.
  const withNonce = (record: RequestRecord): RequestRecord => ({ ...record, nonce: '9f2c4e1ab37d5068' });

  it('names each build <request id>/build<round>-<nonce>', () => {
    let record = withNonce(drive(crq()).record);
    const builds: unknown[] = [];
    for (const message of [
      plan(),
      commit('t1', 'c1'),
      commit('t2', 'c2'),
      build('c2', 'PASSED', `${ID}/build1-9f2c4e1ab37d5068`),
      spec(),
      tests(),
    ]) {
      const result = applied(route(record, ID, message, ctx()));
      builds.push(...result.commands.filter((c) => c.topic === BUILD_REQ).map((c) => c.message));
      record = result.record;
    }
    expect(builds).toMatchObject([
      { buildId: `${ID}/build1-9f2c4e1ab37d5068`, commitSha: 'c2', round: 1 },
      { buildId: `${ID}/build2-9f2c4e1ab37d5068`, commitSha: 'c3', round: 2 },
    ]);
    expect(record.nonce).toBe('9f2c4e1ab37d5068');
  });

  it('takes a report without the nonce for a stale one, and does not tell the nonce in the reason', () => {
    let record = withNonce(drive(crq()).record);
    for (const message of [plan(), commit('t1', 'c1'), commit('t2', 'c2')])
      record = applied(route(record, ID, message, ctx())).record;
    for (const buildId of [`${ID}/build1`, `${ID}/build1-`, `${ID}/build1-0000000000000000`]) {
      const result = route(record, ID, build('c2', 'PASSED', buildId), ctx());
      expect(result, buildId).toMatchObject({ kind: 'rejected', reason: 'stale_build_report' });
      if (result.kind === 'rejected') expect(result.detail).not.toContain('9f2c4e1ab37d5068');
    }
    const passed = applied(route(record, ID, build('c2', 'PASSED', `${ID}/build1-9f2c4e1ab37d5068`), ctx()));
    expect(stageOf(passed.record)).toBe('test_plan');
    // A seed-style builder echoes only the commit: still accepted (docs/protocol.md).
    expect(stageOf(applied(route(record, ID, build('c2'), ctx())).record)).toBe('test_plan');
  });
});
