// The launcher's public functions: up (start or reuse this checkout's broker, or cluster), down (stop
// it), status (is it running and answering?), runningBootstrap and clusterNodes (its address and nodes,
// for tests and tools). The pieces: start.ts (one start attempt of a single broker), cluster*.ts (a
// multi-broker cluster and its stop-node/start-node), resolve-jars.ts (Maven -> jar cache), config.ts
// (server.properties + logging), process.ts (spawn / wait / stop), probe.ts and metadata.ts (raw Kafka
// requests), lock.ts (concurrent callers), prereqs.ts (java/mvn lookup), run-state.ts, cluster-state.ts
// and paths.ts (where files live).

import { mkdirSync } from 'node:fs';
import { clusterAlive, stopCluster, upCluster } from './cluster.js';
import { type ClusterNode, readClusterJson } from './cluster-state.js';
import { EXIT_CONFIG, LauncherError } from './errors.js';
import { acquireLock } from './lock.js';
import {
  DEFAULT_KAFKA_VERSION,
  type Log,
  parseBrokers,
  parsePort,
  parseTimeout,
  seconds,
  toLogger,
  validateVersion,
} from './options.js';
import { checkPrereqs } from './prereqs.js';
import { findOurBrokers, isOurBroker, stopProcess } from './process.js';
import { cachedLibs, resolveJars } from './resolve-jars.js';
import { forgetBroker, readBrokerJson, type StatePaths } from './run-state.js';
import { startOnce, startWithRetry } from './start.js';
import { type Inspection, inspect, pathsFor } from './status.js';

// The read-only side (status, runningBootstrap, clusterNodes) is in status.ts.
export { clusterNodes, runningBootstrap, type StatusResult, status } from './status.js';

export interface UpOptions {
  /** Kafka version; default env KAFKA_VERSION, then DEFAULT_KAFKA_VERSION. */
  version?: string | undefined;
  /** Client port (a string is read like KAFKA_PORT); default env KAFKA_PORT, then a free port. */
  port?: number | string | undefined;
  /** Progress output; default stderr, false = silent. */
  log?: Log | undefined;
  /** Per-attempt readiness deadline; default env KAFKA_START_TIMEOUT_MS, then 90 s. */
  timeoutMs?: number | undefined;
  /** Run-state directory; default env PIPELINE_KAFKA_HOME, then <repo>/.kafka. */
  home?: string | undefined;
  /**
   * 1 (a single node) or 3 to 5 (a cluster of combined broker+controller nodes). Default: reuse
   * whatever runs, else a single node.
   */
  brokers?: number | string | undefined;
  /**
   * Run a single node as a one-node cluster: what the single-node default cannot do, `stopNode` and
   * `startNode` then stop and start the same broker with its data (the single node starts fresh each
   * `up`). For a fault test of a stop and start of the only broker. Default false.
   */
  cluster?: boolean | undefined;
}

export interface UpResult {
  /** `127.0.0.1:PORT`; for a cluster every node, comma-separated. */
  bootstrap: string;
  /** The broker's pid; for a cluster, the first node's. */
  pid: number;
  version: string;
  startedInMs: number;
  /** true when this checkout's broker was already running and was reused. */
  alreadyRunning: boolean;
  /** The nodes of a cluster (absent for a single broker). */
  nodes?: ClusterNode[];
}

export interface DownOptions {
  log?: Log | undefined;
  home?: string | undefined;
}

