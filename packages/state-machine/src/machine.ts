import { assertEvent, assign, type SnapshotFrom, setup } from 'xstate';
import type { FailureEventType, StageEvent } from './events.js';
import type { Stage } from './stages.js';

/** Which stage failed and why; kept so the regression ticket can say it without replaying history. */
export interface StageFailure {
  stage: Stage;
  event: FailureEventType;
  reason?: string;
}

/**
 * The machine's context. It is empty until the request fails: everything else the orchestrator
 * knows about a change request lives in its own records, so the thousands of stored snapshots stay
 * small.
 */
export interface StageContext {
  failure?: StageFailure;
}

/** Params of the `raiseRegression` command. */
export interface RegressionParams {
  failedStage: Stage;
  event: FailureEventType;
  reason?: string;
}

// The commands below do nothing here on purpose: the machine only DECIDES. The orchestrator reads
// the named actions that `transition` returns (see step.ts) and carries them out itself, so a
// replayed or restored snapshot never re-sends a command. Tests may `.provide()` real ones.
const command = (): void => {};

function regressionParams({ context }: { context: StageContext }): RegressionParams {
  const failure = context.failure;
  // Unreachable by construction: every transition into `regress` runs `recordFailure` first.
  if (failure === undefined) throw new Error('entered regress without a recorded failure');
  return {
    failedStage: failure.stage,
    event: failure.event,
    ...(failure.reason === undefined ? {} : { reason: failure.reason }),
  };
}

/**
 * The transition every failure event takes from `stage`. The source stage is a static param
 * because xstate's action arguments do not include the state being left.
 */
function toRegress<const S extends Stage>(stage: S) {
  return { target: 'regress', actions: { type: 'recordFailure', params: { stage } } } as const;
}

/**
 * One machine per change request. Rules that differ from the reference sketch: `build_fail` moves
 * every NON-final stage (idle included) to `regress`, `gt_fail` only `test_build`, `cancel` (added)
 * every non-final stage, and `done` and `regress` accept nothing.
 */
export const machine = setup({
  types: {
    context: {} as StageContext,
    events: {} as StageEvent,
  },
  actions: {
    recordFailure: assign(({ event }, params: { stage: Stage }) => {
      assertEvent(event, ['build_fail', 'gt_fail', 'cancel']);
      // No `reason: undefined` key: the context must survive a JSON round trip unchanged.
      const failure: StageFailure = { stage: params.stage, event: event.type };
      if (event.reason !== undefined) failure.reason = event.reason;
      return { failure };
    }),
    requestPlan: command,
    dispatchTasks: command,
    requestBuild: (_args, _params: { round: 1 | 2 }) => command(),
    requestTestPlan: command,
    requestTestGeneration: command,
    completeRequest: command,
    raiseRegression: (_args, _params: RegressionParams) => command(),
  },
}).createMachine({
  id: 'change-request',
  initial: 'idle',
  context: {},
  states: {
    idle: {
      on: { crq: 'plan_phase', build_fail: toRegress('idle'), cancel: toRegress('idle') },
    },
    plan_phase: {
      entry: 'requestPlan',
      on: { plan: 'code_phase', build_fail: toRegress('plan_phase'), cancel: toRegress('plan_phase') },
    },
    code_phase: {
      entry: 'dispatchTasks',
      on: { code_ok: 'build1', build_fail: toRegress('code_phase'), cancel: toRegress('code_phase') },
    },
    build1: {
      entry: { type: 'requestBuild', params: { round: 1 } },
      on: { build_ok: 'test_plan', build_fail: toRegress('build1'), cancel: toRegress('build1') },
    },
    test_plan: {
      entry: 'requestTestPlan',
      on: { tspec: 'test_build', build_fail: toRegress('test_plan'), cancel: toRegress('test_plan') },
    },
    test_build: {
      entry: 'requestTestGeneration',
      on: {
        gt_ok: 'build2',
        build_fail: toRegress('test_build'),
        gt_fail: toRegress('test_build'),
        cancel: toRegress('test_build'),
      },
    },
    build2: {
      entry: { type: 'requestBuild', params: { round: 2 } },
      on: { build2_ok: 'done', build_fail: toRegress('build2'), cancel: toRegress('build2') },
    },
    done: {
      type: 'final',
      entry: 'completeRequest',
    },
    regress: {
      type: 'final',
      entry: { type: 'raiseRegression', params: regressionParams },
    },
  },
});

export type StageMachine = typeof machine;

/** A change request's state as xstate holds it; immutable, one per change request. */
export type StageSnapshot = SnapshotFrom<StageMachine>;
