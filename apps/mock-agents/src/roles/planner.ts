import { create } from '@bufbuild/protobuf';
import { PlanSchema } from '@pipeline/contracts';
import { hasFailureMarker } from '@pipeline/failure-markers';
import { type CommandOf, type DecideOptions, failsAtRandom, type ReplyOf, type Rng } from './types.js';

/**
 * Planner: reads a ChangeRequest on `deepplan.in`, answers one Plan on `plan.out`.
 *
 * A real planner would read the repository and the description and split the change into coding
 * tasks. This one invents `tasks` task ids. A Plan has no status, so a failing planner fails by
 * not answering (the orchestrator's plan_phase deadline then regresses the request).
 */
export interface PlannerOptions extends DecideOptions {
  /** How many tasks each plan lists. */
  tasks: number;
}

export function decide(
  _command: CommandOf<'planner'>,
  requestId: string,
  options: PlannerOptions,
  rng: Rng,
): ReplyOf<'planner'>[] {
  if (hasFailureMarker(requestId, 'silent-planner') || failsAtRandom(rng, options.failureRate)) return [];
  const taskIds = Array.from({ length: options.tasks }, (_, i) => `${requestId}/task-${i + 1}`);
  return [create(PlanSchema, { id: `${requestId}/plan`, parentRequestId: requestId, taskIds })];
}
