import { describe, expect, it } from 'vitest';
import {
  fromPersisted,
  initialSnapshot,
  machine,
  STAGES,
  type Stage,
  type StageEvent,
  type StageSnapshot,
  StateMachineError,
  stageOf,
  step,
  toPersisted,
} from '../src/index.js';

// How to reach each stage for real (not via fromPersisted), so the round trip starts from snapshots
// the machine itself produced.
const ROUTE: Readonly<Record<Stage, readonly StageEvent[]>> = {
  idle: [],
  plan_phase: [{ type: 'crq' }],
  code_phase: [{ type: 'crq' }, { type: 'plan' }],
  build1: [{ type: 'crq' }, { type: 'plan' }, { type: 'code_ok' }],
  test_plan: [{ type: 'crq' }, { type: 'plan' }, { type: 'code_ok' }, { type: 'build_ok' }],
  test_build: [
    { type: 'crq' },
    { type: 'plan' },
    { type: 'code_ok' },
    { type: 'build_ok' },
    { type: 'tspec' },
  ],
  build2: [
    { type: 'crq' },
    { type: 'plan' },
    { type: 'code_ok' },
    { type: 'build_ok' },
    { type: 'tspec' },
    { type: 'gt_ok' },
  ],
  done: [
    { type: 'crq' },
    { type: 'plan' },
    { type: 'code_ok' },
    { type: 'build_ok' },
    { type: 'tspec' },
    { type: 'gt_ok' },
    { type: 'build2_ok' },
  ],
  regress: [{ type: 'crq' }, { type: 'plan' }, { type: 'build_fail', reason: 'deadline passed' }],
};

// The event that moves each non-final stage on along the happy path.
const NEXT: Readonly<Record<Stage, StageEvent | undefined>> = {
  idle: { type: 'crq' },
  plan_phase: { type: 'plan' },
  code_phase: { type: 'code_ok' },
  build1: { type: 'build_ok' },
  test_plan: { type: 'tspec' },
  test_build: { type: 'gt_ok' },
  build2: { type: 'build2_ok' },
  done: undefined,
  regress: undefined,
};

function reach(stage: Stage): StageSnapshot {
  let snapshot = initialSnapshot();
  for (const event of ROUTE[stage]) {
    const result = step(snapshot, event);
    if (!result.accepted) throw new Error(`route to ${stage} broken at ${event.type}`);
    snapshot = result.snapshot;
  }
  expect(stageOf(snapshot)).toBe(stage);
  return snapshot;
}

function roundTrip(snapshot: StageSnapshot): StageSnapshot {
  return fromPersisted(JSON.parse(JSON.stringify(toPersisted(snapshot))));
}

