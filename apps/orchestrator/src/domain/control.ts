import type { Stage } from '@pipeline/state-machine';
import type { CONTROL, TopicMessage } from '@pipeline/topics';
import { commandsFor } from './commands.js';
import { redrive } from './redrive.js';
import { type Decision, isFinished, type RequestRecord, stageOf } from './request-record.js';
import type { RouteContext, RouteResult } from './route-result.js';
import { reject, stop } from './transition.js';

/**
 * An operator's ControlCommand, decided like any message (pure, in the transactional path): the
 * decision is recorded on the request — who, when, why — with what it did.
 */
export function control(
  record: RequestRecord | undefined,
  requestId: string,
  command: TopicMessage<typeof CONTROL>,
  ctx: RouteContext,
): RouteResult {
  if (!record) return reject('unknown_request', `no change request ${requestId}`);
  const stage = stageOf(record);
  const by = command.requestedBy || '(unnamed)';
  switch (command.action.case) {
    case 'cancel': {
      if (isFinished(record)) return reject('final_stage', `cancel: the request is already ${stage}`, stage);
      const draft = structuredClone(record);
      decide(draft, { action: 'cancel', by, reason: command.reason, at: ctx.now, stage });
      const why = command.reason ? `: ${command.reason}` : '';
      return stop(draft, 'cancelled', `cancelled by ${by} in ${stage}${why}`, by, ctx);
    }
    case 'retry':
      return redrive(record, command.action.value.fromStage, { by, reason: command.reason }, ctx);
    case 'approve': {
      const awaiting = record.awaiting;
      if (!awaiting) return notWaiting('approve', stage);
      const draft = structuredClone(record);
      decide(draft, { action: 'approve', by, reason: command.reason, at: ctx.now, stage });
      delete draft.awaiting;
      const entry = draft.history.at(-1);
      // The stage starts now: its deadlines count from the approval, not from the wait.
      if (entry) entry.approvedAt = ctx.now;
      draft.updatedAt = ctx.now;
      return { kind: 'applied', record: draft, commands: commandsFor(awaiting.actions, draft) };
    }
    case 'reject': {
      if (!record.awaiting) return notWaiting('reject', stage);
      const draft = structuredClone(record);
      decide(draft, { action: 'reject', by, reason: command.reason, at: ctx.now, stage });
      const why = command.reason ? `: ${command.reason}` : '';
      return stop(draft, 'rejected', `${stage} rejected by ${by}${why}`, by, ctx);
    }
    default:
      return reject('invalid', 'ControlCommand names no action (cancel, retry, approve or reject)', stage);
  }
}

function notWaiting(action: 'approve' | 'reject', stage: Stage): RouteResult {
  return reject(
    'not_accepted_in_stage',
    `${action}: the request is not waiting for an approval (${stage})`,
    stage,
  );
}

function decide(draft: RequestRecord, decision: Decision): void {
  draft.decisions = [...(draft.decisions ?? []), decision];
}
