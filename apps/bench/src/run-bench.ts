// One `pnpm bench` run: for each system, on fresh topics, the same phases with the same stub agents
// (think time 0): a warm-up, a burst of 1,000 requests at once, a burst of 100, then 100 one at a
// time. Figures per system: throughput, latency, CPU per request (the system's process only), peak RSS.

import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger, type Logger } from '@pipeline/common';
import { createKafkaClient, KafkaAdmin, type KafkaClient, provisionPipelineTopics } from '@pipeline/kafka';
import { down, up } from '@pipeline/kafka-launcher';
import { ALL_TOPICS, TopicNames } from '@pipeline/topics';
import { Driver } from './driver.js';
import { cpuMs, peakRssMb } from './measure.js';
import { type BurstFigures, medianFigures, type SystemFigures } from './report.js';
import { median, quantile } from './stats.js';
import { ensureStreamsJar } from './streams-jar.js';
import { runningPid, type SystemName, startSystem } from './systems.js';

export interface BenchOptions {
  /** Logs, the report and the plot go here. */
  dir: string;
  systems: readonly SystemName[];
  /** Requests submitted at once in the big burst (1,000) and the small one (100). */
  burst: number;
  smallBurst: number;
  /** Requests run one at a time for the latency (100). */
  sequential: number;
  /** Requests run before measuring: connections made, code compiled. */
  warmup: number;
  /**
   * Times each system is measured, the order rotated each round (so no system is always first on
   * a cold broker); the figures are the medians.
   */
  rounds: number;
  /** Partitions of every topic (the orchestrator's default, 12). */
  partitions: number;
  /** Tasks per plan (the stub planner's default, 3). */
  tasks: number;
  /** Writes a CPU profile of each system's process to DIR/profiles/<system>/ (node --cpu-prof). */
  profile: boolean;
  say: (line: string) => void;
}

/** A burst waits at most this long for its last request (a stuck run fails instead of hanging). */
const BURST_TIMEOUT_MS = 600_000;

export async function runBench(options: BenchOptions): Promise<SystemFigures[]> {
  const { say } = options;
  mkdirSync(options.dir, { recursive: true });
  // Before the broker: a Maven failure stops the run at once, saying what to run.
  if (options.systems.includes('kafka streams')) await ensureStreamsJar(say);
  const logger = createLogger({ level: 'warn', bindings: { service: 'bench' } });
  let bootstrap = process.env.KAFKA_BOOTSTRAP;
  let startedHere = false;
  const home = join(options.dir, 'kafka');
  if (!bootstrap) {
    say('starting a single Kafka broker (the project launcher)…');
    const result = await up({ brokers: 1, home, log: false });
    bootstrap = result.bootstrap;
    startedHere = !result.alreadyRunning;
  }
  say(`broker ${bootstrap}`);
  const client = createKafkaClient(
    {
      brokers: bootstrap.split(','),
      clientId: 'bench',
      connectionTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
    },
    { logger },
  );
  const run = randomUUID().slice(0, 8);
  const runs = new Map<SystemName, SystemFigures[]>(options.systems.map((s) => [s, []]));
  try {
    for (let round = 0; round < options.rounds; round++) {
      const order = options.systems.map(
        (_, i) => options.systems[(i + round) % options.systems.length] as SystemName,
      );
      if (options.rounds > 1) say(`round ${round + 1} of ${options.rounds}: ${order.join(', ')}`);
      for (const system of order) {
        const prefix = `bench-${run}-${round}-${system.replaceAll(' ', '-')}-`;
        runs
          .get(system)
          ?.push(await measureSystem(system, prefix, client, { ...options, bootstrap, logger }));
      }
    }
  } finally {
    if (startedHere) await down({ home, log: false });
  }
  return options.systems.map((system) => medianFigures(runs.get(system) ?? []));
}

async function measureSystem(
  name: SystemName,
  prefix: string,
  client: KafkaClient,
  options: BenchOptions & { bootstrap: string; logger: Logger },
): Promise<SystemFigures> {
  const { say, logger } = options;
  const names = TopicNames.prefixed(prefix);
  await provisionPipelineTopics(client, { names, partitions: options.partitions, logger });
  say(`${name}: starting (topics ${prefix}*)…`);
  const system = await startSystem(name, {
    prefix,
    env: { ...process.env, KAFKA_BOOTSTRAP: options.bootstrap },
    logDir: options.dir,
    tasks: options.tasks,
    profile: options.profile,
  });
  const driver = new Driver(client, names, logger);
  try {
    await driver.start();
    let n = 0;
    const ids = (count: number, phase: string) =>
      Array.from({ length: count }, () => `${prefix}${phase}-${n++}`);
    const burst = async (count: number, phase: string): Promise<BurstFigures> => {
      const batch = ids(count, phase);
      const cpu0 = cpuMs(runningPid(system.process));
      const agents0 = cpuMs(runningPid(system.agents));
      const t0 = performance.now();
      await driver.submit(batch);
      const outcomes = await driver.ended(batch, BURST_TIMEOUT_MS, `${name} ${phase}`);
      const seconds = (performance.now() - t0) / 1000;
      const cpu = cpuMs(runningPid(system.process)) - cpu0;
      const agentsCpu = cpuMs(runningPid(system.agents)) - agents0;
      const failed = outcomes.filter((o) => o.ended !== 'done').length;
      if (failed > 0) throw new Error(`${name}: ${failed} of ${count} requests of ${phase} did not end done`);
      return {
        requests: count,
        seconds,
        perSecond: count / seconds,
        cpuMsPerRequest: cpu / count,
        agentsCpuMsPerRequest: agentsCpu / count,
      };
    };
    await burst(options.warmup, 'warmup');
    const big = await burst(options.burst, 'burst');
    say(`${name}: ${options.burst} at once: ${big.perSecond.toFixed(0)} requests/s`);
    const small = await burst(options.smallBurst, 'small-burst');
    say(`${name}: ${options.smallBurst} at once: ${small.perSecond.toFixed(0)} requests/s`);
    const latencies: number[] = [];
    for (const id of ids(options.sequential, 'one')) {
      await driver.submit([id]);
      const [outcome] = await driver.ended([id], BURST_TIMEOUT_MS, `${name} one at a time`);
      latencies.push((outcome as { latencyMs: number }).latencyMs);
    }
    const latency = { p50: median(latencies), p99: quantile(latencies, 0.99) };
    say(`${name}: one at a time: p50 ${latency.p50.toFixed(0)} ms, p99 ${latency.p99.toFixed(0)} ms`);
    return {
      system: name,
      burst: big,
      smallBurst: small,
      latency,
      peakRssMb: peakRssMb(runningPid(system.process)),
    };
  } finally {
    await driver.stop().catch(() => {});
    await system.stop();
    // A broker that keeps every run's topics gets slower run after run (hundreds of partitions each).
    await deleteTopics(client, names).catch((error: unknown) =>
      say(`${name}: topics ${prefix}* left: ${String(error)}`),
    );
  }
}

async function deleteTopics(client: KafkaClient, names: TopicNames): Promise<void> {
  const admin = await KafkaAdmin.open(client, names);
  try {
    await admin.deleteTopics(ALL_TOPICS);
  } finally {
    await admin.close();
  }
}
