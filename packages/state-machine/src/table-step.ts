// The machine as a lookup table, for the orchestrator's hot path: one step is a Map lookup instead
// of resolving an xstate snapshot from its persisted form, interpreting the transition and
// persisting the result again (xstate was ~4 % of the orchestrator's CPU in pnpm bench, and much of
// its garbage). The table is derived from the machine itself when this module loads, by stepping
// xstate once per (stage, event); test/table-step.test.ts holds the two to the same results for
// every stage, every event and every persisted snapshot they can meet.

import {
  EVENT_TYPES,
  type FailureEventType,
  isStageEventType,
  type StageEvent,
  type StageEventType,
} from './events.js';
import type { StageFailure } from './machine.js';
import { fromPersisted, type PersistedStageSnapshot } from './persist.js';
import { isFinalStage, STAGES, type Stage } from './stages.js';
import { type RefusalReason, type StageAction, step } from './step.js';

/** What one step of a persisted snapshot gives: the next persisted snapshot and the commands. */
export type PersistedStep =
  | { accepted: true; machine: PersistedStageSnapshot; from: Stage; to: Stage; actions: StageAction[] }
  | { accepted: false; stage: Stage; reason: RefusalReason };

interface Row {
  to: Stage;
  /** The stage's commands, raiseRegression left out (its params come from the event). */
  actions: readonly StageAction[];
  /** Failure events: the stage recorded as failed, and the regression raised. */
  fails?: Stage;
}

const key = (stage: Stage, event: StageEventType) => `${stage}|${event}`;

/** Steps xstate once per (stage, event) it accepts, and keeps where it went and what it asked for. */
const TABLE: ReadonlyMap<string, Row> = (() => {
  const table = new Map<string, Row>();
  for (const stage of STAGES) {
    if (isFinalStage(stage)) continue;
    const snapshot = fromPersisted({ value: stage, context: {} });
    for (const type of EVENT_TYPES) {
      const result = step(snapshot, { type } as StageEvent);
      if (!result.accepted) continue;
      const failure = result.snapshot.context.failure;
      table.set(key(stage, type), {
        to: result.to,
        actions: Object.freeze(result.actions.filter((a) => a.type !== 'raiseRegression')),
        ...(failure ? { fails: failure.stage } : {}),
      });
    }
  }
  return table;
})();

/**
 * `step` on a persisted snapshot, by the table. The snapshot is trusted to be one this machine made
 * (the caller read it through decodeState, which checks that it can be resumed); an event of an
 * unknown type, or one its stage does not accept, is refused like `step` refuses it.
 */
export function stepPersisted(machine: PersistedStageSnapshot, event: StageEvent): PersistedStep {
  const stage = machine.value;
  if (isFinalStage(stage)) return { accepted: false, stage, reason: 'final_stage' };
  const type = typeof event === 'object' && event !== null ? event.type : undefined;
  const row = isStageEventType(type) ? TABLE.get(key(stage, type)) : undefined;
  if (!row) return { accepted: false, stage, reason: 'not_accepted_in_stage' };
  const actions = row.actions.map((a) => ({ ...a }));
  if (row.fails === undefined)
    return { accepted: true, machine: { value: row.to, context: {} }, from: stage, to: row.to, actions };
  const reason = (event as { reason?: string }).reason;
  const failure: StageFailure = { stage: row.fails, event: type as FailureEventType };
  if (reason !== undefined) failure.reason = reason;
  actions.push({
    type: 'raiseRegression',
    failedStage: failure.stage,
    event: failure.event,
    ...(reason === undefined ? {} : { reason }),
  });
  return {
    accepted: true,
    machine: { value: row.to, context: { failure } },
    from: stage,
    to: row.to,
    actions,
  };
}
