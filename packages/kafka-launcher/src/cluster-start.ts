// One start attempt of a fresh multi-broker cluster, and the spawn of one node that `start-node`
// shares. It leaves no process behind when it fails.
//
// Why every node is a COMBINED broker+controller (process.roles=broker,controller) rather than three
// brokers and one separate controller: the controller quorum is then all the nodes, and a quorum of
// three survives the loss of any one of them (a majority of 2 remains), so a test can kill any node,
// controllers included, and the cluster keeps working. A single separate controller would be a single
// point of failure (killing it freezes all metadata: no leader elections, no topic changes, and a
// broker that restarts cannot register). And it is three JVMs instead of four on a 2-core machine.
// The quorum is static (controller.quorum.voters lists every node), like the single node's.

import { mkdirSync, rmSync } from 'node:fs';
import { freePort, pollUntil, tailFile } from '@pipeline/common';
import {
  bootstrapOf,
  type ClusterRecord,
  forgetCluster,
  type NodeRecord,
  nodePaths,
  nodesDir,
  writeClusterJson,
} from './cluster-state.js';
import {
  CLUSTER_REPLICATION,
  loggingArgs,
  newClusterId,
  SINGLE_NODE_REPLICATION,
  writeBrokerConfig,
} from './config.js';
import { fetchMetadata } from './metadata.js';
import {
  type BrokerProcess,
  formatStorage,
  type JvmOptions,
  spawnBroker,
  stopProcess,
  waitUntilServing,
} from './process.js';
import { rotateLog, type StatePaths, writeBootstrapFile } from './run-state.js';
import { StartAttemptFailed } from './start.js';

/**
 * Heap of each cluster node. Sized for a 2-core, 24 GiB machine: 3 × 768 MiB at most (~2.3 GiB, plus
 * ~200 MiB off-heap each) leaves most of the memory to the tests and services that use the cluster.
 * More than the single node's 512 MiB because every node holds a replica of every partition (RF 3) and
 * runs replica fetchers; -Xms256m keeps the start cheap, the heap grows only when needed. On such a
 * machine the two cores, not the memory, are what limit three JVMs.
 */
export const CLUSTER_HEAP: readonly string[] = ['-Xms256m', '-Xmx768m'];

/** Lines of each node's log shown when a start fails. */
export const NODE_TAIL_LINES = 20;

/** `count` distinct ports the kernel says are free now. */
async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

export interface NodeJvm {
  java: string;
  libs: string;
  version: string;
}

/** Spawns the JVM of a cluster node whose config is already written (a first start or a restart). */
export function spawnNode(
  { java, libs, version }: NodeJvm,
  node: Pick<NodeRecord, 'id'>,
  home: string,
): BrokerProcess {
  const files = nodePaths(home, node.id);
  const jvm: JvmOptions = {
    java,
    libs,
    loggingArgs: loggingArgs(version, files),
    serverProperties: files.serverProperties,
    logFile: files.logFile,
    heap: CLUSTER_HEAP,
  };
  return spawnBroker(jvm);
}

/** The pid of a spawned JVM; throws when java could not be started at all. */
export async function pidOf(broker: BrokerProcess): Promise<number> {
  const pid = broker.child.pid;
  if (pid !== undefined) return pid;
  await new Promise((resolve) => setImmediate(resolve)); // the 'error' event says why
  throw new Error(`could not start java: ${broker.spawnError?.message ?? 'no process id'}`);
}

/**
 * Waits until the metadata of every node on `ports` lists the brokers `ids`: registered with the
 * controller quorum and unfenced, and each node knows it. Fails at once when a JVM exits meanwhile.
 */
export async function waitForBrokers({
  ports,
  ids,
  processes,
  timeoutMs,
}: {
  ports: readonly number[];
  ids: readonly number[];
  processes: readonly BrokerProcess[];
  timeoutMs: number;
}): Promise<void> {
  let last = 'not asked yet';
  const check = async (): Promise<boolean> => {
    for (const p of processes) {
      if (p.exit) {
        throw new Error(`a node exited during startup (${p.exit.signal ?? `exit code ${p.exit.code}`})`);
      }
    }
    const answers = await Promise.all(ports.map((port) => fetchMetadata({ port, timeoutMs: 2000 })));
    for (const [i, answer] of answers.entries()) {
      if (!answer.ok) {
        last = `127.0.0.1:${ports[i]}: ${answer.reason}`;
        return false;
      }
      const seen = answer.metadata.brokers.map((b) => b.nodeId);
      const missing = ids.filter((id) => !seen.includes(id));
      if (missing.length > 0) {
        last = `127.0.0.1:${ports[i]} does not list broker ${missing.join(', ')} yet`;
        return false;
      }
    }
    return true;
  };
  const what = `broker ${ids.join(', ')} registered`;
  await pollUntil(check, { timeoutMs, intervalMs: 250, what }).catch((err) => {
    throw new Error(`${err instanceof Error ? err.message : String(err)} (last: ${last})`);
  });
}

