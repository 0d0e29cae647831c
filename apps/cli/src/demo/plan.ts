import { buildRequestId, FAIL_TARGETS, type FailTarget } from '../request-id.js';

/** What a demo request should end as. */
export interface ExpectedOutcome {
  stage: 'done' | 'regress';
  /** The RegressionTicket reason, for `regress`. */
  reason?: string;
  /** The stage the request was in when it failed, for `regress`. */
  failedStage?: string;
}

/**
 * Where each stub-agent failure marker makes a request end (see apps/mock-agents, "Failing on
 * purpose"): the orchestrator regresses it in the stage that was waiting, with that reason.
 */
export const EXPECTED_FAILURES: Record<FailTarget, Required<ExpectedOutcome>> = {
  coder: { stage: 'regress', failedStage: 'code_phase', reason: 'task_failed' },
  build1: { stage: 'regress', failedStage: 'build1', reason: 'build_failed' },
  precheck: { stage: 'regress', failedStage: 'test_build', reason: 'precheck_failed' },
  build2: { stage: 'regress', failedStage: 'build2', reason: 'build_failed' },
};

export function expectedOutcome(fail: FailTarget | undefined): ExpectedOutcome {
  return fail ? { ...EXPECTED_FAILURES[fail] } : { stage: 'done' };
}

/**
 * How many of `count` requests fail on purpose: from 8 on, enough to show every regress path once
 * (4) and about 20% in bigger runs; below 8, less than half, so most requests still succeed.
 */
export function failingCount(count: number): number {
  if (count < 8) return Math.floor(count / 2);
  return Math.max(FAIL_TARGETS.length, Math.round(count * 0.2));
}

export interface PlannedRequest {
  id: string;
  fail?: FailTarget;
  expected: ExpectedOutcome;
}

/**
 * The demo's requests: `runTag` makes the ids unique, the failing ones are spread evenly through
 * the run and cycle through coder, build1, precheck, build2.
 */
export function planRequests(count: number, runTag: string): PlannedRequest[] {
  const failing = failingCount(count);
  const failAt = new Map<number, FailTarget>();
  for (let k = 0; k < failing; k++) {
    const index = Math.min(count - 1, Math.floor(((k + 0.5) * count) / failing));
    failAt.set(index, FAIL_TARGETS[k % FAIL_TARGETS.length] as FailTarget);
  }
  const width = String(count).length;
  return Array.from({ length: count }, (_, i): PlannedRequest => {
    const fail = failAt.get(i);
    const id = buildRequestId({ id: `cr-${runTag}-${String(i + 1).padStart(width, '0')}`, fail });
    return fail
      ? { id, fail, expected: expectedOutcome(fail) }
      : { id, expected: expectedOutcome(undefined) };
  });
}
