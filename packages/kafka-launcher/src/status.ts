// The read-only side of the launcher: status (is this checkout's broker, or cluster, running and
// answering?), runningBootstrap and clusterNodes (what the run state says, synchronously), and the
// inspection of broker.json that `up` decides with. Never starts or stops anything.

import { type ClusterNode, readClusterJson, toClusterNode } from './cluster-state.js';
import { clusterStatus, type NodeStatus } from './cluster-status.js';
import { probeApiVersions } from './probe.js';
import { isOurBroker } from './process.js';
import {
  type BrokerRecord,
  kafkaHome,
  readBootstrapFile,
  readBrokerJson,
  type StatePaths,
  statePaths,
} from './run-state.js';
import type { PartitionLeader } from './topic-leaders.js';

export const pathsFor = (home: string | undefined): StatePaths => statePaths(home ?? kafkaHome());

export interface StatusResult {
  /** The recorded JVM is alive AND answers ApiVersions (a cluster: at least one node does). */
  running: boolean;
  bootstrap?: string;
  pid?: number;
  version?: string;
  port?: number;
  logFile?: string;
  /** broker.json's state when not running (`starting`, or `running` when it stopped answering). */
  state?: string;
  reason?: string;
  /** A cluster: its size, each node, and what its metadata says (cluster-status.ts). */
  brokers?: number;
  nodes?: NodeStatus[];
  registeredBrokers?: number[];
  leaders?: PartitionLeader[];
  metadataError?: string;
}

/** Whether this checkout's broker is running and answering; never starts or stops anything. */
export async function status({ home }: { home?: string | undefined } = {}): Promise<StatusResult> {
  const paths = pathsFor(home);
  const cluster = readClusterJson(paths.home);
  if (cluster) {
    const s = await clusterStatus(cluster);
    const serving = s.nodes.find((n) => n.state === 'running');
    const { bootstrap, version } = cluster;
    const common = { bootstrap, version, brokers: cluster.nodes.length, ...s };
    if (serving) {
      const { pid, port, logFile } = serving;
      return { running: true, pid, port, logFile, ...common };
    }
    return { running: false, state: cluster.state, reason: 'no node of the cluster answers', ...common };
  }
  const current = await inspect(paths);
  if (!current.broker) return { running: false, reason: 'no broker.json' };
  const { bootstrap, pid, version, port, logFile, state } = current.broker;
  if (current.serving) return { running: true, bootstrap, pid, version, port, logFile };
  return { running: false, bootstrap, pid, version, port, logFile, state, reason: current.reason };
}

/**
 * The bootstrap address (`127.0.0.1:PORT`) of this checkout's broker when it got ready and its JVM is
 * still alive, from the run state; undefined otherwise. For a cluster: every node's address,
 * comma-separated, when it got ready and at least one node's JVM is alive. Synchronous and cheap: it does not ask the
 * broker (status() does).
 */
export function runningBootstrap({ home }: { home?: string | undefined } = {}): string | undefined {
  let paths: StatePaths;
  try {
    paths = pathsFor(home);
  } catch {
    return undefined; // not in a checkout and no PIPELINE_KAFKA_HOME: no broker of ours
  }
  const bootstrap = readBootstrapFile(paths);
  const cluster = readClusterJson(paths.home);
  if (cluster)
    return bootstrap && clusterNodes({ home: paths.home }).some((n) => n.alive) ? bootstrap : undefined;
  const broker = readBrokerJson(paths);
  if (!bootstrap || !broker || !isOurBroker(broker.pid, paths.serverProperties)) return undefined;
  return bootstrap;
}

/** The nodes of this checkout's cluster from its run state (empty without a cluster). Synchronous. */
export function clusterNodes({ home }: { home?: string | undefined } = {}): ClusterNode[] {
  return readClusterJson(pathsFor(home).home)?.nodes.map(toClusterNode) ?? [];
}

export type Inspection =
  | { broker: null; alive: false; serving: false; reason?: undefined }
  | { broker: BrokerRecord; alive: boolean; serving: false; reason: string }
  | { broker: BrokerRecord; alive: true; serving: true; reason?: undefined };

/** What broker.json says, and whether that process is alive, ours, and serving. */
export async function inspect(paths: StatePaths): Promise<Inspection> {
  const broker = readBrokerJson(paths);
  if (!broker) return { broker: null, alive: false, serving: false };
  if (!isOurBroker(broker.pid, paths.serverProperties)) {
    return { broker, alive: false, serving: false, reason: `pid ${broker.pid} is not running` };
  }
  const probe = await probeApiVersions({ port: broker.port, timeoutMs: 2000 });
  if (probe.ok) return { broker, alive: true, serving: true };
  return {
    broker,
    alive: true,
    serving: false,
    reason: `pid ${broker.pid} is alive but does not answer ApiVersions (${probe.reason})`,
  };
}
