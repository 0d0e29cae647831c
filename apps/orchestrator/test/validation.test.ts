import { create, toBinary } from '@bufbuild/protobuf';
import { ChangeRequestSchema, CommitResultSchema, PlanSchema } from '@pipeline/contracts';
import { HEADERS, partitionFor } from '@pipeline/kafka/records';
import { CRES, CRQ, DLQ, PLAN } from '@pipeline/topics';
import { describe, expect, it } from 'vitest';
import { decideBatch, type RawInbound } from '../src/domain/decide-batch.js';
import type { RequestRecord } from '../src/domain/request-record.js';
import { route } from '../src/domain/route.js';

// Issue 10, finding 3 ("garbage starts change requests"): records of another type, or without the
// fields that give them a meaning, must go to the dead-letter topic and start or change nothing.
const partitions = 12;
const idOn = (partition: number, prefix = 'cr') => {
  for (let i = 0; ; i++)
    if (partitionFor(`${prefix}-${i}`, partitions) === partition) return `${prefix}-${i}`;
};
const raw = (over: Partial<RawInbound>): RawInbound => ({
  topic: CRQ,
  partition: 0,
  offset: '7',
  key: undefined,
  value: null,
  headers: {},
  ...over,
  // The bytes as they came: the text forms unless a test gives others.
  rawKey: over.rawKey !== undefined ? over.rawKey : over.key === undefined ? null : Buffer.from(over.key),
  rawHeaders: over.rawHeaders ?? over.headers ?? {},
});
const bytes = <T extends Parameters<typeof toBinary>[0]>(schema: T, init: Parameters<typeof create<T>>[1]) =>
  Buffer.from(toBinary(schema, create(schema, init)));

function decide(messages: RawInbound[], partition: number, records: RequestRecord[] = []) {
  const byId = new Map(records.map((r) => [r.requestId, r]));
  return decideBatch(messages, {
    partition,
    numPartitions: partitions,
    now: 1000,
    maxTransactionBytes: 512 * 1024,
    getRecord: (id) => byId.get(id),
    lookupAlias: () => [],
    nonce: () => 'n0',
  });
}

/** A request waiting for its plan, made by the router itself. */
function inPlanPhase(id: string): RequestRecord {
  const crq = create(ChangeRequestSchema, { id, repo: 'demo', branch: 'main' });
  const result = route(undefined, id, { topic: CRQ, message: crq }, { now: 1 });
  if (result.kind !== 'applied') throw new Error(result.detail);
  return result.record;
}

function deadLetterOf(plan: ReturnType<typeof decide>) {
  expect(plan.updated.size).toBe(0);
  expect(plan.records).toHaveLength(1);
  const [record] = plan.records;
  expect(record?.topic).toBe(DLQ);
  return { reason: record?.headers[HEADERS.dlqReason], error: record?.headers[HEADERS.dlqError] ?? '' };
}

describe('garbage starts change requests (validation at the door)', () => {
  it('a record whose x-message-type names another type is dead-lettered as wrong_type', () => {
    const id = idOn(2);
    const plan = bytes(PlanSchema, { id: 'p1', parentRequestId: id, taskIds: ['t1'] });
    const letter = deadLetterOf(
      decide(
        [raw({ partition: 2, key: id, value: plan, headers: { [HEADERS.messageType]: 'core.Plan' } })],
        2,
      ),
    );
    expect(letter.reason).toBe('wrong_type');
    expect(letter.error).toContain('core.Plan');
    expect(letter.error).toContain('core.ChangeRequest');
  });

  it('an empty value keyed by an unknown id is dead-lettered as invalid, naming the field', () => {
    const id = idOn(3);
    const letter = deadLetterOf(decide([raw({ partition: 3, key: id, value: Buffer.alloc(0) })], 3));
    expect(letter.reason).toBe('invalid');
    expect(letter.error).toMatch(/ChangeRequest\.id/);
  });

  it('a ChangeRequest without a repo is invalid, naming the field', () => {
    const id = idOn(4);
    const value = bytes(ChangeRequestSchema, { id, branch: 'main' });
    const letter = deadLetterOf(decide([raw({ partition: 4, key: id, value })], 4));
    expect(letter.reason).toBe('invalid');
    expect(letter.error).toMatch(/ChangeRequest\.repo/);
  });

  it('a ChangeRequest keyed by another id than its own is invalid', () => {
    const id = idOn(5);
    const value = bytes(ChangeRequestSchema, { id: 'someone-else', repo: 'demo' });
    const letter = deadLetterOf(decide([raw({ partition: 5, key: id, value })], 5));
    expect(letter.reason).toBe('invalid');
    expect(letter.error).toMatch(/ChangeRequest\.id/);
  });

  it('ChangeRequest bytes on plan.out are not applied as the Plan of a request in plan_phase', () => {
    const id = idOn(6);
    const record = inPlanPhase(id);
    // No branch: field 4 of a ChangeRequest (branch) is Plan.usage since issue 13, and a branch name
    // is no Usage: those bytes are undecodable as a Plan, refused for that reason instead.
    const value = bytes(ChangeRequestSchema, { id, requester: 'kil', repo: 'demo' });
    const typed = decide(
      [
        raw({
          topic: PLAN,
          partition: 6,
          key: id,
          value,
          headers: { [HEADERS.messageType]: 'core.ChangeRequest' },
        }),
      ],
      6,
      [record],
    );
    expect(deadLetterOf(typed).reason).toBe('wrong_type');
    // Without the header the bytes decode as a Plan whose parent_request_id is the requester.
    const untyped = decide([raw({ topic: PLAN, partition: 6, key: id, value })], 6, [record]);
    const letter = deadLetterOf(untyped);
    expect(letter.reason).toBe('invalid');
    expect(letter.error).toMatch(/Plan\.parent_request_id/);
    const withBranch = bytes(ChangeRequestSchema, { id, requester: 'kil', repo: 'demo', branch: 'main' });
    const undecodable = decide([raw({ topic: PLAN, partition: 6, key: id, value: withBranch })], 6, [record]);
    expect(deadLetterOf(undecodable).reason).toBe('undecodable');
  });

  it('a status outside the known set is invalid, not a failure', () => {
    const id = idOn(7);
    const value = bytes(CommitResultSchema, { taskId: 't1', commitSha: 'c1', status: 'MAYBE' });
    const letter = deadLetterOf(decide([raw({ topic: CRES, partition: 7, key: id, value })], 7));
    expect(letter.reason).toBe('invalid');
    expect(letter.error).toMatch(/CommitResult\.status/);
    expect(letter.error).toContain('SUCCESS');
  });

  it('a matching x-message-type and complete fields pass', () => {
    const id = idOn(8);
    const value = bytes(ChangeRequestSchema, { id, repo: 'demo' });
    const plan = decide(
      [raw({ partition: 8, key: id, value, headers: { [HEADERS.messageType]: 'core.ChangeRequest' } })],
      8,
    );
    expect(plan.updated.has(id)).toBe(true);
  });
});
