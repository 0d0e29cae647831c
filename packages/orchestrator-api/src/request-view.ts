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

export interface StageEntryView {
  stage: Stage;
  /** ISO 8601. */
  at: string;
}

/** What `GET /requests/{id}` answers: the public shape, independent of the orchestrator's stored record. */
export interface RequestView {
  id: string;
  stage: Stage;
  /** `done` or `regress`: the request will not change any more. */
  final: boolean;
  change: RequestChange;
  ids: {
    plan?: string;
    tasks: TaskView[];
    build?: string;
    spec?: string;
    testsCommit?: string;
  };
  failure?: RequestFailure;
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
