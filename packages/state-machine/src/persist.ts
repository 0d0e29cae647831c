import { StateMachineError } from './errors.js';
import { FAILURE_EVENT_TYPES, type FailureEventType } from './events.js';
import { machine, type StageContext, type StageFailure, type StageSnapshot } from './machine.js';
import { isFinalStage, isStage, type Stage } from './stages.js';
import { acceptedEvents } from './step.js';

/**
 * What the orchestrator stores per change request: just the stage and the context. The machine has
 * no child actors and no history states, so nothing else of xstate's persisted form is needed, and
 * the orchestrator keeps thousands of these.
 */
export interface PersistedStageSnapshot {
  value: Stage;
  context: StageContext;
}

/** A JSON-safe copy of the snapshot (fresh objects: mutating it cannot touch the snapshot). */
export function toPersisted(snapshot: StageSnapshot): PersistedStageSnapshot {
  // Going through xstate's own serialisation (rather than reading snapshot.value) means that if the
  // machine ever grows child actors it fails loudly here instead of persisting something unusable.
  // xstate types its result as a bare `Snapshot<unknown>`, hence the cast.
  const persisted = machine.getPersistedSnapshot(snapshot) as unknown as PersistedStageSnapshot;
  const { value, context } = persisted;
  return { value, context: context.failure === undefined ? {} : { failure: { ...context.failure } } };
}

function invalid(message: string): never {
  throw new StateMachineError('INVALID_SNAPSHOT', `invalid persisted change-request snapshot: ${message}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function onlyKeys(record: Record<string, unknown>, allowed: readonly string[], where: string): void {
  const extra = Object.keys(record).filter((k) => !allowed.includes(k));
  if (extra.length > 0) invalid(`unexpected key(s) in ${where}: ${extra.join(', ')}`);
}

function parseFailure(raw: unknown): StageFailure {
  if (!isRecord(raw)) return invalid('context.failure is not an object');
  onlyKeys(raw, ['stage', 'event', 'reason'], 'context.failure');
  const { stage, event, reason } = raw;
  if (!isStage(stage) || isFinalStage(stage))
    return invalid(`context.failure.stage ${JSON.stringify(stage)}`);
  if (!FAILURE_EVENT_TYPES.includes(event as FailureEventType)) {
    return invalid(`context.failure.event ${JSON.stringify(event)}`);
  }
  const failureEvent = event as FailureEventType;
  // A failure the machine could never have recorded (e.g. gt_fail in build1) means tampering or a
  // different machine version: refuse it rather than resume from a state that cannot exist.
  if (!acceptedEvents(stage).includes(failureEvent)) invalid(`${failureEvent} cannot happen in ${stage}`);
  if (reason !== undefined && typeof reason !== 'string') invalid('context.failure.reason is not a string');
  return reason === undefined ? { stage, event: failureEvent } : { stage, event: failureEvent, reason };
}

/**
 * Rebuilds a live snapshot from `toPersisted` output (after any JSON round trip). Also accepts
 * xstate's own persisted form, whose extra top-level keys are ignored. Throws `StateMachineError`
 * with code `INVALID_SNAPSHOT` for anything the machine could not have produced.
 */
export function fromPersisted(json: unknown): StageSnapshot {
  if (!isRecord(json)) return invalid('not an object');
  const { value, context } = json;
  if (!isStage(value)) return invalid(`unknown stage ${JSON.stringify(value)}`);
  if (!isRecord(context)) return invalid('context is not an object');
  onlyKeys(context, ['failure'], 'context');
  const failure = context.failure === undefined ? undefined : parseFailure(context.failure);
  if ((value === 'regress') !== (failure !== undefined)) {
    invalid(value === 'regress' ? 'regress without context.failure' : `context.failure in stage ${value}`);
  }
  return machine.resolveState({ value, context: failure === undefined ? {} : { failure } });
}
