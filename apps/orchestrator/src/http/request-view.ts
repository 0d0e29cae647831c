import type { RequestView } from '@pipeline/orchestrator-api';
import { failureOf, isFinished, type RequestRecord, stageOf } from '../domain/request-record.js';

/** The public shape of `GET /requests/{id}` (@pipeline/orchestrator-api) of a stored record. */
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
