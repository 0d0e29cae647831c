import { isFinished, stageOf } from '../domain/request-record.js';
import { decodeState } from '../domain/state-record.js';
import { finishedSummary } from '../domain/state-summary.js';
import type { StoreChange } from './state-store.js';

/**
 * What one record of state partition `partition` (key `requestId`) does to the store: a put with the
 * columns the store filters on, a forget (a tombstone), or a record this version cannot read (kept
 * with why, never taken for a forgotten request).
 */
export function storeChangeOf(requestId: string, partition: number, value: Buffer | null): StoreChange {
  if (value === null) return { kind: 'forget', requestId };
  // Nearly all of a long history is finished requests: those are read without a full decode.
  const finished = finishedSummary(value);
  if (finished) {
    const { stage, repo, requester, createdAt, updatedAt } = finished;
    return {
      kind: 'put',
      request: { requestId, partition, stage, finished: true, repo, requester, createdAt, updatedAt, value },
    };
  }
  const decoded = decodeState(value);
  if (!decoded.ok) return { kind: 'unreadable', requestId, partition, why: decoded.why };
  const { record } = decoded;
  return {
    kind: 'put',
    request: {
      requestId,
      partition,
      stage: stageOf(record),
      finished: isFinished(record),
      repo: record.change.repo,
      requester: record.change.requester,
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
      value,
    },
  };
}
