import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { noopLogger } from '@pipeline/common';
import { createKafkaClient, provisionPipelineTopics } from '@pipeline/kafka';
import { kafkaBootstrap, testBrokerConfig, uniqueName } from '@pipeline/testkit';
import { TopicNames } from '@pipeline/topics';
import { afterEach, describe, expect, it } from 'vitest';
import { Driver } from '../src/driver.js';
import { type Relay, type RelayMode, startRelay } from '../src/relay/run-relay.js';
import { agentsRunning, startAgents } from '../src/systems.js';

// Both relays against the real broker with the stub agents (their process, as the benchmark runs them): every request of a
// burst ends done, as the benchmark counts it. The benchmark's figures rest on this.

const stops: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop().catch(() => {});
});

describe.each<RelayMode>(['transactional', 'plain'])('the %s relay', (mode) => {
  it('takes a burst of requests through every hop to done', async () => {
    const prefix = `${uniqueName(`relay-${mode}`)}-`;
    const names = TopicNames.prefixed(prefix);
    const client = createKafkaClient(testBrokerConfig('relay-test'));
    await provisionPipelineTopics(client, { names, partitions: 2 });
    const logDir = mkdtempSync(join(tmpdir(), 'relay-test-'));
    const agents = startAgents(
      { ...process.env, KAFKA_BOOTSTRAP: kafkaBootstrap(), PIPELINE_TOPIC_PREFIX: prefix },
      join(logDir, 'agents.log'),
      3,
    );
    stops.push(() => agents.stop());
    await agentsRunning(agents);
    const relay: Relay = await startRelay({
      client,
      names,
      mode,
      groupId: `${prefix}relay`,
      tasks: 3,
      concurrency: 2,
      logger: noopLogger,
    });
    stops.push(() => relay.stop());
    const driver = new Driver(client, names, noopLogger);
    await driver.start();
    stops.push(() => driver.stop());

    const ids = Array.from({ length: 20 }, (_, i) => `${prefix}r${i}`);
    await driver.submit(ids);
    const outcomes = await driver.ended(ids, 120_000, 'relay test');
    expect(outcomes.map((o) => o.ended)).toEqual(ids.map(() => 'done'));
    expect(outcomes.every((o) => o.latencyMs > 0)).toBe(true);
  });
});
