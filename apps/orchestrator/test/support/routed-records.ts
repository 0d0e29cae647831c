import { create } from '@bufbuild/protobuf';
import { BuildReportSchema, ChangeRequestSchema, CommitResultSchema, PlanSchema } from '@pipeline/contracts';
import { partitionFor } from '@pipeline/kafka';
import { BREPORT, CRES, CRQ, PLAN, STATE } from '@pipeline/topics';
import type { Inbound } from '../../src/domain/correlate.js';
import type { RequestRecord } from '../../src/domain/request-record.js';
import { route } from '../../src/domain/route.js';
import { encodeState } from '../../src/domain/state-record.js';
import type { TestPipeline } from './pipeline.js';

/**
 * A realistic record, made by the router itself at `now`: regressed at build 1 (its build failed), or
 * waiting for that build. Its one task is `t1`, its commit `<id>-c1`.
 */
export function routedRecord(id: string, finished: boolean, now = Date.now()): RequestRecord {
  const steps: Inbound[] = [
    {
      topic: CRQ,
      message: create(ChangeRequestSchema, { id, repo: 'demo', branch: 'main', description: 'restore' }),
    },
    { topic: PLAN, message: create(PlanSchema, { id: `${id}/plan`, parentRequestId: id, taskIds: ['t1'] }) },
    {
      topic: CRES,
      message: create(CommitResultSchema, { taskId: 't1', commitSha: `${id}-c1`, status: 'SUCCESS' }),
    },
  ];
  if (finished)
    steps.push({
      topic: BREPORT,
      message: create(BuildReportSchema, { commitSha: `${id}-c1`, status: 'FAILED' }),
    });
  let record: RequestRecord | undefined;
  for (const step of steps) {
    const result = route(record, id, step, { now });
    if (result.kind !== 'applied') throw new Error(result.detail);
    record = result.record;
  }
  return record as RequestRecord;
}

/** Writes states to the state topic behind the orchestrator's back, 1,000 at a time. */
export async function writeStates(pipeline: TestPipeline, records: readonly RequestRecord[]): Promise<void> {
  for (let i = 0; i < records.length; i += 1000)
    await pipeline.sendRecords(
      records.slice(i, i + 1000).map((r) => ({
        topic: STATE,
        key: r.requestId,
        value: encodeState(r),
        headers: {},
        partition: partitionFor(r.requestId, pipeline.partitions),
      })),
    );
}
