export { type EntryCommand, INITIAL_STAGE, STAGE_TRANSITIONS, type StageTransition } from './definition.js';
export { toMermaid } from './diagram.js';
export { DOC_PATH_FROM_PACKAGE, REGENERATE_COMMAND, renderStateMachineDoc } from './doc.js';
export { StateMachineError, type StateMachineErrorCode } from './errors.js';
export {
  EVENT_TYPES,
  FAILURE_EVENT_TYPES,
  type FailureEventType,
  isStageEventType,
  type StageEvent,
  type StageEventType,
  TRANSITIONS,
} from './events.js';
export {
  machine,
  type RegressionParams,
  type StageContext,
  type StageFailure,
  type StageMachine,
  type StageSnapshot,
} from './machine.js';
export { fromPersisted, type PersistedStageSnapshot, toPersisted } from './persist.js';
export { FINAL_STAGES, type FinalStage, isFinalStage, isStage, STAGES, type Stage } from './stages.js';
export {
  acceptedEvents,
  initialSnapshot,
  isFinal,
  type RefusalReason,
  type StageAction,
  type StageActionType,
  type StepResult,
  stageOf,
  step,
} from './step.js';
export { type PersistedStep, stepPersisted } from './table-step.js';
export { carryProblem, MACHINE_VERSION } from './version.js';
