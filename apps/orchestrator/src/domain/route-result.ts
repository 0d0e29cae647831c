import type { RejectReason } from '@pipeline/contracts';
import type { Stage } from '@pipeline/state-machine';
import type { Command } from './commands.js';
import type { RequestRecord } from './request-record.js';

// What a decision about one message comes to (route.ts, progress.ts), in a file of its own so that the
// deciders share it without importing each other.

export interface StageChange {
  from: Stage;
  to: Stage;
  /** When `from` had been entered (epoch ms), for the stage-duration histogram. */
  fromEnteredAt: number;
  at: number;
}

export type RouteResult =
  | { kind: 'applied'; record: RequestRecord; commands: Command[]; change?: StageChange }
  | { kind: 'rejected'; reason: RejectReason | 'invalid'; detail: string; stage?: Stage }
  /** Changed nothing and is not worth a dead letter: progress for a stage the request has left. */
  | { kind: 'ignored'; detail: string; stage?: Stage };

export interface RouteContext {
  /** Epoch ms: the time the orchestrator handles the message. */
  now: number;
  traceparent?: string;
  /**
   * Random bits the runtime draws for this message (the decisions draw none themselves): a request
   * created now, or one that has none yet, keeps them as its nonce, which its build ids carry.
   */
  nonce?: string;
  /** The budget of a request that sets none (ORCH_BUDGET_TOKENS, ORCH_BUDGET_USD); recorded on it. */
  defaultBudget?: BudgetLimits;
  /** Stages every new request waits for an approval before (ORCH_APPROVAL); recorded on it. */
  defaultGates?: readonly Stage[];
  /** How many times a failure in each stage is retried before the request regresses (ORCH_RETRY). */
  retryPolicy?: Partial<Record<Stage, number>>;
}

/** Spending limits of one request; an absent one does not apply. */
export interface BudgetLimits {
  maxTokens?: number;
  maxCostUsd?: number;
}
