// Issue 13: an operator's cancel and a spent budget end a request in the same transactional path as
// everything else: it regresses (cancelled, budget_exceeded), the decision is recorded, and the agent
// at work is told to stop (AgentCancel).
import { create } from '@bufbuild/protobuf';
import {
  AgentProgressSchema,
  ChangeRequestSchema,
  CommitResultSchema,
  ControlCommandSchema,
  PlanSchema,
} from '@pipeline/contracts';
import { CANCEL, CONTROL, CRES, CRQ, PLAN, PROGRESS, REG } from '@pipeline/topics';
import { describe, expect, it } from 'vitest';
import type { Inbound } from '../src/domain/correlate.js';
import { failureOf, type RequestRecord, stageOf, usageOf } from '../src/domain/request-record.js';
import { type RouteResult, route } from '../src/domain/route.js';

const ID = 'cr-ops';
let now = 1_000_000;
const ctx = (extra: object = {}) => {
  now += 1000;
  return { now, ...extra };
};

function applied(result: RouteResult): Extract<RouteResult, { kind: 'applied' }> {
  if (result.kind !== 'applied') throw new Error(`expected applied, got ${result.kind}: ${result.detail}`);
  return result;
}

const crq = (budget?: { maxTokens?: bigint; maxCostUsd?: number }): Inbound => ({
  topic: CRQ,
  message: create(ChangeRequestSchema, {
    id: ID,
    repo: 'demo',
    branch: 'main',
    ...(budget ? { budget } : {}),
  }),
});
const plan: Inbound = {
  topic: PLAN,
  message: create(PlanSchema, { id: 'p', parentRequestId: ID, taskIds: ['t1', 't2'] }),
};
const cancel = (reason = 'wrong repo', requestedBy = 'ann'): Inbound => ({
  topic: CONTROL,
  message: create(ControlCommandSchema, {
    requestId: ID,
    requestedBy,
    reason,
    action: { case: 'cancel', value: {} },
  }),
});
const usage = (inputTokens: bigint, costUsd = 0) => ({ inputTokens, outputTokens: 0n, costUsd });

function coding(budget?: Parameters<typeof crq>[0], defaultBudget?: object): RequestRecord {
  const planning = applied(
    route(undefined, ID, crq(budget), ctx(defaultBudget ? { defaultBudget } : {})),
  ).record;
  return applied(route(planning, ID, plan, ctx())).record;
}

describe('cancel', () => {
  it('regresses a request in any non-final stage with cancelled, records who and why, and tells its agent', () => {
    const result = applied(route(coding(), ID, cancel(), ctx()));
    expect(stageOf(result.record)).toBe('regress');
    expect(failureOf(result.record)).toEqual({
      stage: 'code_phase',
      reason: 'cancelled',
      detail: 'cancelled by ann in code_phase: wrong repo',
    });
    expect(result.record.decisions).toEqual([
      { action: 'cancel', by: 'ann', reason: 'wrong repo', at: now, stage: 'code_phase' },
    ]);
    expect(result.commands.map((c) => c.topic)).toEqual([REG, CANCEL]);
    expect(result.commands[0]?.message).toMatchObject({ reason: 'cancelled', failedStage: 'code_phase' });
    expect(result.commands[1]?.message).toMatchObject({
      requestId: ID,
      stage: 'code_phase',
      reason: 'cancelled',
      requestedBy: 'ann',
    });
  });

  it('refuses to cancel a final request, an unknown one, or a command with no action', () => {
    const cancelled = applied(route(coding(), ID, cancel(), ctx())).record;
    expect(route(cancelled, ID, cancel(), ctx())).toMatchObject({ kind: 'rejected', reason: 'final_stage' });
    expect(route(undefined, ID, cancel(), ctx())).toMatchObject({
      kind: 'rejected',
      reason: 'unknown_request',
    });
    const empty: Inbound = { topic: CONTROL, message: create(ControlCommandSchema, { requestId: ID }) };
    expect(route(coding(), ID, empty, ctx())).toMatchObject({ kind: 'rejected', reason: 'invalid' });
  });

  it('makes later replies to the request stale: dead-lettered as final_stage', () => {
    const cancelled = applied(route(coding(), ID, cancel(), ctx())).record;
    const late: Inbound = {
      topic: CRES,
      message: create(CommitResultSchema, { taskId: 't1', commitSha: 'c1', status: 'SUCCESS' }),
    };
    expect(route(cancelled, ID, late, ctx())).toMatchObject({ kind: 'rejected', reason: 'final_stage' });
  });
});

