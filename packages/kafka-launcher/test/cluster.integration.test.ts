import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pollUntil } from '@pipeline/common';
import { afterAll, describe, expect, it } from 'vitest';
import { clusterNodes, down, runningBootstrap, status, up } from '../src/api.js';
import { startNode, stopNode } from '../src/cluster-nodes.js';
import { EXIT_CONFIG, LauncherError } from '../src/errors.js';
import { probeApiVersions } from '../src/probe.js';
import { isAlive } from '../src/process.js';
import { createTopic } from './support/create-topic.js';

// A real 3-node cluster (three JVMs) in a private run-state folder: it never touches this checkout's
// own broker (.kafka). The jar cache is shared, so a cold cache costs one Maven run first.
const home = mkdtempSync(join(tmpdir(), 'launcher-cluster-'));
const singleHome = mkdtempSync(join(tmpdir(), 'launcher-one-node-'));
const answers = async (port: number): Promise<boolean> =>
  (await probeApiVersions({ port, timeoutMs: 2000 })).ok;
const TOPIC = 'it.orchestrator.state';

afterAll(async () => {
  await down({ home, log: false });
  await down({ home: singleHome, log: false });
  rmSync(home, { recursive: true, force: true });
  rmSync(singleHome, { recursive: true, force: true });
}, 120_000);

