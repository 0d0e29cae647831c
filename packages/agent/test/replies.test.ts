import { create } from '@bufbuild/protobuf';
import { BuildReportSchema, CommitResultSchema, decode, PlanSchema } from '@pipeline/contracts';
import { HEADERS, isValidTraceparent, newTraceparent } from '@pipeline/kafka';
import { describe, expect, it } from 'vitest';
import { outcomeOf, replyRecords } from '../src/index.js';

const commit = (taskId: string, status = 'SUCCESS') =>
  create(CommitResultSchema, { taskId, commitSha: 'f'.repeat(40), status });

describe('replyRecords', () => {
  it('keys every reply by the request id and names it in the standard headers', () => {
    const parent = newTraceparent();
    const records = replyRecords('coder', [commit('r/task-1'), commit('r/task-2')], {
      requestId: 'r',
      traceparent: parent,
    });
    expect(records).toHaveLength(2);
    const before = Date.now();
    for (const [i, record] of records.entries()) {
      expect(record.topic).toBe('commit.result.out');
      expect(record.key).toBe('r');
      expect(record.partition).toBeUndefined();
      expect(record.headers[HEADERS.messageType]).toBe('core.CommitResult');
      expect(record.headers[HEADERS.requestId]).toBe('r');
      expect(Number(record.headers[HEADERS.producedAt])).toBeLessThanOrEqual(before);
      expect(Number(record.headers[HEADERS.producedAt])).toBeGreaterThan(before - 60_000);
      expect(decode(CommitResultSchema, record.value ?? Buffer.alloc(0)).taskId).toBe(`r/task-${i + 1}`);
    }
  });

  it("echo the command's attempt, unless the handler named one", () => {
    const mine = { ...commit('r/task-2'), attempt: 7 };
    const records = replyRecords('coder', [commit('r/task-1'), mine], { requestId: 'r', attempt: 3 });
    const attempts = records.map((r) => decode(CommitResultSchema, r.value ?? Buffer.alloc(0)).attempt);
    expect(attempts).toEqual([3, 7]);
  });

  it('puts the replies into a child span of the command: same trace and flags, new span id', () => {
    const parent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const [a, b] = replyRecords('coder', [commit('r/task-1'), commit('r/task-2')], {
      requestId: 'r',
      traceparent: parent,
    });
    const child = a?.headers[HEADERS.traceparent] ?? '';
    expect(isValidTraceparent(child)).toBe(true);
    const [version, traceId, spanId, flags] = child.split('-');
    expect(version).toBe('00');
    expect(traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(spanId).not.toBe('b7ad6b7169203331');
    expect(flags).toBe('01');
    // One span for the agent's work: all replies of one command carry it.
    expect(b?.headers[HEADERS.traceparent]).toBe(child);
  });

  it('starts a new trace for a command without (or with a broken) traceparent', () => {
    for (const traceparent of [undefined, 'garbage']) {
      const [record] = replyRecords('builder', [create(BuildReportSchema, { status: 'PASSED' })], {
        requestId: 'r',
        traceparent,
      });
      expect(isValidTraceparent(record?.headers[HEADERS.traceparent])).toBe(true);
      expect(record?.topic).toBe('build.report.out');
    }
  });

  it('refuses a reply of the wrong type for the role', () => {
    expect(() =>
      replyRecords('builder', [create(PlanSchema, { id: 'x' }) as never], { requestId: 'r' }),
    ).toThrow(/core\.BuildReport/);
  });
});

describe('outcomeOf', () => {
  it('tells silent, failed and ok apart', () => {
    expect(outcomeOf([])).toBe('silent');
    expect(outcomeOf([commit('a'), commit('b')])).toBe('ok');
    expect(outcomeOf([commit('a'), commit('b', 'FAILED')])).toBe('failed');
    expect(outcomeOf([{ precheck: 'FAILED' }])).toBe('failed');
    expect(outcomeOf([{ precheck: 'PASSED' }])).toBe('ok');
  });
});
