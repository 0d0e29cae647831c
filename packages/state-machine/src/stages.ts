/**
 * The stages one change request goes through, in pipeline order. The names are the binding ones of
 * the reference design (Python `Stage` enum values), so logs, tickets and stored snapshots from
 * either implementation read the same.
 */
export const STAGES = [
  'idle',
  'plan_phase',
  'code_phase',
  'build1',
  'test_plan',
  'test_build',
  'build2',
  'done',
  'regress',
] as const;

export type Stage = (typeof STAGES)[number];

/**
 * Stages a change request never leaves: `done` is success, `regress` is failure handed to a human.
 * Kept as data (not only as `type: 'final'` in the machine) so callers can decide without xstate.
 */
export const FINAL_STAGES = ['done', 'regress'] as const satisfies readonly Stage[];

export type FinalStage = (typeof FINAL_STAGES)[number];

const stageSet: ReadonlySet<string> = new Set(STAGES);
const finalStageSet: ReadonlySet<string> = new Set(FINAL_STAGES);

/** Narrows untrusted strings (stored snapshots, CLI input) to a stage name. */
export function isStage(value: unknown): value is Stage {
  return typeof value === 'string' && stageSet.has(value);
}

export function isFinalStage(stage: Stage): stage is FinalStage {
  return finalStageSet.has(stage);
}
