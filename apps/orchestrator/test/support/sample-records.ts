// Request records with every field a record can have, made by the orchestrator's own decisions
// (route, expire): a request in plan_phase, coding, finished, regressed, cancelled, retried, gated and
// approved. The JSON Schema test and the state-record codec test check them.
import { create } from '@bufbuild/protobuf';
import {
  AgentProgressSchema,
  BuildReportSchema,
  ChangeRequestSchema,
  CommitResultSchema,
  ControlCommandSchema,
  GeneratedTestsSchema,
  PlanSchema,
  TestSpecSchema,
} from '@pipeline/contracts';
import { BREPORT, CONTROL, CRES, CRQ, GTRES, PLAN, PROGRESS, TSPEC } from '@pipeline/topics';
import type { Inbound } from '../../src/domain/correlate.js';
import type { RequestRecord } from '../../src/domain/request-record.js';
import { expire, route } from '../../src/domain/route.js';

const ID = 'cr-schema';
let now = 1_767_225_600_000;
function run(record: RequestRecord | undefined, ...messages: Inbound[]): RequestRecord {
  let current = record;
  for (const inbound of messages) {
    now += 1000;
    const result = route(current, ID, inbound, {
      now,
      nonce: '0123456789abcdef',
      traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`,
    });
    if (result.kind !== 'applied') throw new Error(`${result.kind}: ${result.detail}`);
    current = result.record;
  }
  if (!current) throw new Error('no record');
  return current;
}

const progress = (stage: string, percent?: number): Inbound => ({
  topic: PROGRESS,
  message: create(AgentProgressSchema, {
    requestId: ID,
    stage,
    note: `working on ${stage}`,
    ...(percent === undefined ? {} : { percent }),
    usage: { inputTokens: 1000n, outputTokens: 200n, costUsd: 0.0125 },
  }),
});

/** A request in plan_phase, one that finished, one that regressed: every field the record can have. */
export function sampleRecords(): Record<string, RequestRecord> {
  const crq: Inbound = {
    topic: CRQ,
    message: create(ChangeRequestSchema, {
      id: ID,
      requester: 'ann',
      repo: 'acme/shop',
      branch: 'main',
      description: 'add a badge',
    }),
  };
  const planning = run(undefined, crq);
  const coding = run(
    planning,
    progress('plan_phase', 0),
    { topic: PLAN, message: create(PlanSchema, { id: 'p', parentRequestId: ID, taskIds: ['t1'] }) },
    progress('code_phase', 50),
  );
  const built = run(coding, {
    topic: CRES,
    message: create(CommitResultSchema, { taskId: 't1', commitSha: 'c1', status: 'SUCCESS' }),
  });
  const buildId = built.build?.id ?? '';
  const done = run(
    built,
    { topic: BREPORT, message: create(BuildReportSchema, { commitSha: 'c1', buildId, status: 'PASSED' }) },
    { topic: TSPEC, message: create(TestSpecSchema, { id: 's1', parentCommitSha: 'c1' }) },
    progress('test_build'),
    {
      topic: GTRES,
      message: create(GeneratedTestsSchema, { specId: 's1', commitSha: 'c2', precheck: 'PASSED' }),
    },
  );
  const finished = run(done, {
    topic: BREPORT,
    message: create(BuildReportSchema, { commitSha: 'c2', buildId: done.build?.id ?? '', status: 'PASSED' }),
  });
  const regressed = expire(coding, { idleMs: 1000 }, { now: now + 10_000 });
  if (regressed?.kind !== 'applied') throw new Error('expected a regression');
  const budgeted = run(undefined, {
    topic: CRQ,
    message: create(ChangeRequestSchema, {
      id: ID,
      repo: 'r',
      budget: { maxTokens: 5000n, maxCostUsd: 2.5 },
    }),
  });
  const cancelled = run(budgeted, {
    topic: CONTROL,
    message: create(ControlCommandSchema, {
      requestId: ID,
      requestedBy: 'ann',
      reason: 'not needed',
      action: { case: 'cancel', value: {} },
    }),
  });
  const retried = run(regressed.record, {
    topic: CONTROL,
    message: create(ControlCommandSchema, {
      requestId: ID,
      requestedBy: 'ann',
      reason: 'try again',
      action: { case: 'retry', value: { fromStage: 'code_phase' } },
    }),
  });
  const gated = run(undefined, {
    topic: CRQ,
    message: create(ChangeRequestSchema, { id: ID, repo: 'r', approvalStages: ['plan_phase'] }),
  });
  const approved = run(gated, {
    topic: CONTROL,
    message: create(ControlCommandSchema, {
      requestId: ID,
      requestedBy: 'ann',
      action: { case: 'approve', value: {} },
    }),
  });
  return { planning, coding, finished, regressed: regressed.record, cancelled, retried, gated, approved };
}