describe('a 3-node cluster', () => {
  // Three JVMs on a busy 2-core machine, a kill, a restart (Kafka keeps the killed node's registration
  // for broker.session.timeout.ms, 9 s, before it may register again) and the stop: all polled.
  it('starts, survives a killed node, restarts it on the same port, reports leaders and stops', {
    timeout: 300_000,
  }, async () => {
    const started = await up({ brokers: 3, home, log: false });
    const nodes = started.nodes ?? [];
    expect(nodes.map((n) => n.id)).toEqual([1, 2, 3]);
    expect(started.bootstrap).toBe(nodes.map((n) => `127.0.0.1:${n.port}`).join(','));
    expect(readFileSync(join(home, 'bootstrap'), 'utf8').trim()).toBe(started.bootstrap);
    expect(runningBootstrap({ home })).toBe(started.bootstrap);
    for (const n of nodes) expect(await answers(n.port)).toBe(true);

    // The same kind of cluster is reused; a single broker is refused while it runs.
    const again = await up({ home, log: false });
    expect(again).toMatchObject({ alreadyRunning: true, bootstrap: started.bootstrap });
    const refused = await up({ brokers: 1, home, log: false }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(LauncherError);
    expect((refused as LauncherError).exitCode).toBe(EXIT_CONFIG);
    expect((refused as LauncherError).message).toMatch(/run `kafka:down` first/);

    // A topic with a leader to show (the orchestrator's state topics end in orchestrator.state).
    const [first, second, third] = nodes as [(typeof nodes)[0], (typeof nodes)[0], (typeof nodes)[0]];
    expect(await createTopic({ port: first.port, name: TOPIC, partitions: 3, replicationFactor: 3 })).toEqual(
      {
        errorCode: 0,
        errorMessage: null,
      },
    );
    await pollUntil(
      async () => (await status({ home })).leaders?.filter((l) => l.leader !== null).length === 3,
      {
        timeoutMs: 60_000,
        intervalMs: 250,
        what: `leaders of ${TOPIC}`,
      },
    );

    const stopped = await stopNode({ node: 2, hard: true, home, log: false });
    expect(stopped).toMatchObject({ node: 2, pid: second.pid, stopped: true, outcome: 'killed' });
    expect(isAlive(second.pid)).toBe(false);
    expect(await answers(second.port)).toBe(false);
    expect(await answers(first.port)).toBe(true);
    expect(await answers(third.port)).toBe(true);
    expect(clusterNodes({ home }).map((n) => n.alive)).toEqual([true, false, true]);
    expect(runningBootstrap({ home })).toBe(started.bootstrap);
    const degraded = await status({ home });
    expect(degraded.running).toBe(true);
    expect(degraded.nodes?.map((n) => n.state)).toEqual(['running', 'down', 'running']);
    // Once the controller fences node 2, every partition it led gets a leader among 1 and 3.
    await pollUntil(
      async () => {
        const leaders = (await status({ home })).leaders ?? [];
        return leaders.length === 3 && leaders.every((l) => l.leader === 1 || l.leader === 3);
      },
      { timeoutMs: 60_000, intervalMs: 250, what: 'leaders off node 2' },
    );

    const restarted = await startNode({ node: 2, home, log: false });
    expect(restarted).toMatchObject({ node: 2, bootstrap: second.bootstrap, alreadyRunning: false });
    expect(restarted.pid).not.toBe(second.pid);
    expect(await answers(second.port)).toBe(true);
    expect(clusterNodes({ home })[1]).toMatchObject({ port: second.port, pid: restarted.pid, alive: true });

    const healthy = await status({ home });
    expect(healthy).toMatchObject({ running: true, brokers: 3, registeredBrokers: [1, 2, 3] });
    expect(healthy.nodes?.map((n) => [n.id, n.port, n.state])).toEqual(
      nodes.map((n) => [n.id, n.port, 'running']),
    );
    expect(healthy.leaders?.map((l) => [l.topic, l.partition])).toEqual([
      [TOPIC, 0],
      [TOPIC, 1],
      [TOPIC, 2],
    ]);
    for (const l of healthy.leaders ?? []) expect(l.replicas.sort()).toEqual([1, 2, 3]);

    const pids = clusterNodes({ home }).map((n) => n.pid);
    expect(await down({ home, log: false })).toEqual({ stopped: true });
    for (const pid of pids) expect(isAlive(pid)).toBe(false);
    expect(clusterNodes({ home })).toEqual([]);
    expect(runningBootstrap({ home })).toBeUndefined();
    expect((await status({ home })).running).toBe(false);
  });
});

describe('a one-node cluster', () => {
  // The single-node default formats fresh storage on every start; a fault test that stops and starts
  // the only broker needs it back with its data, on its port.
  it('stops and starts its only node with the data kept (RF 1)', { timeout: 300_000 }, async () => {
    const started = await up({ cluster: true, home: singleHome, log: false });
    const [node] = started.nodes ?? [];
    expect(started.nodes?.map((n) => n.id)).toEqual([1]);
    if (!node) throw new Error('no node');
    expect(await createTopic({ port: node.port, name: TOPIC, partitions: 2, replicationFactor: 1 })).toEqual({
      errorCode: 0,
      errorMessage: null,
    });
    const leadersOnNode1 = async () => {
      const leaders = (await status({ home: singleHome })).leaders ?? [];
      return leaders.length === 2 && leaders.every((l) => l.leader === 1);
    };
    await pollUntil(leadersOnNode1, { timeoutMs: 60_000, intervalMs: 250, what: `leaders of ${TOPIC}` });

    expect(await stopNode({ node: 1, home: singleHome, log: false })).toMatchObject({
      node: 1,
      stopped: true,
      outcome: 'terminated',
    });
    expect(await answers(node.port)).toBe(false);
    expect((await status({ home: singleHome })).running).toBe(false);

    const restarted = await startNode({ node: 1, home: singleHome, log: false });
    expect(restarted).toMatchObject({ node: 1, bootstrap: started.bootstrap, alreadyRunning: false });
    // The topic made before the stop is still there, led by the restarted node: its storage was kept.
    await pollUntil(leadersOnNode1, {
      timeoutMs: 60_000,
      intervalMs: 250,
      what: `${TOPIC} after the restart`,
    });
    expect(await down({ home: singleHome, log: false })).toEqual({ stopped: true });
  });

  it('is refused with more than one broker', async () => {
    const refused = await up({ cluster: true, brokers: 3, home: singleHome, log: false }).catch(
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(LauncherError);
    expect((refused as LauncherError).message).toMatch(/cluster: true is for one node/);
  });
});
