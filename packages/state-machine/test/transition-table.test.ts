import { describe, expect, it } from 'vitest';
import {
  EVENT_TYPES,
  type RefusalReason,
  STAGES,
  type Stage,
  type StageAction,
  type StageEvent,
  type StageEventType,
  step,
} from '../src/index.js';
import { snapshotIn } from './helpers.js';

type Expected = Stage | RefusalReason;

// Written out by hand from the rules, NOT derived from the machine: this is the specification the
// machine is checked against. 9 stages × 10 events = 90 rows.
const TABLE: readonly (readonly [Stage, StageEventType, Expected])[] = [
  ['idle', 'crq', 'plan_phase'],
  ['idle', 'plan', 'not_accepted_in_stage'],
  ['idle', 'code_ok', 'not_accepted_in_stage'],
  ['idle', 'build_ok', 'not_accepted_in_stage'],
  ['idle', 'tspec', 'not_accepted_in_stage'],
  ['idle', 'gt_ok', 'not_accepted_in_stage'],
  ['idle', 'build2_ok', 'not_accepted_in_stage'],
  ['idle', 'build_fail', 'regress'],
  ['idle', 'gt_fail', 'not_accepted_in_stage'],
  ['idle', 'cancel', 'regress'],

  ['plan_phase', 'crq', 'not_accepted_in_stage'],
  ['plan_phase', 'plan', 'code_phase'],
  ['plan_phase', 'code_ok', 'not_accepted_in_stage'],
  ['plan_phase', 'build_ok', 'not_accepted_in_stage'],
  ['plan_phase', 'tspec', 'not_accepted_in_stage'],
  ['plan_phase', 'gt_ok', 'not_accepted_in_stage'],
  ['plan_phase', 'build2_ok', 'not_accepted_in_stage'],
  ['plan_phase', 'build_fail', 'regress'],
  ['plan_phase', 'gt_fail', 'not_accepted_in_stage'],
  ['plan_phase', 'cancel', 'regress'],

  ['code_phase', 'crq', 'not_accepted_in_stage'],
  ['code_phase', 'plan', 'not_accepted_in_stage'],
  ['code_phase', 'code_ok', 'build1'],
  ['code_phase', 'build_ok', 'not_accepted_in_stage'],
  ['code_phase', 'tspec', 'not_accepted_in_stage'],
  ['code_phase', 'gt_ok', 'not_accepted_in_stage'],
  ['code_phase', 'build2_ok', 'not_accepted_in_stage'],
  ['code_phase', 'build_fail', 'regress'],
  ['code_phase', 'gt_fail', 'not_accepted_in_stage'],
  ['code_phase', 'cancel', 'regress'],

  ['build1', 'crq', 'not_accepted_in_stage'],
  ['build1', 'plan', 'not_accepted_in_stage'],
  ['build1', 'code_ok', 'not_accepted_in_stage'],
  ['build1', 'build_ok', 'test_plan'],
  ['build1', 'tspec', 'not_accepted_in_stage'],
  ['build1', 'gt_ok', 'not_accepted_in_stage'],
  ['build1', 'build2_ok', 'not_accepted_in_stage'],
  ['build1', 'build_fail', 'regress'],
  ['build1', 'gt_fail', 'not_accepted_in_stage'],
  ['build1', 'cancel', 'regress'],

  ['test_plan', 'crq', 'not_accepted_in_stage'],
  ['test_plan', 'plan', 'not_accepted_in_stage'],
  ['test_plan', 'code_ok', 'not_accepted_in_stage'],
  ['test_plan', 'build_ok', 'not_accepted_in_stage'],
  ['test_plan', 'tspec', 'test_build'],
  ['test_plan', 'gt_ok', 'not_accepted_in_stage'],
  ['test_plan', 'build2_ok', 'not_accepted_in_stage'],
  ['test_plan', 'build_fail', 'regress'],
  ['test_plan', 'gt_fail', 'not_accepted_in_stage'],
  ['test_plan', 'cancel', 'regress'],

  ['test_build', 'crq', 'not_accepted_in_stage'],
  ['test_build', 'plan', 'not_accepted_in_stage'],
  ['test_build', 'code_ok', 'not_accepted_in_stage'],
  ['test_build', 'build_ok', 'not_accepted_in_stage'],
  ['test_build', 'tspec', 'not_accepted_in_stage'],
  ['test_build', 'gt_ok', 'build2'],
  ['test_build', 'build2_ok', 'not_accepted_in_stage'],
  ['test_build', 'build_fail', 'regress'],
  ['test_build', 'gt_fail', 'regress'],
  ['test_build', 'cancel', 'regress'],

  ['build2', 'crq', 'not_accepted_in_stage'],
  ['build2', 'plan', 'not_accepted_in_stage'],
  ['build2', 'code_ok', 'not_accepted_in_stage'],
  ['build2', 'build_ok', 'not_accepted_in_stage'],
  ['build2', 'tspec', 'not_accepted_in_stage'],
  ['build2', 'gt_ok', 'not_accepted_in_stage'],
  ['build2', 'build2_ok', 'done'],
  ['build2', 'build_fail', 'regress'],
  ['build2', 'gt_fail', 'not_accepted_in_stage'],
  ['build2', 'cancel', 'regress'],

  ['done', 'crq', 'final_stage'],
  ['done', 'plan', 'final_stage'],
  ['done', 'code_ok', 'final_stage'],
  ['done', 'build_ok', 'final_stage'],
  ['done', 'tspec', 'final_stage'],
  ['done', 'gt_ok', 'final_stage'],
  ['done', 'build2_ok', 'final_stage'],
  ['done', 'build_fail', 'final_stage'],
  ['done', 'gt_fail', 'final_stage'],
  ['done', 'cancel', 'final_stage'],

  ['regress', 'crq', 'final_stage'],
  ['regress', 'plan', 'final_stage'],
  ['regress', 'code_ok', 'final_stage'],
  ['regress', 'build_ok', 'final_stage'],
  ['regress', 'tspec', 'final_stage'],
  ['regress', 'gt_ok', 'final_stage'],
  ['regress', 'build2_ok', 'final_stage'],
  ['regress', 'build_fail', 'final_stage'],
  ['regress', 'gt_fail', 'final_stage'],
  ['regress', 'cancel', 'final_stage'],
];

