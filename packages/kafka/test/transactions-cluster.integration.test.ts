import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { noopLogger } from '@pipeline/common';
import { down, startNode, stopNode, up } from '@pipeline/kafka-launcher';
import { uniqueName } from '@pipeline/testkit';
import { CRQ } from '@pipeline/topics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createConsumer,
  createKafkaClient,
  createProducer,
  createTransactionalProducer,
  KafkaAdmin,
  type KafkaClient,
  type OutboundRecord,
} from '../src/index.js';
import { createTestTopics, uniqueNames, waitFor } from './support.js';

// Found by the fault suite (apps/chaos) on a 3-broker cluster: transactions that write to partitions
// led by different brokers committed some records TWICE (same producer, same epoch, new sequence
// numbers, one transaction), seen by every read_committed reader. kafkajs' sendMessages sends to
// each leader at once; when one leader's request fails with a retriable error (CONCURRENT_TRANSACTIONS
// from AddPartitionsToTxn, routine right after the previous commit), Promise.all rejects while another
// leader's produce is still in flight, and the retry sends that leader's records again. One broker
// never shows it: all partitions share one request.

const home = mkdtempSync(join(tmpdir(), 'kafka-tx-cluster-'));
let client: KafkaClient;

beforeAll(async () => {
  const cluster = await up({ brokers: 3, home, log: false });
  client = createKafkaClient(
    {
      brokers: cluster.bootstrap.split(','),
      clientId: uniqueName('tx-cluster'),
      connectionTimeoutMs: 5000,
      requestTimeoutMs: 30_000,
    },
    { logger: noopLogger },
  );
}, 300_000);

afterAll(async () => {
  await down({ home, log: false });
  rmSync(home, { recursive: true, force: true });
}, 120_000);

describe('transactions on a 3-broker cluster', () => {
  it('commit every record of back-to-back transactions to partitions on every broker exactly once', async () => {
    const names = uniqueNames(CRQ);
    const partitions = 6;
    await createTestTopics(client, names, [CRQ], partitions);
    const producer = createTransactionalProducer(client, {
      transactionalId: uniqueName('tx-cluster'),
      names,
    });
    await producer.open();
    const transactions = 150;
    try {
      for (let t = 0; t < transactions; t++) {
        const records: OutboundRecord[] = Array.from({ length: partitions }, (_, p) => ({
          topic: CRQ,
          key: `k-${t}-${p}`,
          value: Buffer.from(`tx-${t}-p${p}`),
          headers: {},
          partition: p,
        }));
        await producer.commit(records, []);
      }
    } finally {
      await producer.close();
    }
    const counts = new Map<string, number>();
    let total = 0;
    const reader = createConsumer(client, {
      groupId: uniqueName('tx-reader'),
      topics: [CRQ],
      names,
      fromBeginning: true,
      maxWaitTimeMs: 200,
    });
    await reader.run(async (batch) => {
      for (const r of batch.records) {
        const value = r.value?.toString() ?? '';
        counts.set(value, (counts.get(value) ?? 0) + 1);
        total += 1;
        batch.resolve(r.offset);
      }
    });
    try {
      await waitFor(() => counts.size === transactions * partitions, 120_000, 'every record');
      // Anything committed twice is there by now: the last transaction's records came after it.
    } finally {
      await reader.close();
    }
    const twice = [...counts].filter(([, n]) => n > 1).map(([v, n]) => `${v} ×${n}`);
    expect(twice).toEqual([]);
    expect(total).toBe(transactions * partitions);
  }, 300_000);
});

describe('producing through a broker failure on a 3-broker cluster', () => {
  // Found by the fault suite (SIGKILL of a state partition's leader under load): 2 of 150 change
  // requests were acknowledged to the submitter and never written. kafkajs kept responses per broker:
  // when a send to the killed leader failed, its partitions moved to a broker that had already
  // answered for its own partitions, and the retry skipped that broker, so those records were
  // never sent, and the send resolved as if they had been.
  it('writes every acknowledged record while the leader of some partitions is killed', async () => {
    const names = uniqueNames(CRQ);
    const partitions = 6;
    await createTestTopics(client, names, [CRQ], partitions);
    const producer = createProducer(client, { names });
    await producer.connect();
    const acknowledged: string[] = [];
    let sending = true;
    const loop = (async () => {
      for (let b = 0; sending; b++) {
        const batch: OutboundRecord[] = Array.from({ length: partitions }, (_, p) => ({
          topic: CRQ,
          key: `k-${b}-${p}`,
          value: Buffer.from(`b-${b}-p${p}`),
          headers: {},
          partition: p,
        }));
        await producer.sendRecords(batch);
        acknowledged.push(...batch.map((r) => r.value?.toString() ?? ''));
      }
    })();
    try {
      await waitFor(() => acknowledged.length >= 600, 60_000, 'sends before the kill');
      const admin = await KafkaAdmin.open(client, names);
      const leader = (await admin.partitions([CRQ])).get(CRQ)?.[0]?.leader ?? 1;
      await admin.close();
      await stopNode({ node: leader, hard: true, home, log: false });
      const before = acknowledged.length;
      await waitFor(() => acknowledged.length >= before + 1200, 120_000, 'sends after the kill');
      sending = false;
      await loop;
      await startNode({ node: leader, home, log: false });
    } finally {
      sending = false;
      await loop.catch(() => {});
      await producer.disconnect();
    }
    const found = new Set<string>();
    const reader = createConsumer(client, {
      groupId: uniqueName('reader'),
      topics: [CRQ],
      names,
      fromBeginning: true,
      maxWaitTimeMs: 200,
    });
    await reader.run(async (batch) => {
      for (const r of batch.records) {
        found.add(r.value?.toString() ?? '');
        batch.resolve(r.offset);
      }
    });
    try {
      await waitFor(() => acknowledged.every((v) => found.has(v)), 60_000, 'every acknowledged record').catch(
        () => {},
      );
    } finally {
      await reader.close();
    }
    expect(acknowledged.filter((v) => !found.has(v))).toEqual([]);
  }, 300_000);
});