/** Starts a fresh single-node broker, or reuses the one already running for this checkout. */
export async function up({
  version,
  port,
  log,
  timeoutMs,
  home,
  brokers,
  cluster = false,
}: UpOptions = {}): Promise<UpResult> {
  const t0 = Date.now();
  const say = toLogger(log);
  const env = process.env;

  // "Explicit" = the caller asked for something specific; only then does a running broker of another
  // version/port count as a conflict rather than something to reuse.
  const explicitVersion = version ?? (env.KAFKA_VERSION || undefined);
  const wantVersion = validateVersion(explicitVersion ?? DEFAULT_KAFKA_VERSION);
  const explicitPort = parsePort(port ?? (env.KAFKA_PORT || undefined));
  const startTimeoutMs = parseTimeout(timeoutMs ?? (env.KAFKA_START_TIMEOUT_MS || undefined));
  const wantBrokers = parseBrokers(brokers) ?? (cluster ? 1 : undefined);
  if (cluster && wantBrokers !== 1) {
    throw new LauncherError(
      `cluster: true is for one node (a one-node cluster); ${wantBrokers} brokers are a cluster already.`,
      { exitCode: EXIT_CONFIG },
    );
  }
  if (((wantBrokers !== undefined && wantBrokers > 1) || cluster) && explicitPort) {
    throw new LauncherError(
      '--port / KAFKA_PORT is for a single broker; a cluster picks a free port per node.',
      {
        exitCode: EXIT_CONFIG,
      },
    );
  }

  // Prerequisites before touching anything. Maven only matters on a cold jar cache.
  const { java, mvn } = checkPrereqs({ needMaven: !cachedLibs(wantVersion, env) });

  const paths = pathsFor(home);
  mkdirSync(paths.home, { recursive: true });
  const release = await acquireLock(paths.lockFile, { log: say });
  try {
    // --- Reuse, or clean up what a previous run left behind.
    const current = await inspect(paths);
    const clusterRuns = clusterAlive(paths);
    if ((wantBrokers ?? 1) > 1 || cluster || (wantBrokers === undefined && clusterRuns)) {
      if (current.serving) {
        throw new LauncherError(
          `a single Kafka broker is running at ${current.broker.bootstrap}, but a cluster of ${wantBrokers} was asked for; run \`kafka:down\` first.`,
          { exitCode: EXIT_CONFIG },
        );
      }
      await cleanUpSingle(paths, current, say);
      const libsFor = (v: string) => resolveJars({ version: v, mvn, log: say, env });
      const cluster = await upCluster({
        paths,
        brokers: wantBrokers,
        explicitVersion,
        wantVersion,
        startTimeoutMs,
        java,
        libsFor,
        say,
        t0,
      });
      return { ...cluster, startedInMs: Date.now() - t0 };
    }
    if (clusterRuns) {
      const cluster = readClusterJson(paths.home);
      throw new LauncherError(
        `a Kafka cluster of ${cluster?.nodes.length} is running at ${cluster?.bootstrap}, but a single broker was asked for; run \`kafka:down\` first.`,
        { exitCode: EXIT_CONFIG },
      );
    }
    if (current.serving) {
      const b = current.broker;
      if (explicitVersion && b.version !== wantVersion) {
        throw new LauncherError(
          `Kafka ${b.version} is already running at ${b.bootstrap}, but ${wantVersion} was asked for; run \`kafka:down\` first.`,
          { exitCode: EXIT_CONFIG },
        );
      }
      if (explicitPort && b.port !== explicitPort) {
        throw new LauncherError(
          `Kafka is already running at ${b.bootstrap}, but port ${explicitPort} was asked for; run \`kafka:down\` first.`,
          { exitCode: EXIT_CONFIG },
        );
      }
      say(`Kafka ${b.version} already running at ${b.bootstrap} (pid ${b.pid}); reusing it`);
      return {
        bootstrap: b.bootstrap,
        pid: b.pid,
        version: b.version,
        startedInMs: Date.now() - t0,
        alreadyRunning: true,
      };
    }
    await stopCluster(paths, say); // what a dead cluster left behind (nothing, usually)
    await cleanUpSingle(paths, current, say);
    forgetBroker(paths);

    // --- Jars (Maven runs only on a cold cache).
    const libs = await resolveJars({ version: wantVersion, mvn, log: say, env });

    // --- Start, with one retry on a fresh data dir.
    const broker = await startWithRetry({
      what: `Kafka ${wantVersion}`,
      logs: paths.logFile,
      say,
      attempt: () =>
        startOnce({ paths, java, libs, version: wantVersion, explicitPort, startTimeoutMs, say }),
    });
    const startedInMs = Date.now() - t0;
    say(
      `Kafka ${wantVersion} ready at ${broker.bootstrap} in ${seconds(startedInMs)} (pid ${broker.pid}, log ${paths.logFile})`,
    );
    return {
      bootstrap: broker.bootstrap,
      pid: broker.pid,
      version: wantVersion,
      startedInMs,
      alreadyRunning: false,
    };
  } finally {
    release();
  }
}

/** Stops what a single broker that is not serving left behind (a hung JVM, strays) and forgets it. */
async function cleanUpSingle(
  paths: StatePaths,
  current: Inspection,
  say: (line: string) => void,
): Promise<void> {
  if (current.broker && current.alive) {
    say(`${current.reason}; stopping it`);
    await stopProcess(current.broker.pid, { graceMs: 10_000 });
  } else if (current.broker) {
    say(`removing stale broker.json (pid ${current.broker.pid} is gone)`);
  }
  // Only a broker.json owns the bootstrap file here; without one it may be a cluster's.
  if (current.broker) forgetBroker(paths);
  for (const pid of findOurBrokers(paths.serverProperties)) {
    say(`stopping stray broker JVM pid ${pid} that uses ${paths.serverProperties}`);
    await stopProcess(pid, { graceMs: 10_000 });
  }
}

/**
 * Stops the broker (or every node of the cluster) of this checkout: SIGTERM, up to 20 s for Kafka's controlled shutdown, then SIGKILL.
 * Also stops any stray broker JVM using this checkout's configs. Safe to call when nothing runs.
 */
export async function down({ log, home }: DownOptions = {}): Promise<{ stopped: boolean }> {
  const say = toLogger(log);
  const paths = pathsFor(home);
  mkdirSync(paths.home, { recursive: true });
  const release = await acquireLock(paths.lockFile, { log: say });
  try {
    return await stopAll(paths, say);
  } finally {
    release();
  }
}

/** Stops every broker JVM of this run-state folder and forgets it (down without the lock: the CLI's Ctrl-C). */
export async function stopAll(paths: StatePaths, say: (line: string) => void): Promise<{ stopped: boolean }> {
  const clusterStopped = await stopCluster(paths, say);
  const broker = readBrokerJson(paths);
  const pids = new Set(findOurBrokers(paths.serverProperties));
  if (broker && isOurBroker(broker.pid, paths.serverProperties)) pids.add(broker.pid);
  if (pids.size === 0) {
    forgetBroker(paths);
    if (clusterStopped) return { stopped: true };
    say(broker ? `no broker running (removed stale broker.json for pid ${broker.pid})` : 'no broker running');
    return { stopped: false };
  }
  for (const pid of pids) {
    const label =
      broker?.pid === pid
        ? `Kafka ${broker.version} (pid ${pid}, ${broker.bootstrap})`
        : `broker JVM pid ${pid}`;
    say(`stopping ${label}…`);
    const t = Date.now();
    const how = await stopProcess(pid, { graceMs: 20_000 });
    say(
      how === 'killed'
        ? `${label} did not exit within 20 s; killed`
        : `stopped in ${seconds(Date.now() - t)}`,
    );
  }
  forgetBroker(paths);
  return { stopped: true };
}
