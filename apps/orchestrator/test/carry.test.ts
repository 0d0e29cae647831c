// Issue 13, versioned machines: a state record whose unfinished request the current machine cannot
// resume is not read as if it could be: restore blocks its partition and names it (restore.ts).
import { MACHINE_VERSION } from '@pipeline/state-machine';
import { describe, expect, it } from 'vitest';
import { decodeState } from '../src/domain/state-record.js';

const state = (machine: object, stage: string) =>
  Buffer.from(
    JSON.stringify({
      v: 1,
      requestId: 'cr-old',
      change: { requester: '', repo: 'r', branch: '', description: '' },
      machine,
      machineVersion: 'abcdef012345',
      tasks: [],
      history: [{ stage: 'idle', at: 1 }],
      createdAt: 1,
      updatedAt: 1,
      stage,
    }),
  );

describe('state records the machine cannot carry', () => {
  it('are refused with the machine versions and why', () => {
    const decoded = decodeState(state({ value: 'build1', context: { approvals: 2 } }, 'build1'));
    expect(decoded).toEqual({
      ok: false,
      why: `started on machine abcdef012345, machine ${MACHINE_VERSION} cannot carry it: invalid persisted change-request snapshot: unexpected key(s) in context: approvals`,
    });
  });

  it('are read when the machine can resume them; a finished request is never resumed, so always read', () => {
    expect(decodeState(state({ value: 'build1', context: {} }, 'build1')).ok).toBe(true);
    expect(decodeState(state({ value: 'done', context: { approvals: 2 } }, 'done')).ok).toBe(true);
  });
});
