import type { RegressionReason } from '@pipeline/contracts';
import type { Stage } from '@pipeline/state-machine';
import { FAILING_TARGETS, type FailingTarget, withFailureMarker } from './markers.js';
import { markedRegression } from './outcomes.js';

// A run of change requests with failures spread through it, for the demo and the fault suite: each
// request knows where it should end, so a run can be checked request by request.

/** What a planned request should end as: `done`, or where its failure marker makes it regress. */
export interface ExpectedOutcome {
  stage: 'done' | 'regress';
  /** The RegressionTicket reason, for `regress`. */
  reason?: RegressionReason;
  /** The stage the request was in when it failed, for `regress`. */
  failedStage?: Stage;
}

export function expectedOutcome(fail: FailingTarget | undefined): ExpectedOutcome {
  return fail ? markedRegression(fail) : { stage: 'done' };
}

/**
 * How many of `count` requests fail on purpose: from 8 on, enough to show every regress path once
 * (4) and about 20% in bigger runs; below 8, less than half, so most requests still succeed.
 */
export function failingCount(count: number): number {
  if (count < 8) return Math.floor(count / 2);
  return Math.max(FAILING_TARGETS.length, Math.round(count * 0.2));
}

export interface PlannedRequest {
  id: string;
  fail?: FailingTarget;
  expected: ExpectedOutcome;
}

/**
 * `count` requests: `runTag` makes the ids unique, the failing ones are spread evenly through
 * the run and cycle through the failing targets in pipeline order (coder, build1, precheck, build2).
 */
export function planRequests(count: number, runTag: string): PlannedRequest[] {
  const failing = failingCount(count);
  const failAt = new Map<number, FailingTarget>();
  for (let k = 0; k < failing; k++) {
    const index = Math.min(count - 1, Math.floor(((k + 0.5) * count) / failing));
    failAt.set(index, FAILING_TARGETS[k % FAILING_TARGETS.length] as FailingTarget);
  }
  const width = String(count).length;
  return Array.from({ length: count }, (_, i): PlannedRequest => {
    const fail = failAt.get(i);
    const base = `cr-${runTag}-${String(i + 1).padStart(width, '0')}`;
    return fail
      ? { id: withFailureMarker(base, fail), fail, expected: expectedOutcome(fail) }
      : { id: base, expected: expectedOutcome(undefined) };
  });
}
