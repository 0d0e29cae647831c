// The figures of one run and what they say against the targets of issue 14 (pure: no I/O).

import { median } from './stats.js';
import type { SystemName } from './systems.js';

/**
 * The hops a request makes through the system under test: the change request, the plan, the last
 * commit result, the first build report, the test spec, the generated tests, the last build report.
 */
export const SYSTEM_HOPS = 7;

export interface BurstFigures {
  requests: number;
  seconds: number;
  perSecond: number;
  /** CPU time of the system's process (not the agents') per request, ms. */
  cpuMsPerRequest: number;
  /** CPU time of the stub agents' process per request, ms: the same work whatever the system. */
  agentsCpuMsPerRequest: number;
}

export interface SystemFigures {
  system: SystemName;
  /** The big burst (1,000 at once) and the small one (100 at once). */
  burst: BurstFigures;
  smallBurst: BurstFigures;
  /** End-to-end latency of requests run one at a time, ms. */
  latency: { p50: number; p99: number };
  peakRssMb: number;
}

export interface Verdict {
  what: string;
  value: string;
  target: string;
  met: boolean;
}

/** Per-stage latency: a request's p50 latency spread over its hops, ms. */
export function perStageMs(figures: SystemFigures): number {
  return figures.latency.p50 / SYSTEM_HOPS;
}

/** A throughput ratio of the orchestrator over another system, as a verdict against `target` (0.9 = 90 %). */
function throughputVerdict(
  orchestrator: BurstFigures,
  other: BurstFigures,
  versus: string,
  target: number,
): Verdict {
  const ratio = orchestrator.perSecond / other.perSecond;
  return {
    what: `throughput, ${orchestrator.requests} at once, orchestrator / ${versus}`,
    value: `${(ratio * 100).toFixed(0)} %`,
    target: `≥ ${(target * 100).toFixed(0)} %`,
    met: ratio >= target,
  };
}

/**
 * The orchestrator against the transactional relay and against Kafka Streams (EOS v2), as issue 14
 * sets the bars; the verdicts of a system that was not run are left out.
 */
export function verdicts(all: readonly SystemFigures[]): Verdict[] {
  const orchestrator = all.find((f) => f.system === 'orchestrator');
  if (!orchestrator) return [];
  const list: Verdict[] = [];
  const relay = all.find((f) => f.system === 'transactional relay');
  if (relay) {
    const overhead = perStageMs(orchestrator) - perStageMs(relay);
    list.push(
      throughputVerdict(orchestrator.burst, relay.burst, 'transactional relay', 0.9),
      throughputVerdict(orchestrator.smallBurst, relay.smallBurst, 'transactional relay', 0.9),
      {
        what: 'per-stage latency over the transactional relay (p50, one at a time)',
        value: `${overhead.toFixed(1)} ms`,
        target: '≤ 2 ms',
        met: overhead <= 2,
      },
    );
  }
  const streams = all.find((f) => f.system === 'kafka streams');
  if (streams) {
    list.push(
      throughputVerdict(orchestrator.burst, streams.burst, 'Kafka Streams EOS v2', 1),
      throughputVerdict(orchestrator.smallBurst, streams.smallBurst, 'Kafka Streams EOS v2', 1),
    );
  }
  return list;
}

const fixed = (n: number, digits = 0) => n.toFixed(digits);
/** A burst's size as the header says it (1,000), from the figures of the run. */
const at = (burst: BurstFigures | undefined) => (burst?.requests ?? 0).toLocaleString('en-US');

/** The figures as a Markdown table (printed, and pasted into docs/performance.md). */
export function figuresTable(all: readonly SystemFigures[]): string {
  const head = [
    `| system | ${at(all[0]?.burst)} at once (req/s) | ${at(all[0]?.smallBurst)} at once (req/s) | p50 (ms) | p99 (ms) | per stage (ms) | CPU per request (ms) | agents’ CPU per request (ms) | peak RSS (MB) |`,
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const rows = all.map(
    (f) =>
      `| ${f.system} | ${fixed(f.burst.perSecond)} | ${fixed(f.smallBurst.perSecond)} | ${fixed(f.latency.p50)} | ${fixed(f.latency.p99)} | ${fixed(perStageMs(f), 1)} | ${fixed(f.burst.cpuMsPerRequest, 2)} | ${fixed(f.burst.agentsCpuMsPerRequest, 2)} | ${fixed(f.peakRssMb)} |`,
  );
  return [...head, ...rows].join('\n');
}

export function verdictLines(list: readonly Verdict[]): string[] {
  return list.map((v) => `${v.met ? 'met    ' : 'NOT MET'}  ${v.what}: ${v.value} (target ${v.target})`);
}

/** The median of each figure over several runs of one system (the runs of a `--rounds` bench). */
export function medianFigures(runs: readonly SystemFigures[]): SystemFigures {
  const first = runs[0];
  if (!first) throw new Error('no run to take the median of');
  const m = (pick: (f: SystemFigures) => number) => median(runs.map(pick));
  const burst = (pick: (f: SystemFigures) => BurstFigures): BurstFigures => ({
    requests: pick(first).requests,
    seconds: m((f) => pick(f).seconds),
    perSecond: m((f) => pick(f).perSecond),
    cpuMsPerRequest: m((f) => pick(f).cpuMsPerRequest),
    agentsCpuMsPerRequest: m((f) => pick(f).agentsCpuMsPerRequest),
  });
  return {
    system: first.system,
    burst: burst((f) => f.burst),
    smallBurst: burst((f) => f.smallBurst),
    latency: { p50: m((f) => f.latency.p50), p99: m((f) => f.latency.p99) },
    peakRssMb: m((f) => f.peakRssMb),
  };
}