function expectInvalid(input: unknown, message: RegExp): void {
  let thrown: unknown;
  try {
    fromPersisted(input);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(StateMachineError);
  expect(thrown).toMatchObject({ code: 'INVALID_SNAPSHOT', canRetry: false, name: 'StateMachineError' });
  expect((thrown as Error).message).toMatch(message);
}

describe('persistence', () => {
  it.each(STAGES)('round-trips a snapshot in %s through JSON', (stage) => {
    const original = reach(stage);
    const persisted = toPersisted(original);
    expect(JSON.parse(JSON.stringify(persisted))).toEqual(persisted);

    const restored = roundTrip(original);
    expect(restored.value).toBe(original.value);
    expect(restored.context).toEqual(original.context);
    expect(restored.status).toBe(original.status);
    expect(toPersisted(restored)).toEqual(persisted);
  });

  it.each(STAGES)('a restored snapshot in %s keeps working like the original', (stage) => {
    const original = reach(stage);
    const restored = roundTrip(original);
    const next = NEXT[stage];
    if (next === undefined) {
      expect(step(restored, { type: 'build_fail' })).toMatchObject({
        accepted: false,
        reason: 'final_stage',
      });
      return;
    }
    const fromOriginal = step(original, next);
    const fromRestored = step(restored, next);
    expect(fromRestored.accepted).toBe(true);
    if (!fromOriginal.accepted || !fromRestored.accepted) return;
    expect(fromRestored.to).toBe(fromOriginal.to);
    expect(fromRestored.actions).toEqual(fromOriginal.actions);
    expect(fromRestored.snapshot.context).toEqual(fromOriginal.snapshot.context);

    const failed = step(restored, { type: 'build_fail', reason: 'after restore' });
    expect(failed.accepted && failed.actions).toEqual([
      { type: 'raiseRegression', failedStage: stage, event: 'build_fail', reason: 'after restore' },
    ]);
  });

  it('keeps the failure of a regress snapshot', () => {
    expect(toPersisted(reach('regress'))).toEqual({
      value: 'regress',
      context: { failure: { stage: 'code_phase', event: 'build_fail', reason: 'deadline passed' } },
    });
  });

  it("also accepts xstate's own persisted form", () => {
    const original = reach('test_build');
    const xstateForm = JSON.parse(JSON.stringify(machine.getPersistedSnapshot(original)));
    expect(xstateForm).toHaveProperty('status', 'active');
    expect(fromPersisted(xstateForm).value).toBe('test_build');
  });

  it('returns a copy: mutating the persisted form does not touch the snapshot', () => {
    const original = reach('regress');
    const persisted = toPersisted(original);
    if (persisted.context.failure) persisted.context.failure.reason = 'changed';
    expect(original.context.failure?.reason).toBe('deadline passed');
  });

  describe('rejects input the machine cannot have produced with INVALID_SNAPSHOT', () => {
    const failure = { stage: 'build1', event: 'build_fail' };
    it.each([
      ['null', null, /not an object/],
      ['a string', 'idle', /not an object/],
      ['an array', ['idle'], /not an object/],
      ['a number', 42, /not an object/],
      ['an unknown stage', { value: 'deploy', context: {} }, /unknown stage "deploy"/],
      ['a nested state value', { value: { idle: 'x' }, context: {} }, /unknown stage/],
      ['a missing stage', { context: {} }, /unknown stage/],
      ['a missing context', { value: 'idle' }, /context is not an object/],
      ['an unknown context key', { value: 'idle', context: { extra: 1 } }, /unexpected key.*extra/],
      ['regress without failure', { value: 'regress', context: {} }, /regress without/],
      ['failure outside regress', { value: 'build1', context: { failure } }, /failure in stage build1/],
      ['failure not an object', { value: 'regress', context: { failure: 'x' } }, /not an object/],
      [
        'failure in an unknown stage',
        { value: 'regress', context: { failure: { ...failure, stage: 'deploy' } } },
        /failure.stage/,
      ],
      [
        'failure in a final stage',
        { value: 'regress', context: { failure: { ...failure, stage: 'done' } } },
        /failure.stage/,
      ],
      [
        'an unknown failure event',
        { value: 'regress', context: { failure: { ...failure, event: 'crq' } } },
        /failure.event/,
      ],
      [
        'gt_fail outside test_build',
        { value: 'regress', context: { failure: { ...failure, event: 'gt_fail' } } },
        /gt_fail cannot happen in build1/,
      ],
      [
        'a non-string reason',
        { value: 'regress', context: { failure: { ...failure, reason: 7 } } },
        /reason is not a string/,
      ],
      [
        'an unknown failure key',
        { value: 'regress', context: { failure: { ...failure, at: 1 } } },
        /unexpected key.*at/,
      ],
    ] as const)('%s', (_name, input, message) => {
      expectInvalid(input, message);
    });
  });
});

describe('carryProblem and MACHINE_VERSION', () => {
  it('says why the machine cannot carry a snapshot, and nothing for one it can', async () => {
    const { carryProblem, MACHINE_VERSION, toPersisted, initialSnapshot } = await import('../src/index.js');
    expect(MACHINE_VERSION).toMatch(/^[0-9a-f]{12}$/);
    expect(carryProblem(toPersisted(initialSnapshot()))).toBeUndefined();
    expect(carryProblem({ value: 'review_phase', context: {} })).toMatch(/unknown stage "review_phase"/);
    expect(carryProblem({ value: 'build1', context: { approvals: 1 } })).toMatch(
      /unexpected key\(s\) in context: approvals/,
    );
  });
});
