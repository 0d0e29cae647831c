import type { RegressionReason } from '@pipeline/contracts';
import type { ExpectedOutcome, PlannedRequest } from '@pipeline/failure-markers';
import { historySpanMs, type RequestView } from '@pipeline/orchestrator-api';
import { isFinalStage, isStage, type Stage } from '@pipeline/state-machine';
import { percentile } from './stats.js';

/** How one request of the run ended, next to how it was planned to. */
export interface DemoOutcome {
  id: string;
  expected: ExpectedOutcome;
  /** `waiting` when the orchestrator never reported the request. */
  actual: { stage: Stage | 'waiting'; reason?: RegressionReason; failedStage?: Stage };
  /** First to last stage change, as the orchestrator recorded them. */
  latencyMs: number | undefined;
  /** Final, and as expected. */
  ok: boolean;
}

/** What the operator did after the summary (operate.ts), and whether it came out as it should. */
export interface DemoOperations {
  redrive?: { id: string; ok: boolean; attempt?: number };
  cancel: { id: string; ok: boolean };
}

export interface DemoTotals {
  submitted: number;
  done: number;
  regressed: number;
  unfinished: number;
  unexpected: number;
  p50Ms: number | undefined;
  p99Ms: number | undefined;
  /** From the first submission until every request was final (or the timeout). */
  elapsedMs: number;
}

export interface DemoResult {
  prefix: string;
  bootstrap: string;
  orchestratorUrl: string;
  outcomes: DemoOutcome[];
  totals: DemoTotals;
  /** Every request final and as expected. */
  ok: boolean;
  /** Stopped by the signal before the summary. */
  interrupted: boolean;
  /** 0 ok, 1 an unexpected or unfinished request, 130 interrupted before the summary. */
  exitCode: number;
  /** The operator's redrive and cancel after the summary (operate.ts). */
  operations?: DemoOperations;
}

/** Compares what happened to a request with what its failure marker promised. */
export function outcomeOf(planned: PlannedRequest, view: RequestView | undefined): DemoOutcome {
  const actual: DemoOutcome['actual'] = { stage: view?.stage ?? 'waiting' };
  if (view?.failure) {
    actual.reason = view.failure.reason;
    actual.failedStage = view.failure.stage;
  }
  const expected = planned.expected;
  const ok =
    view?.final === true &&
    actual.stage === expected.stage &&
    actual.reason === expected.reason &&
    actual.failedStage === expected.failedStage;
  return { id: planned.id, expected, actual, latencyMs: view ? historySpanMs(view) : undefined, ok };
}

/** The result of a run from its outcomes: totals, latency percentiles, the exit code. */
export function buildResult(parts: {
  prefix: string;
  bootstrap: string;
  orchestratorUrl: string;
  outcomes: DemoOutcome[];
  elapsedMs: number;
}): DemoResult {
  const { outcomes } = parts;
  const isFinal = (o: DemoOutcome) => isStage(o.actual.stage) && isFinalStage(o.actual.stage);
  const latencies = outcomes
    .filter(isFinal)
    .map((o) => o.latencyMs)
    .filter((ms): ms is number => ms !== undefined);
  const totals: DemoTotals = {
    submitted: outcomes.length,
    done: outcomes.filter((o) => o.actual.stage === 'done').length,
    regressed: outcomes.filter((o) => o.actual.stage === 'regress').length,
    unfinished: outcomes.filter((o) => !isFinal(o)).length,
    unexpected: outcomes.filter((o) => !o.ok).length,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    elapsedMs: parts.elapsedMs,
  };
  const ok = totals.unexpected === 0;
  const { prefix, bootstrap, orchestratorUrl } = parts;
  return {
    prefix,
    bootstrap,
    orchestratorUrl,
    outcomes,
    totals,
    ok,
    interrupted: false,
    exitCode: ok ? 0 : 1,
  };
}
