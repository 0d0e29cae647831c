import { describe, expect, it } from 'vitest';
import {
  canCommit,
  nextWorkerState,
  WORKER_EVENTS,
  WORKER_STATES,
  type WorkerEvent,
  type WorkerState,
} from '../src/runtime/worker-lifecycle.js';

// Every (state, event) pair of the partition worker's lifecycle, like the stage machine's table: a
// change to the lifecycle must change this table on purpose.
const TABLE: Record<WorkerState, Record<WorkerEvent, WorkerState | undefined>> = {
  restoring: {
    restored: 'ready',
    restore_failed: 'restoring',
    commit_failed: undefined,
    fenced: 'fenced',
    still_owner: undefined,
    close: 'closing',
    closed: undefined,
  },
  ready: {
    restored: undefined,
    restore_failed: undefined,
    commit_failed: 'restoring',
    fenced: 'fenced',
    still_owner: undefined,
    close: 'closing',
    closed: undefined,
  },
  fenced: {
    restored: undefined,
    restore_failed: undefined,
    commit_failed: undefined,
    fenced: undefined,
    still_owner: 'restoring',
    close: 'closing',
    closed: undefined,
  },
  closing: {
    restored: undefined,
    restore_failed: undefined,
    commit_failed: undefined,
    fenced: undefined,
    still_owner: undefined,
    close: undefined,
    closed: 'closed',
  },
  closed: {
    restored: undefined,
    restore_failed: undefined,
    commit_failed: undefined,
    fenced: undefined,
    still_owner: undefined,
    close: undefined,
    closed: undefined,
  },
};

describe('partition worker lifecycle', () => {
  const pairs = WORKER_STATES.flatMap((state) => WORKER_EVENTS.map((event) => [state, event] as const));

  it.each(pairs)('%s + %s', (state, event) => {
    expect(nextWorkerState(state, event)).toBe(TABLE[state][event]);
  });

  it('never leaves closing or closed except to closed, and only ready commits', () => {
    for (const event of WORKER_EVENTS) {
      expect(nextWorkerState('closed', event)).toBeUndefined();
      expect([undefined, 'closed']).toContain(nextWorkerState('closing', event));
    }
    expect(WORKER_STATES.filter(canCommit)).toEqual(['ready']);
  });

  it('restores only after a transient failure or when the group confirms the partition', () => {
    const intoRestoring = pairs
      .filter(([s, e]) => nextWorkerState(s, e) === 'restoring')
      .map(([s, e]) => `${s}+${e}`);
    expect(intoRestoring.sort()).toEqual([
      'fenced+still_owner',
      'ready+commit_failed',
      'restoring+restore_failed',
    ]);
  });
});
