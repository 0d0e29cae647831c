// A multi-broker cluster as `up` and `down` see it: reuse the cluster that runs, or start a fresh one
// (with one retry), and stop every node. Why combined broker+controller nodes: cluster-start.ts. The
// node-level commands are in cluster-nodes.ts, the status in cluster-status.ts.

import { NODE_TAIL_LINES, startClusterOnce } from './cluster-start.js';
import {
  type ClusterNode,
  type ClusterRecord,
  forgetCluster,
  nodeAlive,
  nodeConfigFiles,
  readClusterJson,
  toClusterNode,
} from './cluster-state.js';
import { EXIT_CONFIG, LauncherError } from './errors.js';
import { seconds } from './options.js';
import { probeApiVersions } from './probe.js';
import { findOurBrokers, stopProcess } from './process.js';
import { type StatePaths, writeBootstrapFile } from './run-state.js';
import { startWithRetry } from './start.js';

/** The broker counts `--brokers` accepts: 1 (the single node) or a cluster of 3 to 5. */
export const MIN_CLUSTER = 3;
export const MAX_CLUSTER = 5;

export interface ClusterUp {
  bootstrap: string;
  pid: number;
  version: string;
  alreadyRunning: boolean;
  nodes: ClusterNode[];
}

export interface ClusterUpOptions {
  paths: StatePaths;
  /** The asked-for node count; undefined = reuse whatever cluster runs (only called then if one does). */
  brokers: number | undefined;
  /** The version asked for explicitly (option or KAFKA_VERSION), if any. */
  explicitVersion: string | undefined;
  wantVersion: string;
  startTimeoutMs: number;
  java: string;
  /** The jar directory of a version (Maven runs only on a cold cache). */
  libsFor: (version: string) => Promise<string>;
  say: (line: string) => void;
  t0: number;
}

/** Whether cluster.json names at least one live node JVM of this home. */
export function clusterAlive(paths: StatePaths): boolean {
  return readClusterJson(paths.home)?.nodes.some(nodeAlive) ?? false;
}

/**
 * Reuses the cluster of this home when at least one of its nodes answers, and otherwise starts a fresh
 * one (after stopping what is left of the old one). Nodes stopped with stop-node stay stopped: a test
 * may be killing them on purpose; `start-node` brings them back.
 */
export async function upCluster(o: ClusterUpOptions): Promise<ClusterUp> {
  const { paths, say } = o;
  const record = readClusterJson(paths.home);
  if (record?.nodes.some(nodeAlive)) {
    const reused = await reuse(record, o);
    if (reused) return reused;
  } else if (record) {
    say('removing stale cluster.json (no node is running)');
  }
  await stopCluster(paths, say);
  const brokers = o.brokers ?? record?.nodes.length ?? MIN_CLUSTER;
  const version = o.wantVersion;
  const libs = await o.libsFor(version);
  const what = `Kafka ${version} cluster of ${brokers}`;
  const started = await startWithRetry({
    what,
    logs: `each node's log (${paths.home}/nodes/<N>/logs/broker.log)`,
    tailLines: NODE_TAIL_LINES,
    say,
    attempt: () =>
      startClusterOnce({
        paths,
        brokers,
        version,
        java: o.java,
        libs,
        startTimeoutMs: o.startTimeoutMs,
        say,
      }),
  });
  say(
    `${what} ready at ${started.bootstrap} in ${seconds(Date.now() - o.t0)} (logs ${paths.home}/nodes/<N>/logs)`,
  );
  const nodes = started.nodes.map(toClusterNode);
  return { bootstrap: started.bootstrap, pid: nodes[0]?.pid ?? 0, version, alreadyRunning: false, nodes };
}

/** The running cluster when it fits the request and a node answers; undefined when it must be replaced. */
async function reuse(record: ClusterRecord, o: ClusterUpOptions): Promise<ClusterUp | undefined> {
  const size = record.nodes.length;
  if (o.explicitVersion && record.version !== o.wantVersion) {
    throw new LauncherError(
      `a Kafka ${record.version} cluster is already running at ${record.bootstrap}, but ${o.wantVersion} was asked for; run \`kafka:down\` first.`,
      { exitCode: EXIT_CONFIG },
    );
  }
  if (o.brokers !== undefined && o.brokers !== size) {
    throw new LauncherError(
      `a Kafka cluster of ${size} is already running at ${record.bootstrap}, but ${o.brokers} brokers were asked for; run \`kafka:down\` first.`,
      { exitCode: EXIT_CONFIG },
    );
  }
  const alive = record.nodes.filter(nodeAlive);
  const answers = await Promise.all(alive.map((n) => probeApiVersions({ port: n.port, timeoutMs: 2000 })));
  const answering = alive.filter((_, i) => answers[i]?.ok);
  if (answering.length === 0) {
    o.say(
      `the cluster's live nodes (${alive.map((n) => n.id).join(', ')}) do not answer ApiVersions; replacing the cluster`,
    );
    return undefined;
  }
  // The bootstrap file may have been removed by hand; the record says the cluster got ready.
  if (record.state === 'running') writeBootstrapFile(o.paths, record.bootstrap);
  const down = record.nodes.filter((n) => !answering.includes(n)).map((n) => n.id);
  o.say(
    `Kafka ${record.version} cluster of ${size} already running at ${record.bootstrap}; reusing it` +
      (down.length ? ` (not answering: node ${down.join(', ')}; \`kafka:start-node N\` restarts one)` : ''),
  );
  return {
    bootstrap: record.bootstrap,
    pid: answering[0]?.pid ?? 0,
    version: record.version,
    alreadyRunning: true,
    nodes: record.nodes.map(toClusterNode),
  };
}

/**
 * Stops every node JVM of this home: those cluster.json records and any other JVM whose command line
 * names a node config under <home>/nodes. All at once, SIGTERM then SIGKILL after 20 s: the cluster is
 * thrown away (a fresh `up` formats new storage). Forgets the cluster. Resolves to whether any ran.
 */
export async function stopCluster(paths: StatePaths, say: (line: string) => void): Promise<boolean> {
  const record = readClusterJson(paths.home);
  const files = new Set(nodeConfigFiles(paths.home));
  for (const n of record?.nodes ?? []) files.add(n.serverProperties);
  const pids = findOurBrokers([...files]);
  if (pids.length === 0) {
    if (record) forgetCluster(paths); // a stale record; without one the bootstrap file is not ours
    return false;
  }
  const nodeOf = new Map(record?.nodes.map((n) => [n.pid, n.id]));
  const label = (pid: number): string =>
    nodeOf.has(pid) ? `node ${nodeOf.get(pid)} (pid ${pid})` : `node JVM pid ${pid}`;
  say(`stopping ${pids.map(label).join(', ')}…`);
  const t = Date.now();
  const outcomes = await Promise.all(pids.map((pid) => stopProcess(pid, { graceMs: 20_000 })));
  const killed = pids.filter((_, i) => outcomes[i] === 'killed');
  say(
    killed.length
      ? `${killed.map(label).join(', ')} did not exit within 20 s; killed`
      : `stopped in ${seconds(Date.now() - t)}`,
  );
  forgetCluster(paths);
  return true;
}
