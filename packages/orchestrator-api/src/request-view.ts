import type { RegressionReason } from '@pipeline/contracts';
import type { Stage } from '@pipeline/state-machine';

/** What the change request asks for, as submitted. */
export interface RequestChange {
  requester: string;
  repo: string;
  branch: string;
  description: string;
}

/** One coding task of the plan and, once the coder answered, its status and commit. */
export interface TaskView {
  id: string;
  /** CommitResult.status as the coder reported it (`SUCCESS`, anything else is a failure). */
  status?: string;
  commit?: string;
}

/** Why a request regressed: the stage it failed in and its RegressionTicket reason. */
export interface RequestFailure {
  stage: Stage;
  reason: RegressionReason;
  detail: string;
}

/** What agents have spent: tokens in and out, and cost in US dollars. */
export interface UsageView {
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

/** The last AgentProgress of a stage. */
export interface ProgressView {
  /** ISO 8601: when the orchestrator read it. */
  at: string;
  /** How many progress messages the stage got. */
  count: number;
  note?: string;
  /** 0 to 100. */
  percent?: number;
}

export interface StageEntryView {
  stage: Stage;
  /** ISO 8601. */
  at: string;
  /** Set on the entry that started a new attempt (a retry). */
  attempt?: number;
  progress?: ProgressView;
  /** What the stage's command cost, as its agent last reported it. */
  usage?: UsageView;
}

/** An operator's decision on the request (ControlCommand), as recorded. */
export interface DecisionView {
  action: 'cancel' | 'retry' | 'approve' | 'reject';
  /** Who asked. */
  by: string;
  reason: string;
  /** ISO 8601. */
  at: string;
  /** The stage the request was in. */
  stage: Stage;
  /** A retry: the stage its attempt started at. */
  from?: Stage;
}

/** The version of the RequestView shape; docs/schemas/request-view.v1.schema.json describes it. */
export const REQUEST_VIEW_VERSION = 1;

/** What `GET /requests/{id}` answers: the public shape, independent of the orchestrator's stored record. */
export interface RequestView {
  /** REQUEST_VIEW_VERSION: a reader checks it before it reads the rest. */
  v: typeof REQUEST_VIEW_VERSION;
  id: string;
  stage: Stage;
  /** `done` or `regress`: no agent moves it any more (an operator may still retry a regressed one). */
  final: boolean;
  /** 1, then 2… after each retry. */
  attempt: number;
  /** The version of the stage machine the request started on (absent for requests from before versions). */
  machineVersion?: string;
  change: RequestChange;
  ids: {
    plan?: string;
    tasks: TaskView[];
    build?: string;
    spec?: string;
    testsCommit?: string;
  };
  failure?: RequestFailure;
  /** The current stage's last progress (absent once final, or before the agent reports any). */
  progress?: ProgressView;
  /** The usage of every stage, summed (absent when no agent reported any). */
  usage?: UsageView;
  /** What the agents may spend on it (absent: no limit). */
  budget?: { maxTokens?: number; maxCostUsd?: number };
  /** Operators' decisions, in order. */
  decisions?: DecisionView[];
  /** Stages that wait for an operator's approval before they start. */
  gates?: Stage[];
  /** Set while the request waits for an approval of `stage` (since: ISO 8601). */
  awaitingApproval?: { stage: Stage; since: string };
  history: StageEntryView[];
  /** ISO 8601. */
  createdAt: string;
  /** ISO 8601. */
  updatedAt: string;
}

/** The path of a request's view: `/requests/<id, URL-encoded>`. */
export function requestPath(id: string): string {
  return `/requests/${encodeURIComponent(id)}`;
}

/** Milliseconds from the first to the last stage change: the request's end-to-end time so far. */
export function historySpanMs(view: Pick<RequestView, 'history'>): number | undefined {
  const first = view.history[0];
  const last = view.history.at(-1);
  if (!first || !last) return undefined;
  return Date.parse(last.at) - Date.parse(first.at);
}
