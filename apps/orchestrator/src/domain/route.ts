import { type Budget, isPassed, isSuccess } from '@pipeline/contracts';
import {
  acceptedEvents,
  initialSnapshot,
  isFinalStage,
  MACHINE_VERSION,
  type Stage,
  type StageEventType,
  toPersisted,
} from '@pipeline/state-machine';
import {
  BREPORT,
  CONTROL,
  CRES,
  CRQ,
  GTRES,
  type OrchestratorInput,
  PLAN,
  PROGRESS,
  TSPEC,
} from '@pipeline/topics';
import { control } from './control.js';
import type { Inbound } from './correlate.js';
import { recordProgress } from './progress.js';
import { REDRIVABLE, retryOrFail } from './redrive.js';
import {
  attemptOf,
  isFinished,
  lastSignOfLife,
  type RequestRecord,
  stageEnteredAt,
  stageOf,
} from './request-record.js';
import type { RouteContext, RouteResult } from './route-result.js';
import { fail, reject, stop, transition } from './transition.js';
import { budgetOf, noteUsage, overBudget, usageProblem, usageRecord } from './usage.js';

export type { RouteContext, RouteResult, StageChange } from './route-result.js';

/**
 * The events a reply can bring about. Whether the request's stage takes one of them is the machine's
 * answer (acceptedEvents), not a rule of its own here; a build report means build_ok in build1 and
 * build2_ok in build2, whichever the stage accepts.
 */
const REPLY_EVENTS: Record<
  Exclude<OrchestratorInput, typeof CRQ | typeof PROGRESS | typeof CONTROL>,
  readonly StageEventType[]
> = {
  [PLAN]: ['plan'],
  [CRES]: ['code_ok'],
  [BREPORT]: ['build_ok', 'build2_ok'],
  [TSPEC]: ['tspec'],
  [GTRES]: ['gt_ok'],
};

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
    if (record) {
      const stage = stageOf(record);
      return reject('duplicate_request', `change request ${requestId} is known (stage ${stage})`, stage);
    }
    const gates = gatesOf(inbound.message.approvalStages, ctx.defaultGates);
    if (typeof gates === 'string') return reject('invalid', gates);
    return transition(newRecord(requestId, inbound.message, gates, ctx), { type: 'crq' }, ctx);
  }
  if (inbound.topic === PROGRESS) return recordProgress(record, requestId, inbound.message, ctx);
  if (inbound.topic === CONTROL) return control(record, requestId, inbound.message, ctx);
  if (!record) return reject('unknown_request', `no change request ${requestId}`);
  const event = acceptedEvents(stageOf(record)).find((e) => REPLY_EVENTS[inbound.topic].includes(e));
  const type = inbound.message.$typeName.replace(/^core\./, '');
  // A reply that names an attempt names the one it answers: an earlier attempt's is stale (0: unknown).
  const echoed = inbound.message.attempt;
  if (echoed !== 0 && echoed !== attemptOf(record) && !isFinished(record)) {
    const detail = `${type} for attempt ${echoed}, the request is on attempt ${attemptOf(record)}`;
    return reject('stale_attempt', detail, stageOf(record));
  }
  if (!event) return notNow(record, type);
  const badUsage = usageProblem(inbound.message.usage, type);
  if (badUsage) return reject('invalid', badUsage, stageOf(record));
  const result = applyReply(structuredClone(record), requestId, inbound, event, ctx);
  const usage = inbound.message.usage;
  if (result.kind !== 'applied' || !usage) return result;
  // What the command cost, as the accepted reply says. Over the request's budget, nothing more
  // starts: the request regresses in the stage the reply answered, the reply's effect left out.
  const spent = structuredClone(record);
  noteUsage(spent, usage);
  const over = overBudget(spent);
  if (over) return stop(spent, 'budget_exceeded', over, 'orchestrator', ctx);
  const answered = result.record.history[record.history.length - 1];
  if (answered) answered.usage = usageRecord(usage);
  return result;
}

