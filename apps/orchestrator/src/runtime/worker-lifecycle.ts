/**
 * The lifecycle of a partition worker, as data:
 *
 *   restoring ──restored──▶ ready ──commit_failed──▶ restoring
 *       │  ▲                  │
 *       │  └─restore_failed   └──fenced──▶ fenced ──still_owner──▶ restoring
 *       └──fenced──▶ fenced
 *   (any of restoring, ready, fenced) ──close──▶ closing ──closed──▶ closed
 *
 * - Only a transient failure (a transaction that failed for any reason but fencing) restores.
 * - Fenced means another producer took the partition's transactional id, normally the instance the
 *   group gave the partition to: the worker stops and waits for the group (the next assignment
 *   closes it). Only when the group confirms this instance still owns the partition (the fencer is
 *   outside the group) does it restore.
 * - A closing or closed worker never restores or commits again, whatever happens to the work still
 *   in flight when it was closed.
 */
export const WORKER_STATES = ['restoring', 'ready', 'fenced', 'closing', 'closed'] as const;
export type WorkerState = (typeof WORKER_STATES)[number];

export const WORKER_EVENTS = [
  'restored',
  'restore_failed',
  'commit_failed',
  'fenced',
  'still_owner',
  'close',
  'closed',
] as const;
export type WorkerEvent = (typeof WORKER_EVENTS)[number];

const TRANSITIONS: { readonly [S in WorkerState]: Partial<Record<WorkerEvent, WorkerState>> } = {
  restoring: { restored: 'ready', restore_failed: 'restoring', fenced: 'fenced', close: 'closing' },
  ready: { commit_failed: 'restoring', fenced: 'fenced', close: 'closing' },
  fenced: { still_owner: 'restoring', close: 'closing' },
  closing: { closed: 'closed' },
  closed: {},
};

/** The state after `event`, or undefined when the event means nothing in `state` (it is ignored). */
export function nextWorkerState(state: WorkerState, event: WorkerEvent): WorkerState | undefined {
  return TRANSITIONS[state][event];
}

/** The states from which a worker may still write to Kafka. */
export function canCommit(state: WorkerState): boolean {
  return state === 'ready';
}
