import type { RegressionReason } from '@pipeline/contracts';
import {
  isFinalStage,
  type PersistedStageSnapshot,
  type Stage,
  type StageAction,
} from '@pipeline/state-machine';

/** One coding task of the plan and, once the coder answered, its outcome. */
export interface TaskRecord {
  id: string;
  status?: string;
  commitSha?: string;
}

/** The build the orchestrator is waiting for. */
export interface BuildRecord {
  id: string;
  round: 1 | 2;
  commitSha: string;
}

/** What an agent has spent on one stage's command so far (AgentProgress.usage, cumulative). */
export interface UsageRecord {
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

/** The last AgentProgress of a stage: a sign of life, and what the agent said with it. */
export interface StageProgress {
  /** Epoch ms: when the orchestrator read it (its own clock; agents' clocks may be off). */
  at: number;
  /** How many progress messages the stage got. */
  count: number;
  note?: string;
  percent?: number;
}

export interface StageEntry {
  stage: Stage;
  /** Epoch ms. */
  at: number;
  /** Set on the entry that started a new attempt (a retry): its number. */
  attempt?: number;
  /** Epoch ms: when an operator approved the stage (a gated stage starts then, not when entered). */
  approvedAt?: number;
  /** Absent until the agent at work reports progress (older records never have it). */
  progress?: StageProgress;
  /** What the stage's command cost, as its agent last reported it (progress or reply; cumulative). */
  usage?: UsageRecord;
}

/**
 * Everything the orchestrator knows about one change request. The stage, and the failed stage and
 * reason of a regressed request, live in the machine snapshot only; `stageOf` and `failureOf` read
 * them. (The state topic's JSON still spells them out for its readers: see state-record.ts.)
 */
export interface RequestRecord {
  v: 1;
  requestId: string;
  change: { requester: string; repo: string; branch: string; description: string };
  /** The stage machine's own snapshot. */
  machine: PersistedStageSnapshot;
  /** MACHINE_VERSION of the machine the request started on (absent: before versions were recorded). */
  machineVersion?: string;
  planId?: string;
  tasks: TaskRecord[];
  /** The commit that build 1 builds: the last successful commit of the coding stage. */
  headCommit?: string;
  build?: BuildRecord;
  specId?: string;
  /** The commit with the generated tests, built by build 2. */
  testsCommit?: string;
  history: StageEntry[];
  /** Why the request regressed, in words (the machine holds the stage and the reason). */
  failureDetail?: string;
  /** Stages that wait for an operator's approval before they start (ORCH_APPROVAL and the request's own). */
  gates?: Stage[];
  /** Set while the request waits for approval: the gated stage, since when, and the commands held back. */
  awaiting?: { stage: Stage; since: number; actions: StageAction[] };
  /** 1 for the first attempt (absent), 2… after each retry: commands carry it, replies echo it. */
  attempt?: number;
  /** What the agents may spend on it (tokens in + out, US dollars); absent = no limit. */
  budget?: { maxTokens?: number; maxCostUsd?: number };
  /** Operators' decisions on the request (cancel, retry), in order: who, when, why. */
  decisions?: Decision[];
  /** W3C trace context of the change request, passed on to every command. */
  traceparent?: string;
  /**
   * A random value the runtime gives the request when it first stores it (runtime/partition-worker.ts;
   * the decisions here draw no random number). Build ids carry it, so that a BuildReport counts only
   * from someone who read the BuildRequest. Absent only from records written before it existed.
   */
  nonce?: string;
  createdAt: number;
  updatedAt: number;
}

/** An operator's decision on a request, as recorded. */
export interface Decision {
  action: 'cancel' | 'retry' | 'approve' | 'reject';
  /** Who asked (ControlCommand.requested_by). */
  by: string;
  reason: string;
  /** Epoch ms. */
  at: number;
  /** The stage the request was in when it was decided. */
  stage: Stage;
  /** A retry: the stage its attempt started at. */
  from?: Stage;
}

/** Why a request regressed: the stage it failed in, the ticket's reason, and what happened. */
export interface Failure {
  stage: Stage;
  reason: RegressionReason;
  detail: string;
}

export function stageOf(record: RequestRecord): Stage {
  return record.machine.value;
}

/** Done or regressed: nothing moves the request any more. */
export function isFinished(record: RequestRecord): boolean {
  return isFinalStage(stageOf(record));
}

export function failureOf(record: RequestRecord): Failure | undefined {
  const failure = record.machine.context.failure;
  if (!failure) return undefined;
  return {
    stage: failure.stage,
    reason: (failure.reason ?? failure.event) as RegressionReason,
    detail: record.failureDetail ?? '',
  };
}

/** The request's attempt: 1 until it is retried. */
export function attemptOf(record: RequestRecord): number {
  return record.attempt ?? 1;
}

/** When the request entered its current stage. */
export function stageEnteredAt(record: RequestRecord): number {
  const current = record.history.at(-1);
  return current?.approvedAt ?? current?.at ?? record.createdAt;
}

/**
 * The last sign of life of the current stage's agent: its last progress, or else the command that
 * started the stage (sent when the stage was entered). Idle deadlines count from it.
 */
export function lastSignOfLife(record: RequestRecord): number {
  const current = record.history.at(-1);
  return current?.progress?.at ?? stageEnteredAt(record);
}

/** What the agents have spent on the request so far: the last usage of every stage, summed. */
export function usageOf(record: RequestRecord): UsageRecord | undefined {
  const spent = record.history.flatMap((entry) => (entry.usage ? [entry.usage] : []));
  if (spent.length === 0) return undefined;
  return spent.reduce((sum, u) => ({
    inputTokens: sum.inputTokens + u.inputTokens,
    outputTokens: sum.outputTokens + u.outputTokens,
    costUsd: sum.costUsd + u.costUsd,
  }));
}

/**
 * The id of build `round` of a request: `<request id>/build<round>-<nonce>`, unguessable for whoever
 * did not read the BuildRequest (`<request id>/build<round>` for a record without a nonce).
 */
export function buildIdOf(record: RequestRecord, round: 1 | 2): string {
  const id = `${record.requestId}/build${round}`;
  return record.nonce ? `${id}-${record.nonce}` : id;
}

export type AliasKind = 'plan' | 'task' | 'commit' | 'build' | 'spec';

export function alias(kind: AliasKind, id: string): string {
  return `${kind}:${id}`;
}

/**
 * The other ids an agent may send instead of the request id (agents built on the reference stubs
 * send no key). Each maps back to this request.
 */
export function aliasesOf(record: RequestRecord): string[] {
  const aliases: string[] = [];
  if (record.planId) aliases.push(alias('plan', record.planId));
  for (const task of record.tasks) aliases.push(alias('task', task.id));
  for (const task of record.tasks) if (task.commitSha) aliases.push(alias('commit', task.commitSha));
  if (record.build) aliases.push(alias('build', record.build.id), alias('commit', record.build.commitSha));
  if (record.specId) aliases.push(alias('spec', record.specId));
  if (record.testsCommit) aliases.push(alias('commit', record.testsCommit));
  return [...new Set(aliases)];
}
