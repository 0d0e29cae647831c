import {
  FAILURE_EVENT_TYPES,
  initialSnapshot,
  isFinalStage,
  STAGE_TRANSITIONS,
  STAGES,
  type Stage,
  type StageAction,
  step,
  toPersisted,
} from '@pipeline/state-machine';
import { commandsFor } from './commands.js';
import { attemptOf, failureOf, type RequestRecord, stageOf } from './request-record.js';
import type { RouteContext, RouteResult } from './route-result.js';
import { reject } from './transition.js';

// Redrive: a regressed request starts a new attempt at the stage that failed (or an earlier one),
// keeping what the stages before it produced. The machine is not bent for it (`regress` stays final):
// the new attempt gets a fresh snapshot, moved along the happy path to that stage, whose entry
// commands go out as they would have the first time.

const failures: ReadonlySet<string> = new Set(FAILURE_EVENT_TYPES);
/** From idle to build2, the transition that moves on from each stage. */
const HAPPY_PATH = STAGE_TRANSITIONS.filter((t) => !failures.has(t.event) && !isFinalStage(t.from));
/** The stages an attempt can start at, in pipeline order. */
export const REDRIVABLE: readonly Stage[] = HAPPY_PATH.map((t) => t.to).filter((s) => !isFinalStage(s));

const order = (stage: Stage) => STAGES.indexOf(stage);

export function redrive(
  record: RequestRecord,
  from: string,
  asked: { by: string; reason: string },
  ctx: RouteContext,
): RouteResult {
  const stage = stageOf(record);
  const failure = failureOf(record);
  if (stage !== 'regress' || !failure) {
    return reject(
      'not_accepted_in_stage',
      `retry: only a regressed request can be retried, this one is ${stage}`,
      stage,
    );
  }
  const target = (from || failure.stage) as Stage;
  if (!REDRIVABLE.includes(target)) {
    return reject(
      'invalid',
      `retry: ${from} is not a stage an attempt can start at (${REDRIVABLE.join(', ')})`,
      stage,
    );
  }
  if (order(target) > order(failure.stage) && failure.stage !== 'idle') {
    return reject('invalid', `retry: ${target} is after ${failure.stage}, where the request failed`, stage);
  }
  const draft = structuredClone(record);
  const missing = forgetFrom(draft, target);
  if (missing) return reject('invalid', `retry at ${target}: ${missing}`, stage);
  let snapshot = initialSnapshot();
  let actions: StageAction[] = [];
  for (const t of HAPPY_PATH) {
    const result = step(snapshot, { type: t.event } as never);
    if (!result.accepted) throw new Error(`the happy path is refused at ${t.from} (${t.event})`);
    snapshot = result.snapshot;
    actions = result.actions;
    if (t.to === target) break;
  }
  const attempt = attemptOf(record) + 1;
  draft.machine = toPersisted(snapshot);
  draft.attempt = attempt;
  delete draft.failureDetail;
  // New build ids: a report for a build of an earlier attempt is stale.
  if (ctx.nonce) draft.nonce = ctx.nonce;
  draft.history.push({ stage: target, at: ctx.now, attempt });
  draft.decisions = [
    ...(draft.decisions ?? []),
    { action: 'retry', ...asked, at: ctx.now, stage, from: target },
  ];
  draft.updatedAt = ctx.now;
  return {
    kind: 'applied',
    record: draft,
    commands: commandsFor(actions, draft),
    change: { from: stage, to: target, fromEnteredAt: draft.history.at(-2)?.at ?? ctx.now, at: ctx.now },
  };
}

/** Who the automatic retries of ORCH_RETRY are recorded as. */
export const RETRY_POLICY = 'orchestrator (ORCH_RETRY)';

/**
 * A failure just decided (`failed`: the request moved to regress): when the retry policy allows
 * another attempt at the failed stage, the request is redriven there at once, and neither the
 * regression ticket nor anything else of the failure goes out; otherwise the failure stands.
 */
export function retryOrFail(failed: RouteResult, ctx: RouteContext): RouteResult {
  if (failed.kind !== 'applied') return failed;
  const failure = failureOf(failed.record);
  const allowed = failure ? (ctx.retryPolicy?.[failure.stage] ?? 0) : 0;
  if (!failure || allowed === 0) return failed;
  const done = (failed.record.decisions ?? []).filter(
    (d) => d.action === 'retry' && d.by === RETRY_POLICY && d.from === failure.stage,
  ).length;
  if (done >= allowed) return failed;
  const reason = `${failure.reason}: retry ${done + 1} of ${allowed} (${failure.detail})`;
  const retried = redrive(failed.record, failure.stage, { by: RETRY_POLICY, reason }, ctx);
  return retried.kind === 'applied' ? retried : failed;
}

/**
 * Drops what the stages from `target` on produced (they run again), keeping what came before.
 * Returns what is missing for `target` to start, when something is.
 */
function forgetFrom(draft: RequestRecord, target: Stage): string | undefined {
  const at = order(target);
  if (at <= order('plan_phase')) {
    delete draft.planId;
    draft.tasks = [];
  }
  if (at <= order('code_phase')) {
    draft.tasks = draft.tasks.map((t) => ({ id: t.id }));
    delete draft.headCommit;
  }
  if (at <= order('build1')) delete draft.build;
  if (at <= order('test_plan')) delete draft.specId;
  if (at <= order('test_build')) delete draft.testsCommit;
  if (target === 'code_phase' && draft.tasks.length === 0) return 'the plan has no tasks';
  if (target === 'build1' && !draft.headCommit) return 'no commit from the coding stage';
  if (target === 'test_plan' && !draft.build?.commitSha) return 'no build 1 to plan tests for';
  if (target === 'test_build' && !draft.specId) return 'no test spec';
  if (target === 'build2' && !draft.testsCommit) return 'no commit with the generated tests';
  return undefined;
}
