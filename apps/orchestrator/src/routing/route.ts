import {
  fromPersisted,
  initialSnapshot,
  type Stage,
  type StageEvent,
  step,
  toPersisted,
} from '@pipeline/state-machine';
import { BREPORT, CRES, CRQ, GTRES, PLAN, TSPEC } from '@pipeline/topics';
import { type RequestRecord, stageEnteredAt } from '../domain/request-record.js';
import { type Command, commandsFor } from './commands.js';
import type { Inbound } from './inbound.js';

/** The status values of the reference design that mean success. */
export const SUCCESS = 'SUCCESS';
export const PASSED = 'PASSED';

/** Why a message changed nothing. Each one goes to the dead-letter topic and is counted. */
export type RejectReason =
  | 'uncorrelated'
  | 'unknown_request'
  | 'duplicate_request'
  | 'not_accepted_in_stage'
  | 'final_stage'
  | 'unknown_task'
  | 'duplicate_task_result'
  | 'stale_build_report'
  | 'stale_test_spec'
  | 'unknown_spec';

/** Why a request regressed; the `reason` of its RegressionTicket. */
export type FailureReason = 'task_failed' | 'build_failed' | 'precheck_failed' | 'deadline_exceeded';

export interface StageChange {
  from: Stage;
  to: Stage;
  /** When `from` had been entered (epoch ms), for the stage-duration histogram. */
  fromEnteredAt: number;
  at: number;
}

export type RouteResult =
  | { kind: 'applied'; record: RequestRecord; commands: Command[]; change?: StageChange }
  | { kind: 'rejected'; reason: RejectReason; detail: string; stage?: Stage };

export interface RouteContext {
  /** Epoch ms: the time the orchestrator handles the message. */
  now: number;
  traceparent?: string;
}

/**
 * The orchestrator's whole decision for one message, as a pure function:
 * (request state, message) → (new state, messages to emit) or a rejection with its reason.
 * No I/O, no clock, no randomness: the runtime runs it inside a Kafka transaction and may run it
 * again after a crash, with the same result.
 */
export function route(
  record: RequestRecord | undefined,
  requestId: string,
  inbound: Inbound,
  ctx: RouteContext,
): RouteResult {
  if (inbound.topic === CRQ) {
    if (record)
      return reject(
        'duplicate_request',
        `change request ${requestId} is known (stage ${record.stage})`,
        record.stage,
      );
    return transition(newRecord(requestId, inbound.message, ctx), { type: 'crq' }, ctx);
  }
  if (!record) return reject('unknown_request', `no change request ${requestId}`);
  const draft = structuredClone(record);

  switch (inbound.topic) {
    case PLAN: {
      if (draft.stage !== 'plan_phase') return notNow(draft, 'Plan');
      const plan = inbound.message;
      draft.planId = plan.id || `${requestId}/plan`;
      // A planner built on the reference stubs lists no tasks: its plan is one task.
      const taskIds = plan.taskIds.length > 0 ? [...new Set(plan.taskIds)] : [`${draft.planId}/task-1`];
      draft.tasks = taskIds.map((id) => ({ id }));
      return transition(draft, { type: 'plan' }, ctx);
    }
    case CRES: {
      if (draft.stage !== 'code_phase') return notNow(draft, 'CommitResult');
      const result = inbound.message;
      const task = draft.tasks.find((t) => t.id === result.taskId);
      if (!task)
        return reject(
          'unknown_task',
          `task ${result.taskId || '(empty)'} is not in plan ${draft.planId}`,
          draft.stage,
        );
      if (task.status !== undefined) {
        return reject(
          'duplicate_task_result',
          `task ${task.id} already reported ${task.status}`,
          draft.stage,
        );
      }
      task.status = result.status;
      if (result.commitSha) task.commitSha = result.commitSha;
      if (result.status !== SUCCESS) {
        const detail = `task ${task.id} reported ${result.status || '(empty status)'}`;
        return fail(draft, 'build_fail', 'task_failed', detail, ctx);
      }
      if (result.commitSha) draft.headCommit = result.commitSha;
      if (draft.tasks.every((t) => t.status === SUCCESS)) return transition(draft, { type: 'code_ok' }, ctx);
      draft.updatedAt = ctx.now;
      return { kind: 'applied', record: draft, commands: [] };
    }
    case BREPORT: {
      if (draft.stage !== 'build1' && draft.stage !== 'build2') return notNow(draft, 'BuildReport');
      const report = inbound.message;
      const build = draft.build;
      // An agent following the protocol echoes the build id; a seed agent only has the commit. When
      // build 2 builds the same commit as build 1 (no test commit), a commit alone cannot tell a late
      // build-1 report from the build-2 one, so only the build id counts.
      const ambiguous = build?.round === 2 && build.commitSha === draft.headCommit;
      const matches = report.buildId
        ? report.buildId === build?.id
        : !ambiguous && report.commitSha === build?.commitSha;
      if (!build || !matches) {
        const got = report.buildId ? `build ${report.buildId}` : `commit ${report.commitSha || '(empty)'}`;
        return reject(
          'stale_build_report',
          `waiting for build ${build?.id} of commit ${build?.commitSha}, got ${got}`,
          draft.stage,
        );
      }
      if (report.status !== PASSED) {
        const detail = `build ${build.round} of commit ${build.commitSha || '(none)'} reported ${report.status || '(empty status)'}`;
        return fail(draft, 'build_fail', 'build_failed', detail, ctx);
      }
      return transition(draft, { type: draft.stage === 'build1' ? 'build_ok' : 'build2_ok' }, ctx);
    }
    case TSPEC: {
      if (draft.stage !== 'test_plan') return notNow(draft, 'TestSpec');
      const spec = inbound.message;
      if (spec.parentCommitSha && spec.parentCommitSha !== draft.build?.commitSha) {
        return reject(
          'stale_test_spec',
          `spec for commit ${spec.parentCommitSha}, expected ${draft.build?.commitSha}`,
          draft.stage,
        );
      }
      draft.specId = spec.id || `${requestId}/spec`;
      return transition(draft, { type: 'tspec' }, ctx);
    }
    case GTRES: {
      if (draft.stage !== 'test_build') return notNow(draft, 'GeneratedTests');
      const tests = inbound.message;
      if (tests.specId && tests.specId !== draft.specId) {
        return reject(
          'unknown_spec',
          `tests for spec ${tests.specId}, expected ${draft.specId}`,
          draft.stage,
        );
      }
      if (tests.precheck !== PASSED) {
        const detail = `generated tests for spec ${draft.specId} failed precheck (${tests.precheck || 'empty'})`;
        return fail(draft, 'gt_fail', 'precheck_failed', detail, ctx);
      }
      draft.testsCommit = tests.commitSha || draft.build?.commitSha;
      return transition(draft, { type: 'gt_ok' }, ctx);
    }
  }
}

