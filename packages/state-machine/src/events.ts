/**
 * The events (the reference design's transition triggers) that move a change request between
 * stages. The order is the order in which the happy path uses them, failures last.
 */
export const EVENT_TYPES = [
  'crq',
  'plan',
  'code_ok',
  'build_ok',
  'tspec',
  'gt_ok',
  'build2_ok',
  'build_fail',
  'gt_fail',
  'cancel',
] as const;

/** Alias under the reference design's name: every event names exactly one kind of transition. */
export const TRANSITIONS = EVENT_TYPES;

export type StageEventType = (typeof EVENT_TYPES)[number];

/**
 * The events that end a change request in `regress`. `build_fail` is what the orchestrator sends for
 * ANY failure it sees (failed task, failed build, missed deadline); `gt_fail` is a failed precheck of
 * the generated tests; `cancel` (added) ends it from outside: an operator's cancel, a spent budget.
 */
export const FAILURE_EVENT_TYPES = [
  'build_fail',
  'gt_fail',
  'cancel',
] as const satisfies readonly StageEventType[];

export type FailureEventType = (typeof FAILURE_EVENT_TYPES)[number];

/**
 * One event for the machine. Only failures carry data: a human-readable `reason` that ends up in the
 * regression ticket, optional because a failure without an explanation must still stop the request.
 */
export type StageEvent =
  | { type: 'crq' }
  | { type: 'plan' }
  | { type: 'code_ok' }
  | { type: 'build_ok' }
  | { type: 'tspec' }
  | { type: 'gt_ok' }
  | { type: 'build2_ok' }
  | { type: 'build_fail'; reason?: string }
  | { type: 'gt_fail'; reason?: string }
  | { type: 'cancel'; reason?: string };

const eventTypeSet: ReadonlySet<string> = new Set(EVENT_TYPES);

/** Narrows untrusted strings (messages off a topic) to an event name. */
export function isStageEventType(value: unknown): value is StageEventType {
  return typeof value === 'string' && eventTypeSet.has(value);
}
