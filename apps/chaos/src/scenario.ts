// What a scenario is, and the shape most of them share: a pipeline under load, a fault injected while
// requests flow, every request waited for, the audit's verdict and the figures.

import { join } from 'node:path';
import { type PlannedRequest, planRequests } from '@pipeline/failure-markers';
import type { ChaosCluster } from './cluster.js';
import { ChaosPipeline, type PipelineOptions } from './pipeline.js';
import { isClean, type Verdict } from './verify.js';

/** `full`: the sizes the issue names; `ci`: a reduced run that fits the test command. */
export type Size = 'full' | 'ci';

export interface ScenarioContext {
  cluster: ChaosCluster;
  size: Size;
  /** Where this run keeps its logs (one folder per scenario below it). */
  runDir: string;
  /** A unique tag for ids and prefixes. */
  tag: string;
  say(line: string): void;
}

export type Figures = Record<string, number | string>;

export interface ScenarioResult {
  name: string;
  pass: boolean;
  figures: Figures;
  problems: string[];
  durationMs: number;
  /** The stack of the error that ended the scenario early, if one did (in the JSON report). */
  stack?: string;
}

export interface Scenario {
  name: string;
  /** One line: what the scenario does. */
  title: string;
  run(ctx: ScenarioContext): Promise<Omit<ScenarioResult, 'name' | 'durationMs'>>;
}

/** The nearest-rank percentile of sorted numbers (0 when empty). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

/** What a scenario chooses of its pipeline; the cluster, the topic prefix and the log folder follow from the run. */
export type ScenarioPipelineOptions = Omit<PipelineOptions, 'bootstrap' | 'prefix' | 'logDir'>;

/**
 * Starts the pipeline of scenario `name` on the run's cluster, with a topic prefix and a log folder of
 * its own (and of `side`'s, for a scenario that runs more than one pipeline).
 */
export function startPipeline(
  ctx: ScenarioContext,
  name: string,
  options: ScenarioPipelineOptions,
  side?: string,
): Promise<ChaosPipeline> {
  return ChaosPipeline.start({
    ...options,
    bootstrap: ctx.cluster.bootstrap,
    prefix: side === undefined ? `chaos-${ctx.tag}-${name}.` : `chaos-${ctx.tag}-${name}-${side}.`,
    logDir: side === undefined ? join(ctx.runDir, name) : join(ctx.runDir, name, side),
  });
}

export interface LoadPlan {
  /** How many requests; ~80 % pass, the rest carry failure markers for every failing stage. */
  requests: number;
  /** Sent in waves over the run, so that every fault hits requests in every stage. */
  waves: number;
  gapMs: number;
  /** How long to wait for every request after the last wave. */
  finishTimeoutMs: number;
}

/** What a fault reports: its recovery time (ms from the fault to progress again) and anything else. */
export interface FaultReport {
  recoveryMs?: number;
  figures?: Figures;
}

/**
 * A pipeline under load with one fault: starts it, submits the plan in waves while `fault` runs,
 * waits for every request, and judges the audit. PASS needs nothing lost, repeated or wrong, no
 * frozen partition, and no orchestrator that exited on its own.
 */
export async function underLoad(
  ctx: ScenarioContext,
  name: string,
  pipelineOptions: ScenarioPipelineOptions,
  load: LoadPlan,
  fault: (pipeline: ChaosPipeline, planned: readonly PlannedRequest[]) => Promise<FaultReport>,
): Promise<Omit<ScenarioResult, 'name' | 'durationMs'>> {
  const pipeline = await startPipeline(ctx, name, pipelineOptions);
  try {
    const planned = planRequests(load.requests, `${ctx.tag}-${name}`);
    const t0 = Date.now();
    // The first request goes in as a user would send it: through the operator CLI, its own process.
    const [first, ...rest] = planned;
    if (first) await pipeline.submitWithCli(first);
    const submitting = pipeline.submit(rest, { waves: load.waves, gapMs: load.gapMs });
    // A submission that fails ends the scenario with its error, not in an unhandled rejection.
    submitting.catch(() => {});
    const report = await fault(pipeline, planned);
    await submitting;
    await pipeline.waitFinished(planned, load.finishTimeoutMs, ctx.say);
    const finishMs = Date.now() - t0;
    return judge(pipeline, planned, {
      finishMs,
      ...(report.recoveryMs === undefined ? {} : { recoveryMs: report.recoveryMs }),
      ...report.figures,
    });
  } finally {
    await pipeline.stop();
  }
}

/** The verdict and the figures every scenario reports, from a pipeline whose requests are through. */
export async function judge(
  pipeline: ChaosPipeline,
  planned: readonly PlannedRequest[],
  figures: Figures,
): Promise<Omit<ScenarioResult, 'name' | 'durationMs'>> {
  const verdict: Verdict = await pipeline.verify(planned);
  const frozen = pipeline.frozenPartitions(planned);
  const exited = !pipeline.orchestratorsNeverExited();
  const latencies = pipeline.latencies(planned);
  const problems = [...verdict.problems];
  if (exited) problems.push('an orchestrator exited on its own');
  return {
    pass: isClean(verdict) && frozen.length === 0 && !exited,
    figures: {
      requests: planned.length,
      ...figures,
      lost: verdict.lost,
      duplicated: verdict.duplicated,
      wrong: verdict.wrong + verdict.missing,
      frozenPartitions: frozen.length,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      redeliveriesRefused: verdict.redeliveriesRefused,
      auditRereads: pipeline.audit.rereads,
      ...(verdict.badExpected > 0
        ? { badDeadLettered: `${verdict.badDeadLettered}/${verdict.badExpected}` }
        : {}),
      unexpectedDeadLetters: verdict.unexpectedDeadLetters,
    },
    problems,
  };
}

/** Waits `ms`, for faults that must last a given time (an outage of 15 s, a freeze past the session). */
export const hold = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A random delay in [min, max) ms. */
export const randomBetween = (min: number, max: number): number => min + Math.random() * (max - min);
