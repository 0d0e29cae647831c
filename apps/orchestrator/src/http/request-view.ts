import { type ProgressView, REQUEST_VIEW_VERSION, type RequestView } from '@pipeline/orchestrator-api';
import {
  attemptOf,
  failureOf,
  isFinished,
  type RequestRecord,
  type StageProgress,
  stageOf,
  usageOf,
} from '../domain/request-record.js';

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
  const final = isFinished(record);
  const view: RequestView = {
    v: REQUEST_VIEW_VERSION,
    id: record.requestId,
    stage: stageOf(record),
    final,
    attempt: attemptOf(record),
    ...(record.machineVersion ? { machineVersion: record.machineVersion } : {}),
    change: record.change,
    ids,
    history: record.history.map((h) => ({
      stage: h.stage,
      at: new Date(h.at).toISOString(),
      ...(h.attempt === undefined ? {} : { attempt: h.attempt }),
      ...(h.progress ? { progress: toProgressView(h.progress) } : {}),
      ...(h.usage ? { usage: h.usage } : {}),
    })),
    createdAt: new Date(record.createdAt).toISOString(),
    updatedAt: new Date(record.updatedAt).toISOString(),
  };
  const failure = failureOf(record);
  if (failure) view.failure = failure;
  const current = record.history.at(-1)?.progress;
  if (current && !final) view.progress = toProgressView(current);
  const usage = usageOf(record);
  if (usage) view.usage = usage;
  if (record.budget) view.budget = { ...record.budget };
  if (record.gates?.length) view.gates = [...record.gates];
  if (record.awaiting) {
    view.awaitingApproval = {
      stage: record.awaiting.stage,
      since: new Date(record.awaiting.since).toISOString(),
    };
  }
  if (record.decisions?.length) {
    view.decisions = record.decisions.map((d) => ({ ...d, at: new Date(d.at).toISOString() }));
  }
  return view;
}

function toProgressView(progress: StageProgress): ProgressView {
  const view: ProgressView = { at: new Date(progress.at).toISOString(), count: progress.count };
  if (progress.note !== undefined) view.note = progress.note;
  if (progress.percent !== undefined) view.percent = progress.percent;
  return view;
}
