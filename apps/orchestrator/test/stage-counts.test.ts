import { create } from '@bufbuild/protobuf';
import { ChangeRequestSchema, CommitResultSchema, PlanSchema } from '@pipeline/contracts';
import { CRES, CRQ, PLAN } from '@pipeline/topics';
import { describe, expect, it } from 'vitest';
import type { Inbound } from '../src/domain/correlate.js';
import { type CountKey, RequestIndex } from '../src/domain/request-index.js';
import type { RequestRecord } from '../src/domain/request-record.js';
import { route } from '../src/domain/route.js';
import { createMetrics } from '../src/metrics.js';

function step(record: RequestRecord | undefined, id: string, inbound: Inbound): RequestRecord {
  const result = route(record, id, inbound, { now: 1_000 });
  if (result.kind !== 'applied')
    throw new Error(`${result.kind === 'rejected' ? result.reason : result.kind}: ${result.detail}`);
  return result.record;
}

/** A request in plan_phase, then code_phase, then regress. */
function lifeOf(id: string): RequestRecord[] {
  const planning = step(undefined, id, {
    topic: CRQ,
    message: create(ChangeRequestSchema, { id, repo: 'demo', branch: 'main' }),
  });
  const coding = step(planning, id, {
    topic: PLAN,
    message: create(PlanSchema, { id: `${id}/plan`, parentRequestId: id, taskIds: ['t1'] }),
  });
  const failed = step(coding, id, {
    topic: CRES,
    message: create(CommitResultSchema, { taskId: 't1', commitSha: 'c1', status: 'FAILED' }),
  });
  return [planning, coding, failed];
}

const counts = (index: RequestIndex) => Object.fromEntries(index.countsByStage());

describe('finding 13: per-stage counts kept as records are put and forgotten', () => {
  it('counts each request once, in its current stage', () => {
    const index = new RequestIndex();
    const [a0, a1, a2] = lifeOf('a') as [RequestRecord, RequestRecord, RequestRecord];
    const [b0] = lifeOf('b') as [RequestRecord];
    index.put(a0);
    index.put(b0);
    expect(counts(index)).toEqual({ plan_phase: 2 });
    index.put(a1);
    expect(counts(index)).toEqual({ plan_phase: 1, code_phase: 1 });
    index.put(a2);
    index.put(a2);
    expect(counts(index)).toEqual({ plan_phase: 1, regress: 1 });
    index.forget('b');
    index.forget('b');
    expect(counts(index)).toEqual({ regress: 1 });
    index.clear();
    expect(counts(index)).toEqual({});
  });

  it('tells a listener every change, so a gauge follows without walking the requests', () => {
    const metrics = createMetrics();
    const index = new RequestIndex((stage: CountKey, delta: number) =>
      metrics.requestsInFlight.inc({ stage }, delta),
    );
    const lives = ['a', 'b', 'c'].map(lifeOf) as Array<[RequestRecord, RequestRecord, RequestRecord]>;
    for (const [planning] of lives) index.put(planning);
    index.put(lives[0]?.[1] as RequestRecord);
    index.put(lives[1]?.[2] as RequestRecord);
    // A scrape must not read the records: nothing may iterate them while it runs.
    index.values = () => {
      throw new Error('a scrape walked the requests');
    };
    return metrics.registry
      .metrics()
      .then((text) => {
        expect(text).toContain('orch_requests_in_flight{stage="plan_phase"} 1');
        expect(text).toContain('orch_requests_in_flight{stage="code_phase"} 1');
        expect(text).toContain('orch_requests_in_flight{stage="regress"} 1');
        expect(text).toContain('orch_requests_in_flight{stage="awaiting_approval"} 0');
        index.clear();
        return metrics.registry.metrics();
      })
      .then((text) => {
        for (const stage of ['plan_phase', 'code_phase', 'regress'])
          expect(text).toContain(`orch_requests_in_flight{stage="${stage}"} 0`);
      });
  });
});
