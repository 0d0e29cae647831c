import { isStage } from '@pipeline/state-machine';
import type { PROGRESS, TopicMessage } from '@pipeline/topics';
import { isFinished, type RequestRecord, type StageProgress, stageOf } from './request-record.js';
import type { RouteContext, RouteResult } from './route-result.js';
import { reject, stop } from './transition.js';
import { noteUsage, overBudget, usageProblem } from './usage.js';

/**
 * An agent's AgentProgress, decided: recorded on the current stage's history entry (a sign of life
 * for its idle deadline; the note, percent and usage for whoever looks), or ignored when it is for a
 * stage the request has left. Pure, like route().
 *
 * Stale progress is ignored, not dead-lettered: an agent's last progress and its reply travel on two
 * topics, so the progress is often read after the reply moved the request on. That is the normal
 * race, not bad input; a dead-letter topic full of it would hide the real refusals.
 */
export function recordProgress(
  record: RequestRecord | undefined,
  requestId: string,
  progress: TopicMessage<typeof PROGRESS>,
  ctx: RouteContext,
): RouteResult {
  if (!record) return reject('unknown_request', `no change request ${requestId}`);
  const stage = stageOf(record);
  if (progress.stage && !isStage(progress.stage)) {
    return reject('invalid', `AgentProgress.stage "${progress.stage}" is not a stage`, stage);
  }
  const usage = progress.usage;
  const badUsage = usageProblem(usage, 'AgentProgress');
  if (badUsage) return reject('invalid', badUsage, stage);
  if (isFinished(record) || (progress.stage && progress.stage !== stage)) {
    const about = progress.stage || stage;
    return { kind: 'ignored', detail: `progress for ${about}, but the request is in ${stage}`, stage };
  }
  const draft = structuredClone(record);
  const entry = draft.history.at(-1);
  if (!entry) return { kind: 'ignored', detail: 'the request has no stage history', stage };
  const next: StageProgress = { at: ctx.now, count: (entry.progress?.count ?? 0) + 1 };
  // What the agent did not repeat stays as it last said it: a heartbeat without a note keeps the note.
  const note = progress.note || entry.progress?.note;
  if (note) next.note = note;
  const percent = progress.percent ?? entry.progress?.percent;
  if (percent !== undefined) next.percent = percent;
  entry.progress = next;
  draft.updatedAt = ctx.now;
  if (usage) {
    noteUsage(draft, usage);
    // Over the budget: the agent at work is told to stop, and the request regresses.
    const over = overBudget(draft);
    if (over) return stop(draft, 'budget_exceeded', over, 'orchestrator', ctx);
  }
  return { kind: 'applied', record: draft, commands: [] };
}
