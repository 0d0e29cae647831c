// `pnpm bench:scale`: what retained history costs each instance. Many finished requests in the state
// topic (written by the generator) plus some run for real, then N orchestrator instances: memory per
// instance, cold and warm restore, lookups from an instance that does not own the request, and the
// takeover of a SIGKILLed instance's partitions. Prints figures; the targets are issue 14's.

import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { packageBin, type ServiceProcess, startService } from '@pipeline/cli-kit';
import { createLogger, freePort, pollUntil } from '@pipeline/common';
import {
  createKafkaClient,
  createProducer,
  KafkaAdmin,
  partitionFor,
  provisionPipelineTopics,
} from '@pipeline/kafka';
import { down, up } from '@pipeline/kafka-launcher';
import { ALL_TOPICS, TopicNames } from '@pipeline/topics';
import { Driver } from '../driver.js';
import { peakRssMb, rssMb } from '../measure.js';
import { quantile } from '../stats.js';
import { agentsRunning, runningPid, startAgents, waitFor } from '../systems.js';
import { writeFinished } from './generate.js';

export interface ScaleOptions {
  dir: string;
  /** Finished requests the generator writes (1,000,000). */
  records: number;
  /** Requests run for real through the pipeline (10,000). */
  real: number;
  instances: number;
  /** GET /requests/{id} asked of instances that do not own the id. */
  lookups: number;
  partitions: number;
  /** ORCH_SESSION_TIMEOUT of the instances: a takeover starts after it. */
  sessionTimeoutMs: number;
  say: (line: string) => void;
}

export interface ScaleFigures {
  records: number;
  real: number;
  instances: number;
  /** Per instance, after the cold start: resident and peak memory, MB; time to ready, s. */
  cold: Array<{ rssMb: number; peakRssMb: number; readySeconds: number }>;
  /** The on-disk state store of one instance after the cold start (its share of the directory), MB. */
  storeMb: number;
  /** One instance stopped (SIGTERM) and started again: time to ready, s. */
  warmRestartSeconds: number;
  lookupMs: { p50: number; p99: number; count: number };
  /** From the SIGKILL until the survivors own every partition, ready; and that less the session timeout. */
  takeoverSeconds: number;
  takeoverAfterSessionSeconds: number;
}

const READY_TIMEOUT_MS = 900_000;
const rel = (path: string) => path;

class Instance {
  process: ServiceProcess;
  constructor(
    readonly name: string,
    readonly port: number,
    private readonly env: NodeJS.ProcessEnv,
    private readonly logDir: string,
  ) {
    this.process = this.spawn();
  }
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }
  spawn(): ServiceProcess {
    return startService({
      name: this.name,
      script: packageBin('@pipeline/orchestrator', 'pipeline-orchestrator', { from: import.meta.url, rel }),
      cwd: process.cwd(),
      env: { ...this.env, ORCH_HTTP_PORT: String(this.port), ORCH_HTTP_HOST: '127.0.0.1' },
      logFile: join(this.logDir, `${this.name}.log`),
    });
  }
  restart(): void {
    this.process = this.spawn();
  }
  get pid(): number {
    return runningPid(this.process);
  }
  /** The partitions it owns and has restored, or undefined when it does not answer. */
  async readyPartitions(): Promise<number[] | undefined> {
    const res = await fetch(`${this.url}/readyz`).catch(() => undefined);
    if (!res) return undefined;
    const body = (await res.json().catch(() => ({}))) as {
      partitions?: Array<{ partition: number; state: string }>;
    };
    return (body.partitions ?? []).filter((p) => p.state === 'ready').map((p) => p.partition);
  }
  async waitReady(): Promise<number> {
    const t0 = performance.now();
    const ready = async () => (await fetch(`${this.url}/readyz`).catch(() => undefined))?.status === 200;
    await waitFor(this.process, ready, READY_TIMEOUT_MS);
    return (performance.now() - t0) / 1000;
  }
}