/** A reply the request's stage accepts (`event`), checked against what the request awaits and applied. */
function applyReply(
  draft: RequestRecord,
  requestId: string,
  inbound: Exclude<Inbound, { topic: typeof CRQ | typeof PROGRESS | typeof CONTROL }>,
  event: StageEventType,
  ctx: RouteContext,
): RouteResult {
  switch (inbound.topic) {
    case PLAN: {
      const plan = inbound.message;
      draft.planId = plan.id || `${requestId}/plan`;
      // A planner built on the reference stubs lists no tasks: its plan is one task.
      const taskIds = plan.taskIds.length > 0 ? [...new Set(plan.taskIds)] : [`${draft.planId}/task-1`];
      draft.tasks = taskIds.map((id) => ({ id }));
      return transition(draft, { type: event }, ctx);
    }
    case CRES: {
      const result = inbound.message;
      const task = draft.tasks.find((t) => t.id === result.taskId);
      if (!task) {
        const detail = `task ${result.taskId || '(empty)'} is not in plan ${draft.planId}`;
        return reject('unknown_task', detail, stageOf(draft));
      }
      if (task.status !== undefined) {
        return reject(
          'duplicate_task_result',
          `task ${task.id} already reported ${task.status}`,
          stageOf(draft),
        );
      }
      task.status = result.status;
      if (result.commitSha) task.commitSha = result.commitSha;
      if (!isSuccess(result.status)) {
        const detail = `task ${task.id} reported ${result.status || '(empty status)'}`;
        return retryOrFail(fail(draft, 'build_fail', 'task_failed', detail, ctx), ctx);
      }
      if (result.commitSha) draft.headCommit = result.commitSha;
      if (draft.tasks.every((t) => t.status !== undefined && isSuccess(t.status))) {
        return transition(draft, { type: event }, ctx);
      }
      draft.updatedAt = ctx.now;
      return { kind: 'applied', record: draft, commands: [] };
    }
    case BREPORT: {
      const report = inbound.message;
      const build = draft.build;
      // An agent following the protocol echoes the build id (with the request's nonce: a report that
      // names `<id>/build1` without it is stale); a seed agent only has the commit. When build 2
      // builds the same commit as build 1 (no test commit), a commit alone cannot tell a late build-1
      // report from the build-2 one, so only the build id counts.
      const ambiguous = build?.round === 2 && build.commitSha === draft.headCommit;
      const matches = report.buildId
        ? report.buildId === build?.id
        : !ambiguous && report.commitSha === build?.commitSha;
      if (!build || !matches) {
        // The detail goes to the dead-letter topic: it names the round, never the awaited build id,
        // whose nonce is what a forged report lacks.
        const got = report.buildId ? `build id ${report.buildId}` : `commit ${report.commitSha || '(empty)'}`;
        const detail = build
          ? `waiting for build ${build.round} (the build id of the BuildRequest) of commit ${build.commitSha}, got ${got}`
          : `no build in progress, got ${got}`;
        return reject('stale_build_report', detail, stageOf(draft));
      }
      if (!isPassed(report.status)) {
        const detail = `build ${build.round} of commit ${build.commitSha || '(none)'} reported ${report.status || '(empty status)'}`;
        return retryOrFail(fail(draft, 'build_fail', 'build_failed', detail, ctx), ctx);
      }
      return transition(draft, { type: event }, ctx);
    }
    case TSPEC: {
      const spec = inbound.message;
      if (spec.parentCommitSha && spec.parentCommitSha !== draft.build?.commitSha) {
        const detail = `spec for commit ${spec.parentCommitSha}, expected ${draft.build?.commitSha}`;
        return reject('stale_test_spec', detail, stageOf(draft));
      }
      draft.specId = spec.id || `${requestId}/spec`;
      return transition(draft, { type: event }, ctx);
    }
    case GTRES: {
      const tests = inbound.message;
      if (tests.specId && tests.specId !== draft.specId) {
        return reject(
          'unknown_spec',
          `tests for spec ${tests.specId}, expected ${draft.specId}`,
          stageOf(draft),
        );
      }
      if (!isPassed(tests.precheck)) {
        const detail = `generated tests for spec ${draft.specId} failed precheck (${tests.precheck || 'empty'})`;
        return retryOrFail(fail(draft, 'gt_fail', 'precheck_failed', detail, ctx), ctx);
      }
      draft.testsCommit = tests.commitSha || draft.build?.commitSha;
      return transition(draft, { type: event }, ctx);
    }
  }
}