describe('budgets', () => {
  const progress = (spent: ReturnType<typeof usage>): Inbound => ({
    topic: PROGRESS,
    message: create(AgentProgressSchema, { requestId: ID, stage: 'code_phase', usage: spent }),
  });

  it('keeps the request its own budget, the defaults for what it leaves at 0, or none', () => {
    expect(coding({ maxTokens: 500n }, { maxTokens: 9, maxCostUsd: 2 }).budget).toEqual({
      maxTokens: 500,
      maxCostUsd: 2,
    });
    expect(coding(undefined, { maxCostUsd: 2 }).budget).toEqual({ maxCostUsd: 2 });
    expect(coding().budget).toBeUndefined();
  });

  it('regresses with budget_exceeded when progress reports more tokens than the budget, and stops the agent', () => {
    const record = applied(route(coding({ maxTokens: 1000n }), ID, progress(usage(900n)), ctx())).record;
    expect(stageOf(record)).toBe('code_phase');
    const over = applied(route(record, ID, progress(usage(1001n)), ctx()));
    expect(failureOf(over.record)).toEqual({
      stage: 'code_phase',
      reason: 'budget_exceeded',
      detail: 'budget exceeded: 1001 tokens spent, the budget is 1000',
    });
    expect(over.commands.map((c) => c.topic)).toEqual([REG, CANCEL]);
    expect(over.commands[1]?.message).toMatchObject({
      reason: 'budget_exceeded',
      requestedBy: 'orchestrator',
    });
  });

  it("holds only an accepted reply's usage against the budget: a refused reply changes nothing", () => {
    const record = coding({ maxTokens: 100n });
    const unknownTask: Inbound = {
      topic: CRES,
      message: create(CommitResultSchema, {
        taskId: 'nope',
        commitSha: 'c9',
        status: 'SUCCESS',
        usage: usage(5000n),
      }),
    };
    expect(route(record, ID, unknownTask, ctx())).toMatchObject({ kind: 'rejected', reason: 'unknown_task' });
    const accepted: Inbound = {
      topic: CRES,
      message: create(CommitResultSchema, {
        taskId: 't1',
        commitSha: 'c1',
        status: 'SUCCESS',
        usage: usage(40n),
      }),
    };
    const result = applied(route(record, ID, accepted, ctx()));
    expect(result.record.history.at(-1)?.usage).toEqual({ inputTokens: 40, outputTokens: 0, costUsd: 0 });
  });

  it('refuses a reply whose usage has a cost below 0', () => {
    const bad: Inbound = {
      topic: CRES,
      message: create(CommitResultSchema, {
        taskId: 't1',
        commitSha: 'c1',
        status: 'SUCCESS',
        usage: usage(1n, -2),
      }),
    };
    expect(route(coding(), ID, bad, ctx())).toMatchObject({
      kind: 'rejected',
      reason: 'invalid',
      detail: 'CommitResult.usage.cost_usd is -2, it must be a number >= 0',
    });
  });

  it('counts the usage a reply carries, and stops before the next stage once over the cost budget', () => {
    const record = coding({ maxCostUsd: 1 });
    const first: Inbound = {
      topic: CRES,
      message: create(CommitResultSchema, {
        taskId: 't1',
        commitSha: 'c1',
        status: 'SUCCESS',
        usage: usage(10n, 0.4),
      }),
    };
    const afterFirst = applied(route(record, ID, first, ctx())).record;
    expect(usageOf(afterFirst)).toEqual({ inputTokens: 10, outputTokens: 0, costUsd: 0.4 });
    const second: Inbound = {
      topic: CRES,
      message: create(CommitResultSchema, {
        taskId: 't2',
        commitSha: 'c2',
        status: 'SUCCESS',
        usage: usage(20n, 1.25),
      }),
    };
    const over = applied(route(afterFirst, ID, second, ctx()));
    expect(failureOf(over.record)).toMatchObject({ stage: 'code_phase', reason: 'budget_exceeded' });
    expect(over.commands.map((c) => c.topic)).toEqual([REG, CANCEL]);
  });
});
