import { create } from '@bufbuild/protobuf';
import {
  BuildReportSchema,
  ChangeRequestSchema,
  CommitResultSchema,
  GeneratedTestsSchema,
  PlanSchema,
  TestSpecSchema,
} from '@pipeline/contracts';
import { BREPORT, CRES, CRQ, GTRES, PLAN, TSPEC } from '@pipeline/topics';
import { describe, expect, it } from 'vitest';
import { correlate } from '../src/domain/correlate.js';
import { aliasesOf, type RequestRecord } from '../src/domain/request-record.js';

const record = {
  requestId: 'cr-1',
  planId: 'p1',
  tasks: [{ id: 't1', commitSha: 'c1', status: 'SUCCESS' }, { id: 't2' }],
  build: { id: 'cr-1/build1', round: 1, commitSha: 'c1' },
  specId: 's1',
  testsCommit: 'c3',
} as unknown as RequestRecord;
const index = new Map(aliasesOf(record).map((a) => [a, record.requestId]));
const lookup = (a: string) => {
  const id = index.get(a);
  return id === undefined ? [] : [id];
};

describe('correlate', () => {
  it('takes the key when there is one', () => {
    const m = { topic: CRES, message: create(CommitResultSchema, { taskId: 'zzz' }) } as const;
    expect(correlate(m, 'cr-9', lookup)).toEqual({ ok: true, requestId: 'cr-9', via: 'key' });
  });

  it('reads the request id from ChangeRequest and Plan payloads', () => {
    expect(
      correlate({ topic: CRQ, message: create(ChangeRequestSchema, { id: 'cr-7' }) }, undefined, lookup),
    ).toMatchObject({
      requestId: 'cr-7',
      via: 'payload',
    });
    expect(
      correlate({ topic: PLAN, message: create(PlanSchema, { parentRequestId: 'cr-8' }) }, undefined, lookup),
    ).toMatchObject({
      requestId: 'cr-8',
    });
  });

  it('refuses a ChangeRequest whose key and id disagree', () => {
    const m = { topic: CRQ, message: create(ChangeRequestSchema, { id: 'a' }) } as const;
    expect(correlate(m, 'b', lookup)).toMatchObject({ ok: false });
  });

  it('finds keyless agent replies by the ids the request knows', () => {
    expect(
      correlate({ topic: CRES, message: create(CommitResultSchema, { taskId: 't2' }) }, undefined, lookup),
    ).toMatchObject({
      requestId: 'cr-1',
      via: 'task',
    });
    expect(
      correlate(
        { topic: BREPORT, message: create(BuildReportSchema, { commitSha: 'c1' }) },
        undefined,
        lookup,
      ),
    ).toMatchObject({
      via: 'commit',
    });
    expect(
      correlate(
        { topic: TSPEC, message: create(TestSpecSchema, { parentCommitSha: 'c1' }) },
        undefined,
        lookup,
      ),
    ).toMatchObject({
      requestId: 'cr-1',
    });
    expect(
      correlate({ topic: GTRES, message: create(GeneratedTestsSchema, { specId: 's1' }) }, undefined, lookup),
    ).toMatchObject({
      via: 'spec',
    });
  });

  it('says what it tried when nothing matches', () => {
    const result = correlate(
      { topic: CRES, message: create(CommitResultSchema, { taskId: 'nope' }) },
      undefined,
      lookup,
    );
    expect(result).toEqual({
      ok: false,
      reason: 'uncorrelated',
      detail: 'no key, and no request knows task:nope',
    });
    expect(correlate({ topic: BREPORT, message: create(BuildReportSchema, {}) }, undefined, lookup)).toEqual({
      ok: false,
      reason: 'uncorrelated',
      detail: 'no key and no id in the payload',
    });
  });

  it('refuses a keyless reply whose id belongs to several requests (finding 8)', () => {
    const shared = (a: string) => (a === 'task:t1' ? ['cr-1', 'cr-2'] : []);
    const m = {
      topic: CRES,
      message: create(CommitResultSchema, { taskId: 't1', commitSha: 'zz' }),
    } as const;
    expect(correlate(m, undefined, shared)).toEqual({
      ok: false,
      reason: 'ambiguous',
      detail: 'no key, and task:t1 belongs to several requests: cr-1, cr-2',
    });
  });
});
