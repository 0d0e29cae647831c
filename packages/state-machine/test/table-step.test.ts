import { describe, expect, it } from 'vitest';
import {
  EVENT_TYPES,
  FAILURE_EVENT_TYPES,
  fromPersisted,
  type PersistedStageSnapshot,
  type PersistedStep,
  STAGES,
  type StageEvent,
  step,
  stepPersisted,
  toPersisted,
} from '../src/index.js';

// stepPersisted (the table derived from the machine) against the machine itself (xstate's step on
// the live snapshot): the same answer for every stage, every event, with and without a reason, and
// for events that are no events at all.

function byXstate(machine: PersistedStageSnapshot, event: StageEvent): PersistedStep {
  const result = step(fromPersisted(machine), event);
  if (!result.accepted) return { accepted: false, stage: result.stage, reason: result.reason };
  return {
    accepted: true,
    machine: toPersisted(result.snapshot),
    from: result.from,
    to: result.to,
    actions: result.actions,
  };
}

/** Every persisted snapshot the machine can be in: each stage, regress with each failure it can record. */
const snapshots: PersistedStageSnapshot[] = [
  ...STAGES.filter((s) => s !== 'regress').map((value) => ({ value, context: {} })),
  ...FAILURE_EVENT_TYPES.map((event) => ({
    value: 'regress' as const,
    context: {
      failure: {
        stage: event === 'gt_fail' ? ('test_build' as const) : ('build1' as const),
        event,
        reason: 'why',
      },
    },
  })),
];

const events: unknown[] = [
  ...EVENT_TYPES.map((type) => ({ type })),
  ...FAILURE_EVENT_TYPES.map((type) => ({ type, reason: 'the build was red' })),
  { type: 'nonsense' },
  { type: 42 },
  null,
];

describe('stepPersisted', () => {
  for (const machine of snapshots) {
    it(`answers as the machine does in ${machine.value}${machine.context.failure ? ` (${machine.context.failure.event})` : ''}`, () => {
      for (const event of events) {
        expect(stepPersisted(machine, event as StageEvent), JSON.stringify(event)).toStrictEqual(
          byXstate(machine, event as StageEvent),
        );
      }
    });
  }

  it('gives fresh objects: changing a result changes neither the table nor the snapshot stepped', () => {
    const machine: PersistedStageSnapshot = { value: 'code_phase', context: {} };
    const first = stepPersisted(machine, { type: 'code_ok' });
    if (!first.accepted) throw new Error('expected a step');
    (first.actions[0] as { round?: number }).round = 99;
    first.machine.context.failure = { stage: 'build1', event: 'build_fail' };
    const second = stepPersisted(machine, { type: 'code_ok' });
    expect(second).toStrictEqual(byXstate(machine, { type: 'code_ok' }));
    expect(machine).toStrictEqual({ value: 'code_phase', context: {} });
  });
});
