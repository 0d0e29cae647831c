// The reference mapping of a request record ↔ the StateRecord message, through protobuf-es'
// reflection (create, the generated schema): what src/domain/state-wire.ts, the fast codec the
// orchestrator uses, is held to by test/state-wire.test.ts. Absent stays absent both ways (the
// message's optional fields). Times and token counts are int64 (bigint here) on the wire.

import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { type StateRecord, StateRecordSchema } from '@pipeline/contracts';
import type { FailureEventType, Stage, StageAction } from '@pipeline/state-machine';
import type { Decision, RequestRecord, StageEntry } from '../../src/domain/request-record.js';

type Init = MessageInitShape<typeof StateRecordSchema>;
type Defined<U> = { [K in keyof U]?: Exclude<U[K], undefined> };

/** `to` with the keys of `from` that are set (not undefined): absent stays absent. */
function defined<T extends object, U extends object>(to: T, from: U): T & Defined<U> {
  for (const [key, value] of Object.entries(from))
    if (value !== undefined) (to as Record<string, unknown>)[key] = value;
  return to as T & Defined<U>;
}

const big = (n: number): bigint => BigInt(Math.trunc(n));
const bigOrUndefined = (n: number | undefined): bigint | undefined => (n === undefined ? undefined : big(n));
const num = (n: bigint): number => Number(n);
const numOrUndefined = (n: bigint | undefined): number | undefined =>
  n === undefined ? undefined : Number(n);

export function toStateMessage(record: RequestRecord): StateRecord {
  const init: Init = {
    version: 2,
    requestId: record.requestId,
    change: record.change,
    stage: record.machine.value,
    tasks: record.tasks.map((t) => defined({ id: t.id }, { status: t.status, commitSha: t.commitSha })),
    history: record.history.map(entryMessage),
    gates: record.gates ?? [],
    decisions: (record.decisions ?? []).map((d) =>
      defined(
        { action: d.action, by: d.by, reason: d.reason, at: big(d.at), stage: d.stage },
        { from: d.from },
      ),
    ),
    createdAt: big(record.createdAt),
    updatedAt: big(record.updatedAt),
  };
  const failure = record.machine.context.failure;
  if (failure)
    init.failure = defined(
      { stage: failure.stage, event: failure.event },
      { reason: failure.reason, detail: record.failureDetail },
    );
  if (record.build) init.build = record.build;
  if (record.awaiting)
    init.awaiting = {
      stage: record.awaiting.stage,
      since: big(record.awaiting.since),
      actions: record.awaiting.actions.map((action) => {
        const { type, ...params } = action as { type: string; round?: number } & Record<string, unknown>;
        return defined(
          { type },
          params as { round?: number; failedStage?: string; event?: string; reason?: string },
        );
      }),
    };
  if (record.budget)
    init.budget = defined(
      {},
      { maxTokens: bigOrUndefined(record.budget.maxTokens), maxCostUsd: record.budget.maxCostUsd },
    );
  defined(init, {
    machineVersion: record.machineVersion,
    planId: record.planId,
    headCommit: record.headCommit,
    specId: record.specId,
    testsCommit: record.testsCommit,
    attempt: record.attempt,
    traceparent: record.traceparent,
    nonce: record.nonce,
  });
  return create(StateRecordSchema, init);
}

function entryMessage(entry: StageEntry): NonNullable<Init['history']>[number] {
  const message = defined(
    { stage: entry.stage as string, at: big(entry.at) },
    { attempt: entry.attempt, approvedAt: bigOrUndefined(entry.approvedAt) },
  );
  const { progress, usage } = entry;
  return defined(message, {
    progress: progress
      ? defined(
          { at: big(progress.at), count: progress.count },
          { note: progress.note, percent: progress.percent },
        )
      : undefined,
    usage: usage
      ? { inputTokens: big(usage.inputTokens), outputTokens: big(usage.outputTokens), costUsd: usage.costUsd }
      : undefined,
  });
}

/**
 * The record a message holds. Stage names are taken as they are written: the caller checks that
 * the stage is one this machine knows and can resume (state-record.ts).
 */
export function fromStateMessage(m: StateRecord): RequestRecord {
  const record: RequestRecord = {
    v: 1,
    requestId: m.requestId,
    change: {
      requester: m.change?.requester ?? '',
      repo: m.change?.repo ?? '',
      branch: m.change?.branch ?? '',
      description: m.change?.description ?? '',
    },
    machine: { value: m.stage as Stage, context: {} },
    tasks: m.tasks.map((t) => defined({ id: t.id }, { status: t.status, commitSha: t.commitSha })),
    history: m.history.map((e) => {
      const entry: StageEntry = defined(
        { stage: e.stage as Stage, at: num(e.at) },
        { attempt: e.attempt, approvedAt: numOrUndefined(e.approvedAt) },
      );
      if (e.progress)
        entry.progress = defined(
          { at: num(e.progress.at), count: e.progress.count },
          { note: e.progress.note, percent: e.progress.percent },
        );
      if (e.usage)
        entry.usage = {
          inputTokens: num(e.usage.inputTokens),
          outputTokens: num(e.usage.outputTokens),
          costUsd: e.usage.costUsd,
        };
      return entry;
    }),
    createdAt: num(m.createdAt),
    updatedAt: num(m.updatedAt),
  };
  if (m.failure) {
    const { stage, event, reason, detail } = m.failure;
    record.machine.context.failure = defined(
      { stage: stage as Stage, event: event as FailureEventType },
      { reason },
    );
    if (detail !== undefined) record.failureDetail = detail;
  }
  if (m.build)
    record.build = { id: m.build.id, round: m.build.round === 2 ? 2 : 1, commitSha: m.build.commitSha };
  if (m.gates.length > 0) record.gates = m.gates as Stage[];
  if (m.awaiting)
    record.awaiting = {
      stage: m.awaiting.stage as Stage,
      since: num(m.awaiting.since),
      actions: m.awaiting.actions.map(
        (a) =>
          defined(
            { type: a.type },
            { round: a.round, failedStage: a.failedStage, event: a.event, reason: a.reason },
          ) as StageAction,
      ),
    };
  if (m.budget)
    record.budget = defined(
      {},
      { maxTokens: numOrUndefined(m.budget.maxTokens), maxCostUsd: m.budget.maxCostUsd },
    );
  if (m.decisions.length > 0)
    record.decisions = m.decisions.map(
      (d): Decision =>
        defined(
          {
            action: d.action as Decision['action'],
            by: d.by,
            reason: d.reason,
            at: num(d.at),
            stage: d.stage as Stage,
          },
          { from: d.from as Stage | undefined },
        ),
    );
  defined(record, {
    machineVersion: m.machineVersion,
    planId: m.planId,
    headCommit: m.headCommit,
    specId: m.specId,
    testsCommit: m.testsCommit,
    attempt: m.attempt,
    traceparent: m.traceparent,
    nonce: m.nonce,
  });
  return record;
}
