import { describe, expect, it } from 'vitest';
import {
  acceptedEvents,
  EVENT_TYPES,
  FINAL_STAGES,
  initialSnapshot,
  isFinal,
  STAGES,
  type StageEvent,
  step,
} from '../src/index.js';
import { snapshotIn } from './helpers.js';

const NON_FINAL = STAGES.filter((s) => !(FINAL_STAGES as readonly string[]).includes(s));

function event(type: (typeof EVENT_TYPES)[number]): StageEvent {
  return { type };
}

describe('rejected events', () => {
  describe.each(NON_FINAL)('in %s', (stage) => {
    const refused = EVENT_TYPES.filter((type) => !acceptedEvents(stage).includes(type));

    it('refuses every event it does not accept, reporting it and keeping the same snapshot', () => {
      expect(refused.length).toBeGreaterThan(0);
      for (const type of refused) {
        const snapshot = snapshotIn(stage);
        const result = step(snapshot, event(type));
        expect(result).toEqual({ accepted: false, snapshot, stage, reason: 'not_accepted_in_stage' });
        expect(result.snapshot).toBe(snapshot);
      }
    });

    it('accepts build_fail (every non-final stage can fail)', () => {
      expect(acceptedEvents(stage)).toContain('build_fail');
      expect(step(snapshotIn(stage), event('build_fail')).accepted).toBe(true);
    });

    it('is not final', () => {
      expect(isFinal(snapshotIn(stage))).toBe(false);
    });
  });

  describe.each(FINAL_STAGES)('in final stage %s', (stage) => {
    it.each(EVENT_TYPES)('refuses %s with final_stage', (type) => {
      const snapshot = snapshotIn(stage);
      const result = step(snapshot, { type, reason: 'late' } as StageEvent);
      expect(result).toEqual({ accepted: false, snapshot, stage, reason: 'final_stage' });
      expect(result.snapshot).toBe(snapshot);
    });

    it('accepts nothing and is final', () => {
      expect(acceptedEvents(stage)).toEqual([]);
      expect(isFinal(snapshotIn(stage))).toBe(true);
      expect(snapshotIn(stage).status).toBe('done');
    });
  });

  it('accepts gt_fail only in test_build', () => {
    expect(STAGES.filter((s) => acceptedEvents(s).includes('gt_fail'))).toEqual(['test_build']);
  });

  it('never throws on events that are not events at all', () => {
    const snapshot = initialSnapshot();
    const garbage: unknown[] = [null, undefined, 'crq', 42, {}, { type: 'deploy' }, { type: 7 }, []];
    for (const bad of garbage) {
      const result = step(snapshot, bad as StageEvent);
      expect(result).toEqual({ accepted: false, snapshot, stage: 'idle', reason: 'not_accepted_in_stage' });
    }
  });

  it('does not let a refused event change the snapshot it was given', () => {
    const snapshot = snapshotIn('build1');
    const before = JSON.stringify(snapshot);
    step(snapshot, event('crq'));
    step(snapshot, event('gt_fail'));
    expect(JSON.stringify(snapshot)).toBe(before);
  });
});
