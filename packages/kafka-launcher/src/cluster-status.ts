// The status of a cluster: each node (alive? answering?) and, from a node that answers, the brokers
// registered and the leaders of the partitions that matter when a node dies (topic-leaders.ts).

import { type ClusterRecord, nodeAlive } from './cluster-state.js';
import { fetchMetadata } from './metadata.js';
import { probeApiVersions } from './probe.js';
import { formatLeaders, type PartitionLeader, selectLeaders } from './topic-leaders.js';

export interface NodeStatus {
  id: number;
  /** The last JVM started for this node (it may be gone). */
  pid: number;
  port: number;
  controllerPort: number;
  bootstrap: string;
  /** `running`: alive and answering ApiVersions; `not answering`: alive but not serving; `down`: no JVM. */
  state: 'running' | 'not answering' | 'down';
  reason?: string;
  logFile: string;
}

export interface ClusterStatus {
  nodes: NodeStatus[];
  /** Node ids the cluster's metadata lists as registered brokers (from an answering node). */
  registeredBrokers?: number[];
  /** Leaders of `__transaction_state` and of the `*orchestrator.state` topics' partitions. */
  leaders?: PartitionLeader[];
  /** Why registeredBrokers and leaders are missing. */
  metadataError?: string;
}

export async function clusterStatus(record: ClusterRecord): Promise<ClusterStatus> {
  const nodes = await Promise.all(
    record.nodes.map(async (n): Promise<NodeStatus> => {
      const { id, pid, port, controllerPort, logFile } = n;
      const base = { id, pid, port, controllerPort, bootstrap: `127.0.0.1:${port}`, logFile };
      if (!nodeAlive(n)) return { ...base, state: 'down' };
      const probe = await probeApiVersions({ port, timeoutMs: 2000 });
      return probe.ok
        ? { ...base, state: 'running' }
        : { ...base, state: 'not answering', reason: probe.reason };
    }),
  );
  let metadataError = 'no node answers';
  for (const n of nodes.filter((x) => x.state === 'running')) {
    const answer = await fetchMetadata({ port: n.port, timeoutMs: 3000 });
    if (answer.ok) {
      return {
        nodes,
        registeredBrokers: answer.metadata.brokers.map((b) => b.nodeId).sort((a, b) => a - b),
        leaders: selectLeaders(answer.metadata),
      };
    }
    metadataError = `metadata from node ${n.id}: ${answer.reason}`;
  }
  return { nodes, metadataError };
}

/** The human lines of `kafka:status` for a cluster (after the headline). */
export function formatClusterStatus(s: ClusterStatus): string[] {
  const lines = s.nodes.map(
    (n) =>
      `  node ${n.id}  ${n.state === 'down' ? 'down         ' : `pid ${String(n.pid).padEnd(8)}`}  ${n.bootstrap}  ${n.state}${n.reason ? ` (${n.reason})` : ''}`,
  );
  if (s.registeredBrokers) lines.push(`  registered brokers: ${s.registeredBrokers.join(', ') || 'none'}`);
  if (s.metadataError) lines.push(`  no leaders: ${s.metadataError}`);
  else if (s.leaders?.length === 0) {
    lines.push('  leaders: no __transaction_state or *orchestrator.state topic yet');
  } else if (s.leaders) {
    lines.push('  leaders:', ...formatLeaders(s.leaders).map((l) => `    ${l}`));
  }
  return lines;
}
