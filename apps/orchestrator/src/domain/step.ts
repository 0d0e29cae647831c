// What deciding comes to: a step per input record (or per request, for a sweep), and a batch's plan of
// steps. Its own file so that chunk.ts (which sizes steps) and decide-batch.ts (which makes them) both
// depend on it instead of on each other.

import type { DeadLetterReason } from '@pipeline/contracts';
import type { OutboundRecord } from '@pipeline/kafka/records';
import type { RequestRecord } from './request-record.js';
import type { StageChange } from './route.js';

/** What happened to one message or one request, for metrics and logs once the batch committed. */
export type Effect =
  | {
      kind: 'applied';
      requestId: string;
      topic: string;
      change?: StageChange;
      producedAt?: number;
      commands: string[];
    }
  | RejectedEffect
  | { kind: 'forwarded'; requestId: string; topic: string; toPartition: number }
  /** A keyless reply handed to the partition of the alias it names: only its owner can correlate it. */
  | { kind: 'hopped'; requestId?: undefined; alias: string; topic: string; toPartition: number }
  /** Read and committed, changing nothing: progress for a stage the request has left. */
  | { kind: 'ignored'; requestId: string; topic: string; detail: string };

/** A message that changed nothing and went to the dead-letter topic. */
export interface RejectedEffect {
  kind: 'rejected';
  requestId?: string;
  topic: string;
  reason: DeadLetterReason;
  detail: string;
}

/**
 * What deciding one input record (or one request, for a sweep) comes to: records on logical topics
 * (commands, tickets, dead letters, forwarded replies), the new state of every request it changed
 * and of every request it forgot, and what happened, for metrics and logs after the commit. A
 * transaction carries whole steps, never part of one.
 */
export interface Step {
  /** The input record decided; undefined for a sweep's steps. */
  offset?: string;
  records: OutboundRecord[];
  updated: Map<string, RequestRecord>;
  /** Finished requests whose retention ran out: their state is tombstoned. */
  forgotten: string[];
  effects: Effect[];
}

/** A batch's steps, and all of them together (the last version of each request). */
export interface BatchPlan extends Step {
  steps: Step[];
  /**
   * The offset of a keyless reply that named no known request while this instance may not have read
   * every state partition yet: nothing from it on is decided; it is read again once they are.
   */
  halted?: string;
}

export function emptyPlan(): BatchPlan {
  return { steps: [], records: [], updated: new Map(), forgotten: [], effects: [] };
}

export function newStep(offset?: string): Step {
  return {
    ...(offset === undefined ? {} : { offset }),
    records: [],
    updated: new Map(),
    forgotten: [],
    effects: [],
  };
}

/** Appends a decided step to the plan. */
export function addStep(plan: BatchPlan, step: Step): void {
  plan.steps.push(step);
  plan.records.push(...step.records);
  for (const [id, record] of step.updated) plan.updated.set(id, record);
  plan.forgotten.push(...step.forgotten);
  plan.effects.push(...step.effects);
}