/** A stage's time limits (ms); an absent one does not apply. */
export interface StageLimits {
  /** Since the last sign of life: the command that started the stage, or the agent's last progress. */
  idleMs?: number;
  /** Since the stage was entered, however often the agent reports progress. */
  maxMs?: number;
  /** How long a request may wait for an approval before it is rejected. */
  approvalMs?: number;
}

/**
 * The deadline decision, also pure: a request in a non-final stage regresses with
 * `deadline_exceeded` when its agent has shown no sign of life for longer than `idleMs`, or when it
 * has been in the stage for longer than `maxMs`, as of `asOf` (default `now`: the time before which
 * every input, progress included, has been read). Undefined when nothing is due.
 */
export function expire(
  record: RequestRecord,
  limits: StageLimits,
  ctx: RouteContext & { asOf?: number },
): RouteResult | undefined {
  if (isFinished(record)) return undefined;
  const asOf = ctx.asOf ?? ctx.now;
  // Waiting for an approval: only the approval's own deadline runs, and running out rejects.
  if (record.awaiting) {
    const waited = asOf - record.awaiting.since;
    if (limits.approvalMs === undefined || waited <= limits.approvalMs) return undefined;
    const detail = `approval of ${record.awaiting.stage} timed out after ${Math.round(waited / 1000)}s (limit ${Math.round(limits.approvalMs / 1000)}s)`;
    return stop(structuredClone(record), 'rejected', detail, 'orchestrator', ctx);
  }
  const stage = stageOf(record);
  const seconds = (ms: number) => `${Math.round(ms / 1000)}s`;
  const stayed = asOf - stageEnteredAt(record);
  const idle = asOf - lastSignOfLife(record);
  let detail: string | undefined;
  if (limits.maxMs !== undefined && stayed > limits.maxMs) {
    const heard = record.history.at(-1)?.progress ? `, last progress ${seconds(idle)} ago` : '';
    detail = `deadline exceeded: ${stage} ran for ${seconds(stayed)}, its hard maximum is ${seconds(limits.maxMs)}${heard}`;
  } else if (limits.idleMs !== undefined && idle > limits.idleMs) {
    detail = `deadline exceeded: no progress in ${stage} for ${seconds(idle)} (limit ${seconds(limits.idleMs)})`;
  }
  if (detail === undefined) return undefined;
  return retryOrFail(fail(structuredClone(record), 'build_fail', 'deadline_exceeded', detail, ctx), ctx);
}

function newRecord(
  requestId: string,
  change: {
    requester: string;
    repo: string;
    branch: string;
    description: string;
    budget?: Budget | undefined;
  },
  gates: Stage[],
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
    machineVersion: MACHINE_VERSION,
    tasks: [],
    ...budgetOf(change.budget, ctx.defaultBudget),
    ...(gates.length > 0 ? { gates } : {}),
    history: [{ stage: 'idle', at: ctx.now }],
    createdAt: ctx.now,
    updatedAt: ctx.now,
  };
  if (ctx.traceparent) record.traceparent = ctx.traceparent;
  return record;
}

function notNow(record: RequestRecord, what: string): RouteResult {
  const stage = stageOf(record);
  const reason = isFinalStage(stage) ? 'final_stage' : 'not_accepted_in_stage';
  return reject(reason, `${what} is not accepted in stage ${stage}`, stage);
}

/** The gates of a new request: the defaults and its own, or why its own name no stage that can wait. */
function gatesOf(own: readonly string[], defaults: readonly Stage[] = []): Stage[] | string {
  const unknown = own.filter((s) => !REDRIVABLE.includes(s as Stage));
  if (unknown.length > 0) {
    return `ChangeRequest.approval_stages names ${unknown.join(', ')}: a gate can only be one of ${REDRIVABLE.join(', ')}`;
  }
  return [...new Set([...defaults, ...(own as Stage[])])].sort(
    (a, b) => REDRIVABLE.indexOf(a) - REDRIVABLE.indexOf(b),
  );
}
