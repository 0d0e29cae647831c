// stop-node and start-node: stop one node of the cluster (gracefully, or SIGKILL as a crash) and start
// it again on its recorded ports with its data dir, as a test of a node failure needs. Both take the
// launcher's lock, like up and down.

import { mkdirSync } from 'node:fs';
import { isPortFree, tailFile } from '@pipeline/common';
import { pidOf, spawnNode, waitForBrokers } from './cluster-start.js';
import {
  type ClusterRecord,
  type NodeRecord,
  nodeAlive,
  readClusterJson,
  withNode,
  writeClusterJson,
} from './cluster-state.js';
import { EXIT_CONFIG, EXIT_START_FAILED, LauncherError } from './errors.js';
import { acquireLock } from './lock.js';
import { type Log, parseTimeout, seconds, toLogger } from './options.js';
import { checkPrereqs } from './prereqs.js';
import { probeApiVersions } from './probe.js';
import { findOurBrokers, killProcess, type StopOutcome, stopProcess, waitUntilServing } from './process.js';
import { cachedLibs, resolveJars } from './resolve-jars.js';
import { kafkaHome, statePaths } from './run-state.js';

/** How long a graceful stop-node waits for Kafka's controlled shutdown before SIGKILL. */
export const STOP_NODE_GRACE_MS = 30_000;

export interface StopNodeOptions {
  /** Node id, 1..N. */
  node: number;
  /** SIGKILL (a crash) instead of SIGTERM with controlled shutdown. */
  hard?: boolean | undefined;
  home?: string | undefined;
  log?: Log | undefined;
}

export interface StopNodeResult {
  node: number;
  pid: number;
  /** false when the node was not running. */
  stopped: boolean;
  /** `terminated` (controlled shutdown), `killed` (SIGKILL: --hard, or the grace ran out), `not-running`. */
  outcome: StopOutcome;
  stoppedInMs: number;
}

export interface StartNodeOptions {
  node: number;
  home?: string | undefined;
  log?: Log | undefined;
  /** Readiness deadline; default env KAFKA_START_TIMEOUT_MS, then 90 s. */
  timeoutMs?: number | undefined;
}

export interface StartNodeResult {
  node: number;
  pid: number;
  /** `127.0.0.1:port`, the port it had before. */
  bootstrap: string;
  startedInMs: number;
  /** true when the node was running and answering already (nothing was started). */
  alreadyRunning: boolean;
}

/** The cluster of this home and node `id` of it; a LauncherError (exit code 2) when either is missing. */
function clusterNode(home: string, id: number): { record: ClusterRecord; node: NodeRecord } {
  if (!Number.isInteger(id) || id < 1) {
    throw new LauncherError(`invalid node "${id}" (a node number: 1, 2, …).`, { exitCode: EXIT_CONFIG });
  }
  const record = readClusterJson(home);
  if (!record) {
    throw new LauncherError(
      `no Kafka cluster in ${home} (start one with \`kafka:up --brokers 3\`; a single broker has no nodes to stop).`,
      { exitCode: EXIT_CONFIG },
    );
  }
  const node = record.nodes.find((n) => n.id === id);
  if (!node) {
    throw new LauncherError(`node ${id} is not in the cluster (nodes 1–${record.nodes.length}).`, {
      exitCode: EXIT_CONFIG,
    });
  }
  return { record, node };
}

async function locked<T>(home: string, say: (line: string) => void, body: () => Promise<T>): Promise<T> {
  const paths = statePaths(home);
  mkdirSync(paths.home, { recursive: true });
  const release = await acquireLock(paths.lockFile, { log: say });
  try {
    return await body();
  } finally {
    release();
  }
}

/** Stops node `node` of the cluster: SIGKILL when `hard`, else SIGTERM and up to 30 s, then SIGKILL. */
export async function stopNode({
  node: id,
  hard = false,
  home,
  log,
}: StopNodeOptions): Promise<StopNodeResult> {
  const say = toLogger(log);
  const dir = home ?? kafkaHome();
  return locked(dir, say, async () => {
    const { record, node } = clusterNode(dir, id);
    const t = Date.now();
    // The recorded JVM, and any other one of this node's config (e.g. left by an interrupted start-node).
    const pids = new Set(findOurBrokers(node.serverProperties));
    if (nodeAlive(node)) pids.add(node.pid);
    if (pids.size === 0) {
      say(`node ${id} is not running`);
      writeClusterJson(dir, withNode(record, id, { state: 'stopped' }));
      return { node: id, pid: node.pid, stopped: false, outcome: 'not-running', stoppedInMs: 0 };
    }
    say(
      `${hard ? 'killing (SIGKILL)' : 'stopping'} node ${id} (pid ${[...pids].join(', ')}, 127.0.0.1:${node.port})…`,
    );
    let outcome: StopOutcome = 'not-running';
    for (const pid of pids) {
      const how = hard ? await killProcess(pid) : await stopProcess(pid, { graceMs: STOP_NODE_GRACE_MS });
      if (pid === node.pid || outcome === 'not-running') outcome = how;
    }
    writeClusterJson(dir, withNode(record, id, { state: 'stopped' }));
    const stoppedInMs = Date.now() - t;
    say(
      outcome === 'killed' && !hard
        ? `node ${id} did not exit within ${STOP_NODE_GRACE_MS / 1000} s; killed`
        : `node ${id} ${hard ? 'killed' : 'stopped'} in ${seconds(stoppedInMs)}`,
    );
    return { node: id, pid: node.pid, stopped: true, outcome, stoppedInMs };
  });
}

