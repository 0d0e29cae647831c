import type { Stage } from '@pipeline/state-machine';
import {
  type Failure,
  failureOf,
  isFinished,
  type RequestRecord,
  stageOf,
} from '../domain/request-record.js';

/** What `GET /requests/{id}` answers: the public shape, independent of the stored record. */
export interface RequestView {
  id: string;
  stage: Stage;
  final: boolean;
  change: RequestRecord['change'];
  ids: {
    plan?: string;
    tasks: Array<{ id: string; status?: string; commit?: string }>;
    build?: string;
    spec?: string;
    testsCommit?: string;
  };
  failure?: Failure;
  history: Array<{ stage: Stage; at: string }>;
  createdAt: string;
  updatedAt: string;
}

export function toRequestView(record: RequestRecord): RequestView {
  const ids: RequestView['ids'] = {
    tasks: record.tasks.map((t) => ({
      id: t.id,
      ...(t.status === undefined ? {} : { status: t.status }),
      ...(t.commitSha === undefined ? {} : { commit: t.commitSha }),
    })),
  };
  if (record.planId) ids.plan = record.planId;
  if (record.build) ids.build = record.build.id;
  if (record.specId) ids.spec = record.specId;
  if (record.testsCommit) ids.testsCommit = record.testsCommit;
  const view: RequestView = {
    id: record.requestId,
    stage: stageOf(record),
    final: isFinished(record),
    change: record.change,
    ids,
    history: record.history.map((h) => ({ stage: h.stage, at: new Date(h.at).toISOString() })),
    createdAt: new Date(record.createdAt).toISOString(),
    updatedAt: new Date(record.updatedAt).toISOString(),
  };
  const failure = failureOf(record);
  if (failure) view.failure = failure;
  return view;
}
