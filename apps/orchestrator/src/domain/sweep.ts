import type { Stage } from '@pipeline/state-machine';
import { apply, type BatchPlan, emptyPlan } from './decide-batch.js';
import { isFinished, type RequestRecord, stageOf } from './request-record.js';
import { expire } from './route.js';

export interface SweepPolicy {
  /** How long a request may stay in a stage (ms); undefined = no deadline. */
  deadlineFor: (stage: Stage) => number | undefined;
  /** How long finished requests are kept before their state is forgotten (ms). */
  retentionMs: number;
}

/**
 * The periodic decisions of one partition, planned like a batch (there are no input offsets to
 * commit): requests past their stage deadline regress, finished ones past retention are forgotten.
 */
export function decideSweep(records: Iterable<RequestRecord>, policy: SweepPolicy, now: number): BatchPlan {
  const plan = emptyPlan();
  for (const record of records) {
    if (isFinished(record)) {
      if (now - record.updatedAt > policy.retentionMs) plan.forgotten.push(record.requestId);
      continue;
    }
    const deadline = policy.deadlineFor(stageOf(record));
    if (deadline === undefined) continue;
    const result = expire(record, deadline, { now });
    if (result?.kind === 'applied') apply(plan, record.requestId, 'deadline', result, now);
  }
  return plan;
}
