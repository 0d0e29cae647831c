// The run state of a multi-broker cluster: one folder per node under <home>/nodes/<N>/ and
// <home>/cluster.json, which records what was started (ports, pids, data dirs) so that a node can be
// stopped and restarted on the same ports with the same data, and so that `down` and `status` find it.
// The single broker keeps its own files (run-state.ts: broker.json); a home holds one or the other.

import { readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NodeFiles } from './config.js';
import { isOurBroker } from './process.js';
import type { StatePaths } from './run-state.js';

/** Where one node of a cluster keeps its files: <home>/nodes/<N>/{config,data,logs}. */
export interface NodePaths extends NodeFiles {
  dir: string;
  logFile: string;
}

export function nodePaths(home: string, id: number): NodePaths {
  const dir = join(home, 'nodes', String(id));
  return {
    dir,
    configDir: join(dir, 'config'),
    serverProperties: join(dir, 'config', 'server.properties'),
    dataDir: join(dir, 'data'),
    logsDir: join(dir, 'logs'),
    logFile: join(dir, 'logs', 'broker.log'),
  };
}

export const clusterJsonPath = (home: string): string => join(home, 'cluster.json');
export const nodesDir = (home: string): string => join(home, 'nodes');

/** One node of cluster.json. `pid` is the last JVM started for it (it may have been stopped since). */
export interface NodeRecord {
  id: number;
  /** Client (PLAINTEXT) port on 127.0.0.1, picked at the first start and reused by every restart. */
  port: number;
  controllerPort: number;
  pid: number;
  dataDir: string;
  logFile: string;
  serverProperties: string;
  /** `stopped` after stop-node; `starting` while (re)started. */
  state: 'starting' | 'running' | 'stopped';
}

/** cluster.json: written when the JVMs are spawned (`starting`), again when all answer (`running`). */
export interface ClusterRecord {
  /** Kafka version. */
  version: string;
  clusterId: string;
  /** `127.0.0.1:p1,127.0.0.1:p2,…`, every node. */
  bootstrap: string;
  state: 'starting' | 'running';
  startedAt: string;
  readyAt?: string;
  nodes: NodeRecord[];
}

/** cluster.json, or null when there is none or it does not look like a cluster record. */
export function readClusterJson(home: string): ClusterRecord | null {
  try {
    const record: unknown = JSON.parse(readFileSync(clusterJsonPath(home), 'utf8'));
    if (typeof record !== 'object' || record === null) return null;
    const { nodes } = record as { nodes?: unknown };
    if (!Array.isArray(nodes) || nodes.length === 0) return null;
    const valid = nodes.every((n: unknown) => {
      const { id, port, controllerPort, pid } = (n ?? {}) as Record<string, unknown>;
      return [id, port, controllerPort, pid].every(Number.isInteger);
    });
    return valid ? (record as ClusterRecord) : null;
  } catch {
    return null;
  }
}

export function writeClusterJson(home: string, record: ClusterRecord): void {
  const file = clusterJsonPath(home);
  writeFileSync(`${file}.tmp`, `${JSON.stringify(record, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

/** The record with node `id` changed by `patch`. */
export function withNode(record: ClusterRecord, id: number, patch: Partial<NodeRecord>): ClusterRecord {
  return { ...record, nodes: record.nodes.map((n) => (n.id === id ? { ...n, ...patch } : n)) };
}

/** Removes what says a cluster runs (cluster.json and the bootstrap file); the node folders stay. */
export function forgetCluster(paths: StatePaths): void {
  rmSync(clusterJsonPath(paths.home), { force: true });
  rmSync(paths.bootstrapFile, { force: true });
}

/** `127.0.0.1:p1,127.0.0.1:p2,…` */
export const bootstrapOf = (nodes: readonly Pick<NodeRecord, 'port'>[]): string =>
  nodes.map((n) => `127.0.0.1:${n.port}`).join(',');

/** Whether the recorded JVM of this node is alive and is that node's broker (not a reused pid). */
export const nodeAlive = (node: NodeRecord): boolean => isOurBroker(node.pid, node.serverProperties);

/**
 * The server.properties of every node folder under the home, recorded or not: what `down` looks for
 * on JVM command lines, so it also finds nodes cluster.json no longer knows.
 */
export function nodeConfigFiles(home: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(nodesDir(home));
  } catch {
    return [];
  }
  return entries.filter((e) => /^\d+$/.test(e)).map((e) => nodePaths(home, Number(e)).serverProperties);
}

/** A cluster node as the API reports it (clusterNodes()). */
export interface ClusterNode {
  id: number;
  port: number;
  controllerPort: number;
  pid: number;
  /** `127.0.0.1:port` */
  bootstrap: string;
  /** Its recorded JVM is alive (not whether it answers: status() asks it). */
  alive: boolean;
}

export function toClusterNode(node: NodeRecord): ClusterNode {
  const { id, port, controllerPort, pid } = node;
  return { id, port, controllerPort, pid, bootstrap: `127.0.0.1:${port}`, alive: nodeAlive(node) };
}