export interface ClusterStartOptions extends NodeJvm {
  paths: StatePaths;
  brokers: number;
  startTimeoutMs: number;
  say: (line: string) => void;
}

/** Starts a fresh cluster (new ports, empty data, one new cluster id) and returns once every broker is registered. */
export async function startClusterOnce({
  paths,
  brokers,
  startTimeoutMs,
  say,
  ...jvm
}: ClusterStartOptions): Promise<ClusterRecord> {
  const deadline = Date.now() + startTimeoutMs;
  const home = paths.home;
  const ids = Array.from({ length: brokers }, (_, i) => i + 1);
  const ports = await distinctFreePorts(2 * brokers);
  const voters = ids.map((id, i) => ({ id, controllerPort: ports[brokers + i] as number }));

  // Folders of a previous, larger cluster would be found (and stopped) by `down` for nothing.
  rmSync(nodesDir(home), { recursive: true, force: true });
  const clusterId = newClusterId();
  const processes: BrokerProcess[] = [];
  let record: ClusterRecord | undefined;
  try {
    const nodes: NodeRecord[] = ids.map((id, i) => {
      const files = nodePaths(home, id);
      mkdirSync(files.dataDir, { recursive: true });
      mkdirSync(files.logsDir, { recursive: true });
      rotateLog(files.logFile);
      const port = ports[i] as number;
      const { controllerPort } = voters[i] as { controllerPort: number };
      writeBrokerConfig({
        paths: files,
        version: jvm.version,
        port,
        controllerPort,
        nodeId: id,
        voters,
        // A one-node cluster (up({ cluster: true })) can only hold one replica of anything.
        replication: brokers >= 3 ? CLUSTER_REPLICATION : SINGLE_NODE_REPLICATION,
      });
      const { dataDir, logFile, serverProperties } = files;
      return { id, port, controllerPort, pid: 0, dataDir, logFile, serverProperties, state: 'starting' };
    });
    // Storage is formatted once, here, with the same cluster id for every node; a restarted node
    // (start-node) keeps its data.
    await Promise.all(
      nodes.map((n) =>
        formatStorage({
          java: jvm.java,
          libs: jvm.libs,
          loggingArgs: loggingArgs(jvm.version, nodePaths(home, n.id)),
          serverProperties: n.serverProperties,
          logFile: n.logFile,
          heap: CLUSTER_HEAP,
          clusterId,
        }),
      ),
    );
    // All at once: no node can serve before a majority of the quorum is up to elect a leader.
    for (const n of nodes) {
      const p = spawnNode(jvm, n, home);
      processes.push(p);
      n.pid = await pidOf(p);
    }
    const bootstrap = bootstrapOf(nodes);
    record = {
      version: jvm.version,
      clusterId,
      bootstrap,
      state: 'starting',
      startedAt: new Date().toISOString(),
      nodes,
    };
    // Written before the wait, so an interrupted `up` (Ctrl-C) leaves a record `down` can act on.
    writeClusterJson(home, record);
    say(
      `starting a Kafka ${jvm.version} cluster of ${brokers} (pids ${nodes.map((n) => n.pid).join(', ')}) on ${bootstrap}…`,
    );
    await Promise.all(
      nodes.map((n, i) =>
        waitUntilServing({
          broker: processes[i] as BrokerProcess,
          port: n.port,
          timeoutMs: Math.max(1, deadline - Date.now()),
        }),
      ),
    );
    await waitForBrokers({
      ports: nodes.map((n) => n.port),
      ids,
      processes,
      timeoutMs: Math.max(1, deadline - Date.now()),
    });
    const ready: ClusterRecord = {
      ...record,
      state: 'running',
      readyAt: new Date().toISOString(),
      nodes: nodes.map((n) => ({ ...n, state: 'running' })),
    };
    writeClusterJson(home, ready);
    writeBootstrapFile(paths, bootstrap);
    for (const p of processes) p.child.unref(); // let this Node process exit while the nodes keep running
    return ready;
  } catch (err) {
    await Promise.all(
      processes.map((p) => (p.child.pid ? stopProcess(p.child.pid, { graceMs: 5_000 }) : undefined)),
    );
    forgetCluster(paths);
    const tails = ids
      .map(
        (id) =>
          `--- node ${id} (${nodePaths(home, id).logFile}):\n${tailFile(nodePaths(home, id).logFile, NODE_TAIL_LINES)}`,
      )
      .join('\n');
    throw new StartAttemptFailed(err, tails);
  }
}
