import { create } from '@bufbuild/protobuf';
import { AgentCancelSchema, type RegressionReason, type RejectReason } from '@pipeline/contracts';
import { type Stage, type StageEvent, stepPersisted } from '@pipeline/state-machine';
import { CANCEL } from '@pipeline/topics';
import { commandsFor } from './commands.js';
import { type RequestRecord, stageEnteredAt, stageOf } from './request-record.js';
import type { RouteContext, RouteResult, StageChange } from './route-result.js';

// The moves every decider (route.ts, progress.ts, control.ts) makes: through the stage machine, into
// regress with a reason, or a refusal.

export function fail(
  draft: RequestRecord,
  type: 'build_fail' | 'gt_fail',
  reason: RegressionReason,
  detail: string,
  ctx: RouteContext,
): RouteResult {
  draft.failureDetail = detail;
  return transition(draft, { type, reason }, ctx);
}

/**
 * Ends a request from outside (an operator's cancel, a spent budget): it regresses with `reason`, and
 * the agent working on the stage it was in is told to stop (AgentCancel).
 */
export function stop(
  draft: RequestRecord,
  reason: Extract<RegressionReason, 'cancelled' | 'budget_exceeded' | 'rejected'>,
  detail: string,
  requestedBy: string,
  ctx: RouteContext,
): RouteResult {
  const stage = stageOf(draft);
  draft.failureDetail = detail;
  // Waiting for an approval, no agent is at work: nobody to tell.
  const agentAtWork = draft.awaiting === undefined;
  delete draft.awaiting;
  const result = transition(draft, { type: 'cancel', reason }, ctx);
  if (result.kind !== 'applied' || !agentAtWork) return result;
  const message = create(AgentCancelSchema, { requestId: draft.requestId, stage, reason, requestedBy });
  result.commands.push({ topic: CANCEL, message });
  return result;
}

/**
 * Moves the draft through the stage machine and collects the commands of the stage it enters. The
 * machine's table (stepPersisted) decides: records in memory were made by this machine or read
 * through decodeState, which checks that this machine can resume them.
 */
export function transition(draft: RequestRecord, event: StageEvent, ctx: RouteContext): RouteResult {
  const result = stepPersisted(draft.machine, event);
  // The machine has the last word: an event it refuses changes nothing, whatever was checked before.
  if (!result.accepted)
    return reject(result.reason, `${event.type} is not accepted in stage ${result.stage}`, result.stage);
  const change: StageChange = {
    from: result.from,
    to: result.to,
    fromEnteredAt: stageEnteredAt(draft),
    at: ctx.now,
  };
  draft.machine = result.machine;
  draft.history.push({ stage: result.to, at: ctx.now });
  draft.updatedAt = ctx.now;
  // A record from before nonces existed gets one the first time it moves (before any build id).
  if (!draft.nonce && ctx.nonce) draft.nonce = ctx.nonce;
  // A gated stage waits for an operator: its commands are held back until it is approved.
  if (draft.gates?.includes(result.to)) {
    draft.awaiting = { stage: result.to, since: ctx.now, actions: result.actions };
    return { kind: 'applied', record: draft, commands: [], change };
  }
  const commands = commandsFor(result.actions, draft);
  return { kind: 'applied', record: draft, commands, change };
}

export function reject(reason: RejectReason | 'invalid', detail: string, stage?: Stage): RouteResult {
  return stage === undefined
    ? { kind: 'rejected', reason, detail }
    : { kind: 'rejected', reason, detail, stage };
}