/**
 * Starts node `node` again on its recorded ports with its data dir; resolves once it answers
 * ApiVersions and every live node's metadata lists it as a broker again.
 */
export async function startNode({
  node: id,
  home,
  log,
  timeoutMs,
}: StartNodeOptions): Promise<StartNodeResult> {
  const say = toLogger(log);
  const dir = home ?? kafkaHome();
  const startTimeoutMs = parseTimeout(timeoutMs ?? (process.env.KAFKA_START_TIMEOUT_MS || undefined));
  return locked(dir, say, async () => {
    const t0 = Date.now();
    const { record, node } = clusterNode(dir, id);
    const bootstrap = `127.0.0.1:${node.port}`;
    if (nodeAlive(node)) {
      const probe = await probeApiVersions({ port: node.port, timeoutMs: 2000 });
      if (probe.ok) {
        say(`node ${id} is already running at ${bootstrap} (pid ${node.pid})`);
        return { node: id, pid: node.pid, bootstrap, startedInMs: Date.now() - t0, alreadyRunning: true };
      }
      say(
        `node ${id} (pid ${node.pid}) is alive but does not answer ApiVersions (${probe.reason}); stopping it`,
      );
    }
    for (const pid of new Set([
      ...findOurBrokers(node.serverProperties),
      ...(nodeAlive(node) ? [node.pid] : []),
    ])) {
      await stopProcess(pid, { graceMs: 10_000 });
    }
    for (const port of [node.port, node.controllerPort]) {
      if (!(await isPortFree(port))) {
        throw new LauncherError(
          `port ${port} of node ${id} on 127.0.0.1 is taken by another process; the node must get its ports back (\`kafka:down\`, then \`kafka:up --brokers ${record.nodes.length}\` starts a new cluster).`,
          { exitCode: EXIT_CONFIG },
        );
      }
    }
    const { java, mvn } = checkPrereqs({ needMaven: !cachedLibs(record.version) });
    const libs = await resolveJars({ version: record.version, mvn, log: say });
    const broker = spawnNode({ java, libs, version: record.version }, node, dir);
    const pid = await pidOf(broker);
    writeClusterJson(dir, withNode(record, id, { pid, state: 'starting' }));
    say(`starting node ${id} (pid ${pid}) on ${bootstrap}, controller 127.0.0.1:${node.controllerPort}…`);
    try {
      const deadline = Date.now() + startTimeoutMs;
      await waitUntilServing({ broker, port: node.port, timeoutMs: startTimeoutMs });
      // Answering is not enough for a test that kills the next node: the others must list it again.
      const live = record.nodes.filter((n) => n.id === id || nodeAlive(n)).map((n) => n.port);
      await waitForBrokers({
        ports: live,
        ids: [id],
        processes: [broker],
        timeoutMs: Math.max(1, deadline - Date.now()),
      });
    } catch (err) {
      await stopProcess(pid, { graceMs: 5_000 });
      writeClusterJson(dir, withNode(record, id, { pid, state: 'stopped' }));
      throw new LauncherError(
        `node ${id} failed to start: ${err instanceof Error ? err.message : String(err)}`,
        {
          exitCode: EXIT_START_FAILED,
          details: `last 40 lines of ${node.logFile}:\n${tailFile(node.logFile, 40)}`,
          cause: err,
        },
      );
    }
    writeClusterJson(dir, withNode(record, id, { pid, state: 'running' }));
    broker.child.unref();
    const startedInMs = Date.now() - t0;
    say(`node ${id} ready at ${bootstrap} in ${seconds(startedInMs)} (pid ${pid})`);
    return { node: id, pid, bootstrap, startedInMs, alreadyRunning: false };
  });
}
