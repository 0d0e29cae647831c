import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import {
  initialSnapshot,
  machine,
  type Stage,
  type StageAction,
  type StageEvent,
  type StageSnapshot,
  stageOf,
  step,
} from '../src/index.js';

/** Sends one event through the pure API, insisting it is accepted (as the Python sketch's triggers do). */
function fire(
  snapshot: StageSnapshot,
  event: StageEvent,
): { snapshot: StageSnapshot; actions: StageAction[] } {
  const result = step(snapshot, event);
  if (!result.accepted) throw new Error(`${event.type} refused in ${result.stage}: ${result.reason}`);
  return result;
}

// Port of the reference design's test_ok_flow, with the stage asserted after every step.
const HAPPY_PATH: [StageEvent, Stage][] = [
  [{ type: 'crq' }, 'plan_phase'],
  [{ type: 'plan' }, 'code_phase'],
  [{ type: 'code_ok' }, 'build1'],
  [{ type: 'build_ok' }, 'test_plan'],
  [{ type: 'tspec' }, 'test_build'],
  [{ type: 'gt_ok' }, 'build2'],
  [{ type: 'build2_ok' }, 'done'],
];

describe('ok flow (reference test_ok_flow)', () => {
  it('starts idle', () => {
    expect(stageOf(initialSnapshot())).toBe('idle');
  });

  it('walks idle → plan_phase → … → done', () => {
    let snapshot = initialSnapshot();
    for (const [event, expected] of HAPPY_PATH) {
      snapshot = fire(snapshot, event).snapshot;
      expect(stageOf(snapshot)).toBe(expected);
    }
    expect(stageOf(snapshot)).toBe('done');
    expect(snapshot.status).toBe('done');
    expect(snapshot.context).toEqual({});
  });

  it('returns every command of the happy path in order, as plain data', () => {
    let snapshot = initialSnapshot();
    const commands: StageAction[] = [];
    for (const [event] of HAPPY_PATH) {
      const result = fire(snapshot, event);
      snapshot = result.snapshot;
      commands.push(...result.actions);
    }
    expect(commands).toEqual([
      { type: 'requestPlan' },
      { type: 'dispatchTasks' },
      { type: 'requestBuild', round: 1 },
      { type: 'requestTestPlan' },
      { type: 'requestTestGeneration' },
      { type: 'requestBuild', round: 2 },
      { type: 'completeRequest' },
    ]);
    expect(JSON.parse(JSON.stringify(commands))).toEqual(commands);
  });

  it('runs the same commands when an actor executes provided implementations', () => {
    const executed: string[] = [];
    const live = machine.provide({
      actions: {
        requestPlan: () => executed.push('requestPlan'),
        dispatchTasks: () => executed.push('dispatchTasks'),
        requestBuild: (_, params) => executed.push(`requestBuild:${params.round}`),
        requestTestPlan: () => executed.push('requestTestPlan'),
        requestTestGeneration: () => executed.push('requestTestGeneration'),
        completeRequest: () => executed.push('completeRequest'),
      },
    });
    const actor = createActor(live).start();
    for (const [event] of HAPPY_PATH) actor.send(event);
    expect(actor.getSnapshot().value).toBe('done');
    expect(executed).toEqual([
      'requestPlan',
      'dispatchTasks',
      'requestBuild:1',
      'requestTestPlan',
      'requestTestGeneration',
      'requestBuild:2',
      'completeRequest',
    ]);
  });
});
