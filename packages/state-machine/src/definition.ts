import { EVENT_TYPES, type StageEventType } from './events.js';
import { machine } from './machine.js';
import { STAGES, type Stage } from './stages.js';

/**
 * Reads the transition graph out of the machine DEFINITION (its state nodes), not out of any
 * snapshot, so the routing table, the diagram and the docs can never drift from what the machine
 * really does.
 */

export interface StageTransition {
  from: Stage;
  event: StageEventType;
  to: Stage;
}

/** An entry command as declared on a state: its name and, when static, its params. */
export interface EntryCommand {
  type: string;
  /** Static params; absent when there are none or when they are computed from context. */
  params?: Readonly<Record<string, unknown>>;
}

function stageNode(stage: Stage) {
  const node = machine.root.states[stage];
  if (node === undefined) throw new Error(`machine has no state node for stage ${stage}`);
  return node;
}

function targetStage(targets: readonly { key: string }[] | undefined): Stage {
  const key = targets?.[0]?.key;
  const stage = STAGES.find((s) => s === key);
  if (stage === undefined || targets?.length !== 1) {
    throw new Error(`expected exactly one target stage, got ${targets?.map((t) => t.key).join(',')}`);
  }
  return stage;
}

/** The stage the machine starts in. */
export const INITIAL_STAGE: Stage = targetStage(machine.root.initial.target);

/**
 * Every transition of the machine, stages in pipeline order (`STAGES`), and within a stage in event
 * order (`EVENT_TYPES`): a fixed order, so generated output is byte-for-byte stable.
 */
export const STAGE_TRANSITIONS: readonly StageTransition[] = Object.freeze(
  STAGES.flatMap((from) => {
    const byEvent = stageNode(from).transitions;
    return EVENT_TYPES.flatMap((event) =>
      (byEvent.get(event) ?? []).map((t) => Object.freeze({ from, event, to: targetStage(t.target) })),
    );
  }),
);

/** Entry commands of a stage, as declared in the machine. */
export function entryCommands(stage: Stage): readonly EntryCommand[] {
  return stageNode(stage).entry.map((action: unknown) => {
    if (typeof action === 'string') return { type: action };
    const { type, params } = action as { type: string; params?: unknown };
    return params !== null && typeof params === 'object'
      ? { type, params: params as Record<string, unknown> }
      : { type };
  });
}

export function isFinalNode(stage: Stage): boolean {
  return stageNode(stage).type === 'final';
}
