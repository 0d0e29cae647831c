import { initialTransition, transition } from 'xstate';
import { STAGE_TRANSITIONS } from './definition.js';
import { EVENT_TYPES, isStageEventType, type StageEvent, type StageEventType } from './events.js';
import { machine, type RegressionParams, type StageSnapshot } from './machine.js';
import { isFinalStage, type Stage } from './stages.js';

/**
 * A command the orchestrator must carry out after a step. Plain data (no functions, no xstate
 * objects) so it can be logged, queued and sent over a topic as it is.
 */
export type StageAction =
  | { type: 'requestPlan' }
  | { type: 'dispatchTasks' }
  | { type: 'requestBuild'; round: 1 | 2 }
  | { type: 'requestTestPlan' }
  | { type: 'requestTestGeneration' }
  | { type: 'completeRequest' }
  | ({ type: 'raiseRegression' } & RegressionParams);

export type StageActionType = StageAction['type'];

/**
 * Why an event was refused. Refusals are results, not errors: an event arriving late or twice is
 * normal for a distributed orchestrator and must be visible without a try/catch.
 */
export type RefusalReason = 'final_stage' | 'not_accepted_in_stage';

export type StepResult =
  | { accepted: true; snapshot: StageSnapshot; from: Stage; to: Stage; actions: StageAction[] }
  | { accepted: false; snapshot: StageSnapshot; stage: Stage; reason: RefusalReason };

/** The snapshot of a new change request: `idle`, no commands to run yet. */
export function initialSnapshot(): StageSnapshot {
  const [snapshot] = initialTransition(machine);
  return snapshot;
}

/** The stage a snapshot is in. The machine is flat, so its state value is always one stage name. */
export function stageOf(snapshot: StageSnapshot): Stage {
  return snapshot.value;
}

export function isFinal(snapshot: StageSnapshot): boolean {
  return isFinalStage(stageOf(snapshot));
}

const acceptedByStage: ReadonlyMap<Stage, readonly StageEventType[]> = (() => {
  const table = new Map<Stage, StageEventType[]>();
  for (const { from, event } of STAGE_TRANSITIONS) {
    const events = table.get(from) ?? [];
    events.push(event);
    table.set(from, events);
  }
  for (const [stage, events] of table) {
    table.set(stage, Object.freeze(EVENT_TYPES.filter((e) => events.includes(e))) as StageEventType[]);
  }
  return table;
})();

const NONE: readonly StageEventType[] = Object.freeze([]);

/**
 * The events a stage accepts, in `EVENT_TYPES` order. A table lookup derived from the machine
 * definition (no snapshot needed), for routing and documentation.
 */
export function acceptedEvents(stage: Stage): readonly StageEventType[] {
  return acceptedByStage.get(stage) ?? NONE;
}

/**
 * Applies one event, purely: nothing is executed, the commands to run come back as data.
 *
 * xstate silently ignores an event the current state has no transition for; here that becomes an
 * explicit refusal carrying the SAME snapshot object, so a caller can tell "nothing happened" from
 * "moved" and report it. Never throws for a snapshot made by this package, whatever the event.
 */
export function step(snapshot: StageSnapshot, event: StageEvent): StepResult {
  const stage = stageOf(snapshot);
  if (isFinalStage(stage) || snapshot.status !== 'active') {
    return { accepted: false, snapshot, stage, reason: 'final_stage' };
  }
  // Guard the event shape before xstate sees it: events come off topics and may be anything.
  const known = typeof event === 'object' && event !== null && isStageEventType(event.type);
  if (!known || !snapshot.can(event)) {
    return { accepted: false, snapshot, stage, reason: 'not_accepted_in_stage' };
  }
  const [next, actions] = transition(machine, snapshot, event);
  return { accepted: true, snapshot: next, from: stage, to: stageOf(next), actions: toStageActions(actions) };
}

type ExecutableAction = ReturnType<typeof transition<typeof machine>>[1][number];

/**
 * Keeps only our named commands (xstate may also return its own built-in actions) and flattens
 * their params into plain objects.
 *
 * The casts are needed because xstate types an executable action as ONE object whose `type` is the
 * union of all action names and whose `params` is the union of all params, so switching on `type`
 * does not narrow `params`. The shapes are guaranteed by the implementations declared in setup().
 */
function toStageActions(actions: readonly ExecutableAction[]): StageAction[] {
  const out: StageAction[] = [];
  for (const action of actions) {
    switch (action.type) {
      case 'requestPlan':
      case 'dispatchTasks':
      case 'requestTestPlan':
      case 'requestTestGeneration':
      case 'completeRequest':
        out.push({ type: action.type });
        break;
      case 'requestBuild':
        out.push({ type: 'requestBuild', round: (action.params as { round: 1 | 2 }).round });
        break;
      case 'raiseRegression':
        out.push({ type: 'raiseRegression', ...(action.params as RegressionParams) });
        break;
      default:
        // xstate built-ins (raise/sendTo/spawn) and `recordFailure` are not orchestrator commands.
        break;
    }
  }
  return out;
}