/** The command each stage issues on entry (regress's depends on the failure, checked separately). */
const ENTRY_COMMAND: Readonly<Record<Exclude<Stage, 'idle' | 'regress'>, StageAction>> = {
  plan_phase: { type: 'requestPlan' },
  code_phase: { type: 'dispatchTasks' },
  build1: { type: 'requestBuild', round: 1 },
  test_plan: { type: 'requestTestPlan' },
  test_build: { type: 'requestTestGeneration' },
  build2: { type: 'requestBuild', round: 2 },
  done: { type: 'completeRequest' },
};

function eventFor(stage: Stage, type: StageEventType): StageEvent {
  // Failures carry a reason naming the stage, so the test can see it travel into the regression.
  return type === 'build_fail' || type === 'gt_fail' || type === 'cancel'
    ? { type, reason: `${type} in ${stage}` }
    : { type };
}

describe('transition table', () => {
  it('has exactly one row for each of the 90 (stage, event) pairs', () => {
    expect(TABLE).toHaveLength(90);
    const pairs = new Set(TABLE.map(([stage, event]) => `${stage}/${event}`));
    expect(pairs.size).toBe(90);
    for (const stage of STAGES) for (const event of EVENT_TYPES) expect(pairs).toContain(`${stage}/${event}`);
  });

  it.each(TABLE)('%s + %s → %s', (stage, type, expected) => {
    const snapshot = snapshotIn(stage);
    const event = eventFor(stage, type);
    const result = step(snapshot, event);

    if (expected === 'final_stage' || expected === 'not_accepted_in_stage') {
      expect(result).toEqual({ accepted: false, snapshot, stage, reason: expected });
      expect(result.snapshot).toBe(snapshot);
      return;
    }

    expect(result.accepted).toBe(true);
    if (!result.accepted) return;
    expect(result.from).toBe(stage);
    expect(result.to).toBe(expected);
    expect(result.snapshot.value).toBe(expected);

    if (expected === 'regress') {
      const failure = { stage, event: type, reason: `${type} in ${stage}` };
      expect(result.snapshot.context).toEqual({ failure });
      expect(result.actions).toEqual([
        { type: 'raiseRegression', failedStage: stage, event: type, reason: `${type} in ${stage}` },
      ]);
    } else {
      expect(result.snapshot.context).toEqual({});
      expect(result.actions).toEqual(expected === 'idle' ? [] : [ENTRY_COMMAND[expected]]);
    }
  });

  it('records a failure without a reason as one without a reason key', () => {
    const result = step(snapshotIn('build1'), { type: 'build_fail' });
    expect(result.accepted && result.snapshot.context).toEqual({
      failure: { stage: 'build1', event: 'build_fail' },
    });
    expect(result.accepted && result.actions).toEqual([
      { type: 'raiseRegression', failedStage: 'build1', event: 'build_fail' },
    ]);
    expect(result.accepted && 'reason' in (result.snapshot.context.failure ?? {})).toBe(false);
  });
});
