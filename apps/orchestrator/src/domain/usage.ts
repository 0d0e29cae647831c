import type { Budget, Usage } from '@pipeline/contracts';
import { type RequestRecord, type UsageRecord, usageOf } from './request-record.js';
import type { BudgetLimits } from './route-result.js';

// What agents spend: recorded per stage (cumulative per command, the last report wins), summed per
// request, and held against the request's budget.

export function usageRecord(usage: Pick<Usage, 'inputTokens' | 'outputTokens' | 'costUsd'>): UsageRecord {
  // Token counts fit a double for any run that could be paid for (2^53 tokens).
  return {
    inputTokens: Number(usage.inputTokens),
    outputTokens: Number(usage.outputTokens),
    costUsd: usage.costUsd,
  };
}

/** Records what the current stage's command has cost so far on the draft. */
export function noteUsage(draft: RequestRecord, usage: Usage): void {
  const entry = draft.history.at(-1);
  if (entry) entry.usage = usageRecord(usage);
}

/** A usage a message may carry: a cost that is not a number ≥ 0 is refused (the detail), else undefined. */
export function usageProblem(usage: Usage | undefined, where: string): string | undefined {
  if (!usage || (Number.isFinite(usage.costUsd) && usage.costUsd >= 0)) return undefined;
  return `${where}.usage.cost_usd is ${usage.costUsd}, it must be a number >= 0`;
}

/** The budget a new request keeps: its own limits, the defaults for those it leaves at 0. */
export function budgetOf(own: Budget | undefined, defaults: BudgetLimits = {}): { budget?: BudgetLimits } {
  const maxTokens = own && own.maxTokens > 0n ? Number(own.maxTokens) : defaults.maxTokens;
  const maxCostUsd = own && own.maxCostUsd > 0 ? own.maxCostUsd : defaults.maxCostUsd;
  const budget: BudgetLimits = {};
  if (maxTokens !== undefined) budget.maxTokens = maxTokens;
  if (maxCostUsd !== undefined) budget.maxCostUsd = maxCostUsd;
  return Object.keys(budget).length === 0 ? {} : { budget };
}

/** Why the request is over its budget (the regression's detail), or undefined when it is not. */
export function overBudget(record: RequestRecord): string | undefined {
  const budget = record.budget;
  const spent = usageOf(record);
  if (!budget || !spent) return undefined;
  const tokens = spent.inputTokens + spent.outputTokens;
  if (budget.maxTokens !== undefined && tokens > budget.maxTokens) {
    return `budget exceeded: ${tokens} tokens spent, the budget is ${budget.maxTokens}`;
  }
  if (budget.maxCostUsd !== undefined && spent.costUsd > budget.maxCostUsd) {
    return `budget exceeded: $${spent.costUsd.toFixed(4)} spent, the budget is $${budget.maxCostUsd}`;
  }
  return undefined;
}