export async function runScale(options: ScaleOptions): Promise<ScaleFigures> {
  const { say } = options;
  mkdirSync(options.dir, { recursive: true });
  const logger = createLogger({ level: 'warn', bindings: { service: 'bench-scale' } });
  let bootstrap = process.env.KAFKA_BOOTSTRAP;
  const home = join(options.dir, 'kafka');
  let startedHere = false;
  if (!bootstrap) {
    say('starting a single Kafka broker (the project launcher)…');
    const result = await up({ brokers: 1, home, log: false });
    bootstrap = result.bootstrap;
    startedHere = !result.alreadyRunning;
  }
  const client = createKafkaClient(
    {
      brokers: bootstrap.split(','),
      clientId: 'bench-scale',
      connectionTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
    },
    { logger },
  );
  const prefix = `scale-${randomUUID().slice(0, 8)}-`;
  const names = TopicNames.prefixed(prefix);
  // The instances' on-disk copies of the state topic, one slot each; emptied before the cold start.
  const stateDir = join(options.dir, 'state', prefix);
  const env = {
    ...process.env,
    KAFKA_BOOTSTRAP: bootstrap,
    PIPELINE_TOPIC_PREFIX: prefix,
    ORCH_STATE_DIR: stateDir,
    // The instances' logs (DIR/orchestrator-N.log) quiet unless SCALE_LOG_LEVEL asks for more.
    LOG_LEVEL: process.env.SCALE_LOG_LEVEL ?? 'warn',
    ORCH_SESSION_TIMEOUT: `${options.sessionTimeoutMs}ms`,
  };
  const instances: Instance[] = [];
  let agents: ServiceProcess | undefined;
  try {
    await provisionPipelineTopics(client, { names, partitions: options.partitions, logger });
    say(`writing ${options.records} finished requests to ${prefix}orchestrator.state…`);
    const t0 = performance.now();
    const producer = createProducer(client, { names, logger });
    await producer.connect();
    await writeFinished(producer, { prefix, count: options.records, say });
    await producer.disconnect();
    say(`  in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    if (options.real > 0) {
      say(`running ${options.real} requests for real (one instance, stub agents)…`);
      const first = new Instance('orchestrator-0', await freePort(), env, options.dir);
      instances.push(first);
      await first.waitReady();
      agents = startAgents(env, join(options.dir, 'scale-agents.log'), 3);
      await agentsRunning(agents);
      const driver = new Driver(client, names, logger);
      await driver.start();
      const ids = Array.from({ length: options.real }, (_, n) => `${prefix}r-${n}`);
      for (let from = 0; from < ids.length; from += 1000) {
        const burst = ids.slice(from, from + 1000);
        await driver.submit(burst);
        await driver.ended(burst, READY_TIMEOUT_MS, 'real requests');
      }
      await driver.stop();
      await first.process.stop(30_000);
      instances.length = 0;
    }

    rmSync(stateDir, { recursive: true, force: true });
    say(`cold start of ${options.instances} instances (empty state stores)…`);
    for (let i = 0; i < options.instances; i++)
      instances.push(new Instance(`orchestrator-${i}`, await freePort(), env, options.dir));
    const readySeconds = await Promise.all(instances.map((instance) => instance.waitReady()));
    const cold = instances.map((instance, i) => ({
      rssMb: rssMb(instance.pid),
      peakRssMb: peakRssMb(instance.pid),
      readySeconds: readySeconds[i] as number,
    }));
    for (const [i, c] of cold.entries())
      say(
        `  instance ${i}: ready in ${c.readySeconds.toFixed(1)} s, RSS ${c.rssMb.toFixed(0)} MB (peak ${c.peakRssMb.toFixed(0)})`,
      );
    const storeMb = directoryMb(stateDir) / options.instances;
    say(`  state store on disk: ${storeMb.toFixed(0)} MB per instance`);

    const owners = await ownersOf(instances);
    say(`lookups of ${options.lookups} ids from instances that do not own them…`);
    const lookupMs = await lookups(instances, owners, options, prefix);
    say(`  p50 ${lookupMs.p50.toFixed(1)} ms, p99 ${lookupMs.p99.toFixed(1)} ms`);

    say('warm restart of one instance (SIGTERM, start again)…');
    const restarted = instances[0] as Instance;
    await restarted.process.stop(30_000);
    const t1 = performance.now();
    restarted.restart();
    await restarted.waitReady();
    const warmRestartSeconds = (performance.now() - t1) / 1000;
    say(`  ready again in ${warmRestartSeconds.toFixed(1)} s`);
    await pollUntil(async () => (await ownersOf(instances)).size === options.partitions, {
      timeoutMs: READY_TIMEOUT_MS,
      intervalMs: 200,
      what: 'every partition owned and ready',
    });

    say('SIGKILL of one instance, takeover by the others…');
    const victim = instances[instances.length - 1] as Instance;
    const survivors = instances.slice(0, -1);
    process.kill(victim.pid, 'SIGKILL');
    const t2 = performance.now();
    await victim.process.exited;
    await pollUntil(async () => (await ownersOf(survivors)).size === options.partitions, {
      timeoutMs: READY_TIMEOUT_MS,
      intervalMs: 100,
      what: 'the survivors to own every partition, ready',
    });
    const takeoverSeconds = (performance.now() - t2) / 1000;
    instances.pop();
    say(`  every partition ready again ${takeoverSeconds.toFixed(1)} s after the kill`);
    return {
      records: options.records,
      real: options.real,
      instances: options.instances,
      cold,
      storeMb,
      warmRestartSeconds,
      lookupMs,
      takeoverSeconds,
      takeoverAfterSessionSeconds: takeoverSeconds - options.sessionTimeoutMs / 1000,
    };
  } finally {
    await Promise.all(instances.map((i) => i.process.stop(30_000).catch(() => {})));
    await agents?.stop().catch(() => {});
    const admin = await KafkaAdmin.open(client, names).catch(() => undefined);
    await admin?.deleteTopics(ALL_TOPICS).catch(() => {});
    await admin?.close().catch(() => {});
    if (startedHere) await down({ home, log: false });
    rmSync(stateDir, { recursive: true, force: true });
  }
}

/** Bytes of the files in a directory tree, in MB. */
function directoryMb(dir: string): number {
  let bytes = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true }))
    if (entry.isFile()) bytes += statSync(join(entry.parentPath, entry.name)).size;
  return bytes / 1e6;
}

/** Which instance owns each partition, among those ready. */
async function ownersOf(instances: readonly Instance[]): Promise<Map<number, Instance>> {
  const owners = new Map<number, Instance>();
  for (const instance of instances)
    for (const p of (await instance.readyPartitions()) ?? []) owners.set(p, instance);
  return owners;
}

async function lookups(
  instances: readonly Instance[],
  owners: Map<number, Instance>,
  options: ScaleOptions,
  prefix: string,
): Promise<{ p50: number; p99: number; count: number }> {
  const times: number[] = [];
  for (let i = 0; i < options.lookups; i++) {
    const id = `${prefix}g-${Math.floor(Math.random() * options.records)}`;
    const owner = owners.get(partitionFor(id, options.partitions));
    const asked = instances.find((instance) => instance !== owner) as Instance;
    const t0 = performance.now();
    const res = await fetch(`${asked.url}/requests/${encodeURIComponent(id)}`);
    await res.arrayBuffer();
    times.push(performance.now() - t0);
    if (res.status !== 200) throw new Error(`GET /requests/${id} from ${asked.name}: ${res.status}`);
  }
  return { p50: quantile(times, 0.5), p99: quantile(times, 0.99), count: times.length };
}
