import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { clusterNodes, down, runningBootstrap, status } from '../src/api.js';
import { startNode, stopNode } from '../src/cluster-nodes.js';
import {
  bootstrapOf,
  type ClusterRecord,
  clusterJsonPath,
  nodeConfigFiles,
  nodePaths,
  readClusterJson,
  withNode,
  writeClusterJson,
} from '../src/cluster-state.js';
import { EXIT_CONFIG, LauncherError } from '../src/errors.js';
import { statePaths, writeBootstrapFile } from '../src/run-state.js';

const scratch = mkdtempSync(join(tmpdir(), 'launcher-cluster-state-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A cluster record whose pids are this test process: alive, but not a broker of that home. */
function record(home: string): ClusterRecord {
  const nodes = [1, 2, 3].map((id) => {
    const files = nodePaths(home, id);
    return {
      id,
      port: 39000 + id,
      controllerPort: 39100 + id,
      pid: process.pid,
      dataDir: files.dataDir,
      logFile: files.logFile,
      serverProperties: files.serverProperties,
      state: 'running' as const,
    };
  });
  return {
    version: '3.9.1',
    clusterId: 'AAAAAAAAAAAAAAAAAAAAAA',
    bootstrap: bootstrapOf(nodes),
    state: 'running',
    startedAt: new Date().toISOString(),
    nodes,
  };
}

async function failure(promise: Promise<unknown>): Promise<LauncherError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (error instanceof LauncherError) return error;
  throw new Error(`expected a LauncherError, got ${String(error)}`);
}

describe('the run state of a cluster', () => {
  it('puts each node in <home>/nodes/<N>', () => {
    expect(nodePaths('/h', 2)).toEqual({
      dir: '/h/nodes/2',
      configDir: '/h/nodes/2/config',
      serverProperties: '/h/nodes/2/config/server.properties',
      dataDir: '/h/nodes/2/data',
      logsDir: '/h/nodes/2/logs',
      logFile: '/h/nodes/2/logs/broker.log',
    });
    expect(bootstrapOf([{ port: 1 }, { port: 2 }])).toBe('127.0.0.1:1,127.0.0.1:2');
  });

  it('is cluster.json, written, read back and patched one node at a time', () => {
    const home = join(scratch, 'rw');
    mkdirSync(home, { recursive: true });
    expect(readClusterJson(home)).toBeNull();
    const written = record(home);
    writeClusterJson(home, written);
    expect(readClusterJson(home)).toEqual(written);
    const patched = withNode(written, 2, { pid: 7, state: 'stopped' });
    expect(patched.nodes.map((n) => [n.pid, n.state])).toEqual([
      [process.pid, 'running'],
      [7, 'stopped'],
      [process.pid, 'running'],
    ]);
  });

  it('ignores a cluster.json without nodes or with a node lacking an integer pid or port', () => {
    const home = join(scratch, 'bad');
    mkdirSync(home, { recursive: true });
    for (const text of [
      'not json',
      'null',
      '{"nodes":[]}',
      '{"nodes":[{"id":1,"port":1,"controllerPort":2}]}',
    ]) {
      writeFileSync(clusterJsonPath(home), text);
      expect(readClusterJson(home)).toBeNull();
    }
  });

  it('lists the node configs under the home for `down`, recorded or not', () => {
    const home = join(scratch, 'configs');
    for (const id of [1, 2, 4]) mkdirSync(nodePaths(home, id).dir, { recursive: true });
    mkdirSync(join(home, 'nodes', 'junk'), { recursive: true });
    expect(nodeConfigFiles(home).sort()).toEqual([1, 2, 4].map((id) => nodePaths(home, id).serverProperties));
    expect(nodeConfigFiles(join(scratch, 'none'))).toEqual([]);
  });
});

describe('a cluster whose JVMs are gone (pids that are not its brokers)', () => {
  const home = join(scratch, 'stale');
  mkdirSync(home, { recursive: true });
  const stale = record(home);
  writeClusterJson(home, stale);
  writeBootstrapFile(statePaths(home), stale.bootstrap);

  it('has nodes, none alive, and no running bootstrap', () => {
    expect(clusterNodes({ home })).toEqual(
      stale.nodes.map((n) => ({
        id: n.id,
        port: n.port,
        controllerPort: n.controllerPort,
        pid: n.pid,
        bootstrap: `127.0.0.1:${n.port}`,
        alive: false,
      })),
    );
    expect(runningBootstrap({ home })).toBeUndefined();
  });

  it('is reported by status as down, node by node, without asking a JVM anything', async () => {
    const t = Date.now();
    const s = await status({ home });
    expect(Date.now() - t).toBeLessThan(1000);
    expect(s).toMatchObject({
      running: false,
      brokers: 3,
      bootstrap: stale.bootstrap,
      metadataError: 'no node answers',
    });
    expect(s.nodes?.map((n) => [n.id, n.state])).toEqual([
      [1, 'down'],
      [2, 'down'],
      [3, 'down'],
    ]);
  });

  it('refuses a node that is not in it, and stops a node that is not running as a no-op', async () => {
    const error = await failure(stopNode({ node: 4, home, log: false }));
    expect(error.exitCode).toBe(EXIT_CONFIG);
    expect(error.message).toBe('node 4 is not in the cluster (nodes 1–3).');
    expect((await failure(startNode({ node: 0, home, log: false }))).message).toMatch(/^invalid node "0"/);
    expect(await stopNode({ node: 2, home, log: false })).toMatchObject({
      node: 2,
      stopped: false,
      outcome: 'not-running',
    });
    expect(readClusterJson(home)?.nodes[1]?.state).toBe('stopped');
  });

  it('is forgotten by down', async () => {
    expect(await down({ home, log: false })).toEqual({ stopped: false });
    expect(existsSync(clusterJsonPath(home))).toBe(false);
    expect(existsSync(join(home, 'bootstrap'))).toBe(false);
  });
});

describe('stop-node and start-node without a cluster', () => {
  it('say so with exit code 2', async () => {
    const home = join(scratch, 'empty');
    for (const promise of [
      stopNode({ node: 1, hard: true, home, log: false }),
      startNode({ node: 1, home, log: false }),
    ]) {
      const error = await failure(promise);
      expect(error.exitCode).toBe(EXIT_CONFIG);
      expect(error.message).toMatch(/^no Kafka cluster in .*empty \(start one with `kafka:up --brokers 3`/);
    }
  });
});
