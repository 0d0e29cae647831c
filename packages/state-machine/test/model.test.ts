import { getSimplePaths } from '@xstate/graph';
import { describe, expect, it } from 'vitest';
import {
  EVENT_TYPES,
  initialSnapshot,
  machine,
  STAGES,
  type StageEvent,
  stageOf,
  step,
} from '../src/index.js';

// One event of each type; failures with a reason (with/without makes no difference to the graph).
const EVENTS: StageEvent[] = EVENT_TYPES.map((type) =>
  type === 'build_fail' || type === 'gt_fail' || type === 'cancel' ? { type, reason: 'model' } : { type },
);

// A simple path from `idle` to every distinct (stage, context) the machine can reach. Contexts only
// differ in `regress` (which stage failed, by which event), so the vertices are:
//   idle … done                          8 (one path each: the happy path's prefixes)
//   regress after build_fail in idle … build2   7
//   regress after gt_fail in test_build         1
//   regress after cancel in idle … build2       7
const EXPECTED_PATHS = 23;

const paths = getSimplePaths(machine, { events: EVENTS });

/**
 * @xstate/graph starts every path with a synthetic `xstate.init` step into the initial state; that is
 * `initialSnapshot()` here, not an event anyone sends.
 */
function eventsOf(path: (typeof paths)[number]) {
  const [init, ...rest] = path.steps;
  expect(init?.event.type).toBe('xstate.init');
  expect(init && stageOf(init.state)).toBe('idle');
  return rest;
}

describe('model-based: every simple path of the machine through the pure step API', () => {
  it(`finds ${EXPECTED_PATHS} simple paths`, () => {
    expect(paths.length).toBeGreaterThan(0);
    expect(paths).toHaveLength(EXPECTED_PATHS);
  });

  it('reaches every stage', () => {
    const reached = new Set(paths.map((p) => stageOf(p.state)));
    expect([...reached].sort()).toEqual([...STAGES].sort());
  });

  it.each(paths.map((p) => [p.steps.map((s) => s.event.type).join(' → '), p] as const))(
    '%s',
    (_name, path) => {
      let snapshot = initialSnapshot();
      for (const { event, state } of eventsOf(path)) {
        const result = step(snapshot, event);
        expect(result.accepted, `${event.type} in ${stageOf(snapshot)}`).toBe(true);
        if (!result.accepted) return;
        expect(result.to).toBe(stageOf(state));
        snapshot = result.snapshot;
      }
      expect(stageOf(snapshot)).toBe(stageOf(path.state));
      expect(snapshot.context).toEqual(path.state.context);
    },
  );
});
