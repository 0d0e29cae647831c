import type { RegressionReason } from '@pipeline/contracts';
import type { Stage } from '@pipeline/state-machine';
import type { AgentRole } from '@pipeline/topics';
import type { FailureTarget } from './markers.js';

/** Where a marked request ends: regressed, in the stage that was waiting, with its ticket's reason. */
export interface MarkedRegression {
  stage: 'regress';
  /** The stage the request was in when it failed (RegressionTicket.failed_stage). */
  failedStage: Stage;
  /** RegressionTicket.reason. */
  reason: RegressionReason;
}

/** The stage that waits for each role's answer (a silent role's deadline fires there). */
const STAGE_WAITING_FOR: { readonly [R in AgentRole]: Stage } = {
  planner: 'plan_phase',
  coder: 'code_phase',
  builder: 'build1',
  'test-planner': 'test_plan',
  'test-generator': 'test_build',
};

const regress = (failedStage: Stage, reason: RegressionReason): MarkedRegression => ({
  stage: 'regress',
  failedStage,
  reason,
});

/**
 * How the orchestrator ends a request that carries each marker: a failed status regresses it in the
 * stage that waited for the answer; a silent role leaves it there until the stage deadline.
 */
export const MARKED_REGRESSIONS: { readonly [T in FailureTarget]: Readonly<MarkedRegression> } = {
  coder: regress('code_phase', 'task_failed'),
  build1: regress('build1', 'build_failed'),
  precheck: regress('test_build', 'precheck_failed'),
  build2: regress('build2', 'build_failed'),
  'silent-planner': regress(STAGE_WAITING_FOR.planner, 'deadline_exceeded'),
  'silent-coder': regress(STAGE_WAITING_FOR.coder, 'deadline_exceeded'),
  'silent-builder': regress(STAGE_WAITING_FOR.builder, 'deadline_exceeded'),
  'silent-test-planner': regress(STAGE_WAITING_FOR['test-planner'], 'deadline_exceeded'),
  'silent-test-generator': regress(STAGE_WAITING_FOR['test-generator'], 'deadline_exceeded'),
};

/** Where a request marked with `target` ends (a fresh object the caller may keep or change). */
export function markedRegression(target: FailureTarget): MarkedRegression {
  return { ...MARKED_REGRESSIONS[target] };
}
