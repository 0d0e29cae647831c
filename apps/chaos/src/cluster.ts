// The 3-broker cluster the scenarios run on: started (or reused) by the project's launcher in a run-state
// folder of the fault suite's own, so it never touches the checkout's single test broker.

import { noopLogger, pollUntil } from '@pipeline/common';
import { createKafkaClient, KafkaAdmin } from '@pipeline/kafka';
import { clusterNodes, down, startNode, stopNode, up } from '@pipeline/kafka-launcher';
import { TopicNames } from '@pipeline/topics';

export interface ChaosCluster {
  bootstrap: string;
  home: string;
  /** Node ids (Kafka broker ids). */
  nodeIds: number[];
  /** Whether this run started the cluster (and so stops it at the end). */
  startedHere: boolean;
  /** Stops node `id`: SIGKILL when hard, otherwise a controlled shutdown. */
  stopNode(id: number, options: { hard: boolean }): Promise<void>;
  /** Starts node `id` again and waits until every partition is back in sync (a healthy cluster). */
  startNode(id: number): Promise<void>;
  /** SIGSTOP (or SIGCONT) every node's JVM: the whole cluster stops answering, connections hang. */
  freezeAll(frozen: boolean): void;
  /** Waits until no partition of any topic is under-replicated or leaderless. */
  waitInSync(timeoutMs?: number): Promise<void>;
  down(): Promise<void>;
}

/** Starts (or reuses) a cluster of `brokers` nodes in `home`; one node is a one-node cluster (its data kept across a stop). */
export async function ensureCluster(
  home: string,
  say: (line: string) => void,
  brokers = 3,
): Promise<ChaosCluster> {
  const result = await up({
    brokers,
    cluster: brokers === 1,
    home,
    log: (line: string) => say(`  [kafka] ${line}`),
  });
  const nodeIds = clusterNodes({ home }).map((n) => n.id);
  const client = createKafkaClient(
    {
      brokers: result.bootstrap.split(','),
      clientId: 'chaos-cluster',
      connectionTimeoutMs: 5000,
      requestTimeoutMs: 15_000,
    },
    { logger: noopLogger },
  );
  const waitInSync = async (timeoutMs = 180_000) => {
    await pollUntil(
      async () => {
        const admin = await KafkaAdmin.open(client, TopicNames.prefixed(''));
        try {
          return (await admin.underReplicatedPartitions()) === 0;
        } catch {
          return false; // a broker just restarting: ask again
        } finally {
          await admin.close().catch(() => {});
        }
      },
      { timeoutMs, intervalMs: 500, what: 'every partition in sync' },
    );
  };
  return {
    bootstrap: result.bootstrap,
    home,
    nodeIds,
    startedHere: !result.alreadyRunning,
    async stopNode(id, { hard }) {
      await stopNode({ node: id, hard, home, log: false });
    },
    async startNode(id) {
      await startNode({ node: id, home, log: false });
      await waitInSync();
    },
    waitInSync,
    freezeAll(frozen) {
      for (const node of clusterNodes({ home }))
        if (node.alive) process.kill(node.pid, frozen ? 'SIGSTOP' : 'SIGCONT');
    },
    async down() {
      await down({ home, log: false });
    },
  };
}