/**
 * The deadline decision, also pure: a request that has been in its (non-final) stage for longer
 * than `deadlineMs` regresses. Undefined when nothing is due.
 */
export function expire(
  record: RequestRecord,
  deadlineMs: number,
  ctx: RouteContext,
): RouteResult | undefined {
  const since = stageEnteredAt(record);
  if (record.stage === 'done' || record.stage === 'regress' || ctx.now - since <= deadlineMs)
    return undefined;
  const detail = `deadline exceeded: no progress in ${record.stage} for ${Math.round((ctx.now - since) / 1000)}s (limit ${Math.round(deadlineMs / 1000)}s)`;
  return fail(structuredClone(record), 'build_fail', 'deadline_exceeded', detail, ctx);
}

function newRecord(
  requestId: string,
  change: { requester: string; repo: string; branch: string; description: string },
  ctx: RouteContext,
): RequestRecord {
  const record: RequestRecord = {
    v: 1,
    requestId,
    change: {
      requester: change.requester,
      repo: change.repo,
      branch: change.branch,
      description: change.description,
    },
    machine: toPersisted(initialSnapshot()),
    stage: 'idle',
    tasks: [],
    history: [{ stage: 'idle', at: ctx.now }],
    createdAt: ctx.now,
    updatedAt: ctx.now,
  };
  if (ctx.traceparent) record.traceparent = ctx.traceparent;
  return record;
}

function fail(
  draft: RequestRecord,
  type: 'build_fail' | 'gt_fail',
  reason: FailureReason,
  detail: string,
  ctx: RouteContext,
): RouteResult {
  draft.failure = { stage: draft.stage, reason, detail };
  return transition(draft, { type, reason }, ctx);
}

/** Moves the draft through the stage machine and collects the commands of the stage it enters. */
function transition(draft: RequestRecord, event: StageEvent, ctx: RouteContext): RouteResult {
  const result = step(fromPersisted(draft.machine), event);
  if (!result.accepted) {
    // The guards above make this unreachable; kept so a machine change cannot corrupt a record.
    return reject(result.reason, `${event.type} is not accepted in stage ${result.stage}`, result.stage);
  }
  const change: StageChange = {
    from: result.from,
    to: result.to,
    fromEnteredAt: stageEnteredAt(draft),
    at: ctx.now,
  };
  draft.machine = toPersisted(result.snapshot);
  draft.stage = result.to;
  draft.history.push({ stage: result.to, at: ctx.now });
  draft.updatedAt = ctx.now;
  const commands = commandsFor(result.actions, draft);
  return { kind: 'applied', record: draft, commands, change };
}

function notNow(record: RequestRecord, what: string): RouteResult {
  const final = record.stage === 'done' || record.stage === 'regress';
  return reject(
    final ? 'final_stage' : 'not_accepted_in_stage',
    `${what} is not accepted in stage ${record.stage}`,
    record.stage,
  );
}

function reject(reason: RejectReason, detail: string, stage?: Stage): RouteResult {
  return stage === undefined
    ? { kind: 'rejected', reason, detail }
    : { kind: 'rejected', reason, detail, stage };
}
