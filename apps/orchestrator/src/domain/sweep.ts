import type { Stage } from '@pipeline/state-machine';
import { apply } from './decide-batch.js';
import { isFinished, type RequestRecord, stageOf } from './request-record.js';
import { expire, type StageLimits } from './route.js';
import { addStep, type BatchPlan, emptyPlan, newStep } from './step.js';

export interface SweepPolicy {
  /** A stage's limits: idle (since the last sign of life) and hard maximum; undefined = none. */
  deadlineFor: (stage: Stage) => StageLimits | undefined;
  /** How long finished requests are kept before their state is forgotten (ms). */
  retentionMs: number;
  /**
   * At most this many requests are regressed or forgotten per sweep; the rest wait for the next one.
   * After a long downtime thousands are due at once, and one sweep holds the partition's queue.
   */
  maxPerSweep: number;
  /** ORCH_APPROVAL_TIMEOUT: how long a request may wait for an approval before it is rejected. */
  approvalTimeoutMs?: number;
  /** ORCH_RETRY: a missed deadline is retried like any failure. */
  retryPolicy?: Partial<Record<Stage, number>>;
  /** Fresh random bits for a retried request's new build ids. */
  nonce?: () => string;
}

/**
 * The periodic decisions of one partition, planned like a batch (there are no input offsets to
 * commit): requests past their stage deadline regress, finished ones past retention are forgotten.
 * One step per request.
 */
export function decideSweep(
  records: Iterable<RequestRecord>,
  policy: SweepPolicy,
  now: number,
  /** Every input written before this time has been read (undefined: not yet): deadlines wait for it. */
  readHorizon: number | undefined,
): BatchPlan {
  const plan = emptyPlan();
  for (const record of records) {
    if (plan.steps.length >= policy.maxPerSweep) break;
    const step = newStep();
    if (isFinished(record)) {
      if (now - record.updatedAt > policy.retentionMs) step.forgotten.push(record.requestId);
    } else {
      const limits = {
        ...policy.deadlineFor(stageOf(record)),
        ...(policy.approvalTimeoutMs === undefined ? {} : { approvalMs: policy.approvalTimeoutMs }),
      };
      const result =
        readHorizon === undefined
          ? undefined
          : expire(record, limits, {
              now,
              asOf: readHorizon,
              ...(policy.retryPolicy ? { retryPolicy: policy.retryPolicy } : {}),
              ...(policy.nonce ? { nonce: policy.nonce() } : {}),
            });
      if (result?.kind === 'applied') apply(step, record.requestId, 'deadline', result, now);
    }
    if (step.forgotten.length > 0 || step.updated.size > 0) addStep(plan, step);
  }
  return plan;
}
