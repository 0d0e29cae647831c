// The systems under test, each a process of its own beside one process of stub agents (think time
// 0): the orchestrator, the transactional relay, the plain relay and a Kafka Streams application
// (exactly_once_v2, a JVM of its own: apps/bench/streams). Each run gets its own topic prefix, so
// nothing of one run is read by the next.

import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageBin, type ServiceProcess, startService } from '@pipeline/cli-kit';
import { freePort, pollUntil } from '@pipeline/common';
import { javaExecutable, STREAMS_JAR, STREAMS_READY_LINE, streamsJavaArgs } from './streams-jar.js';

export const SYSTEMS = ['orchestrator', 'transactional relay', 'plain relay', 'kafka streams'] as const;
export type SystemName = (typeof SYSTEMS)[number];

/** How long a process may take to start on a busy 2-core machine. */
const READY_TIMEOUT_MS = 120_000;

const rel = (path: string) => path;
const binOf = (name: string, bin: string) => packageBin(name, bin, { from: import.meta.url, rel });

export interface RunningSystem {
  name: SystemName;
  process: ServiceProcess;
  agents: ServiceProcess;
  stop(): Promise<void>;
}

/** Waits for a line of the log (or /readyz); fails at once if the process exits. */
export async function waitFor(
  service: ServiceProcess,
  ready: () => boolean | Promise<boolean>,
  timeoutMs = READY_TIMEOUT_MS,
): Promise<void> {
  await pollUntil(
    async () => {
      if (service.hasExited())
        throw new Error(`${service.name} exited while starting:\n${service.logTail(15)}`);
      return ready();
    },
    { timeoutMs, intervalMs: 100, what: `${service.name} running` },
  );
}

/** The pid of a service that runs; throws with the end of its log when it does not. */
export function runningPid(service: ServiceProcess): number {
  if (service.pid === undefined || service.hasExited())
    throw new Error(`${service.name} is not running:\n${service.logTail(15)}`);
  return service.pid;
}

const logged = (service: ServiceProcess, line: string) => () => service.logTail(200).includes(line);

/** The stub agents, every role in one process, answering at once (think time 0). */
export function startAgents(env: NodeJS.ProcessEnv, logFile: string, tasks: number): ServiceProcess {
  return startService({
    name: 'stub agents',
    script: binOf('@pipeline/mock-agents', 'pipeline-mock-agents'),
    cwd: process.cwd(),
    env: { ...env, LOG_LEVEL: 'info', MOCK_THINK_MS: '0', MOCK_PLANNER_TASKS: String(tasks) },
    logFile,
  });
}

/** Resolves once every role of the agents consumes. */
export function agentsRunning(agents: ServiceProcess): Promise<void> {
  return waitFor(agents, logged(agents, '"msg":"mock agents running"'));
}

/**
 * Starts `name` and the stub agents on the topics of `prefix` (created beforehand), and resolves once
 * both consume. `env` carries KAFKA_BOOTSTRAP. The Kafka Streams jar must be built already
 * (ensureStreamsJar); its process is the JVM itself, so /proc measures Java, not a wrapper.
 */
export async function startSystem(
  name: SystemName,
  options: { prefix: string; env: NodeJS.ProcessEnv; logDir: string; tasks: number; profile: boolean },
): Promise<RunningSystem> {
  const env = { ...options.env, PIPELINE_TOPIC_PREFIX: options.prefix };
  const slug = name.replaceAll(' ', '-');
  // A CPU profile of the system's process (not the agents'), written when it exits (Node systems).
  const nodeArgs = options.profile
    ? ['--cpu-prof', `--cpu-prof-dir=${join(options.logDir, 'profiles', slug)}`]
    : [];
  const agents = startAgents(env, join(options.logDir, `agents-${slug}.log`), options.tasks);
  let system: ServiceProcess;
  if (name === 'orchestrator') {
    const port = await freePort();
    system = startService({
      name,
      script: binOf('@pipeline/orchestrator', 'pipeline-orchestrator'),
      cwd: process.cwd(),
      env: {
        ...env,
        LOG_LEVEL: 'warn',
        ORCH_HTTP_PORT: String(port),
        ORCH_HTTP_HOST: '127.0.0.1',
      },
      logFile: join(options.logDir, `${slug}.log`),
      nodeArgs,
    });
    const ready = async () =>
      (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.ok === true;
    await waitFor(system, ready);
  } else if (name === 'kafka streams') {
    system = startService({
      name,
      program: javaExecutable(env),
      args: streamsJavaArgs(STREAMS_JAR),
      cwd: process.cwd(),
      env: {
        ...env,
        STREAMS_TASKS: String(options.tasks),
        // RocksDB's files, under the run's directory; the application removes its own on exit.
        STREAMS_STATE_DIR: join(options.logDir, 'streams-state'),
      },
      logFile: join(options.logDir, `${slug}.log`),
    });
    await waitFor(system, logged(system, STREAMS_READY_LINE));
  } else {
    system = startService({
      name,
      script: fileURLToPath(new URL('./relay-main.js', import.meta.url)),
      cwd: process.cwd(),
      env: {
        ...env,
        LOG_LEVEL: 'info',
        RELAY_MODE: name === 'plain relay' ? 'plain' : 'transactional',
        RELAY_TASKS: String(options.tasks),
      },
      logFile: join(options.logDir, `${slug}.log`),
      nodeArgs,
    });
    await waitFor(system, logged(system, '"msg":"relay running"'));
  }
  await agentsRunning(agents);
  return {
    name,
    process: system,
    agents,
    async stop() {
      await Promise.all([system.stop(), agents.stop()]);
    },
  };
}
