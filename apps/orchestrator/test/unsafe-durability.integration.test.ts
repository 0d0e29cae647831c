import { ConfigError, type Logger } from '@pipeline/common';
import { KafkaAdmin, provisionTopics } from '@pipeline/kafka';
import { ALL_TOPICS, STATE, topicSpecs } from '@pipeline/topics';
import { afterEach, describe, expect, it } from 'vitest';
import { TestPipeline } from './support/pipeline.js';

// Issue 10, finding 9: "Unsafe durability defaults". The state topic is the orchestrator's only
// store: one created with cleanup.policy=delete (by hand, or auto-created by the broker) silently
// loses the state of long-running requests when its segments age out. These tests run against the
// single broker of the test run.
const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn().catch(() => {});
});

/** A logger that keeps the warn lines, to check what is said loudly. */
function warnings(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger: Logger = {
    debug: () => {},
    info: () => {},
    warn: (_obj, msg) => lines.push(msg ?? ''),
    error: () => {},
    child: () => logger,
  };
  return { logger, lines };
}

/** Starts an orchestrator expecting it to refuse; the error, or a failure when it started. */
async function startFailure(pipeline: TestPipeline, env: Record<string, string> = {}): Promise<unknown> {
  try {
    const orch = await pipeline.startInProcess(env, { waitReady: false });
    cleanup.push(() => orch.stop());
  } catch (error) {
    return error;
  }
  throw new Error('the orchestrator started');
}

describe('issue 10, finding 9: unsafe durability defaults', () => {
  it('refuses to start on a state topic that is not compacted, naming the topic, the value and the fix', async () => {
    const pipeline = new TestPipeline(2);
    cleanup.push(() => pipeline.close());
    // Every topic as the pipeline makes them, but the state topic deletes by age.
    const specs = topicSpecs({ partitions: pipeline.partitions, replicationFactor: 1 }).map((spec) =>
      spec.name === STATE ? { ...spec, configs: { 'cleanup.policy': 'delete' } } : spec,
    );
    await provisionTopics(pipeline.client, specs, { names: pipeline.names });

    const state = pipeline.physical(STATE);
    const fix = `kafka-configs.sh --bootstrap-server <broker> --alter --entity-type topics --entity-name ${state} --add-config cleanup.policy=compact`;
    for (const provision of ['true', 'false']) {
      const error = await startFailure(pipeline, { ORCH_PROVISION_TOPICS: provision });
      expect(error, `ORCH_PROVISION_TOPICS=${provision}`).toBeInstanceOf(ConfigError);
      const message = (error as Error).message;
      expect(message).toContain(`${state} has cleanup.policy=delete`);
      expect(message).toContain(fix);
    }
  });

  it('refuses ORCH_REPLICATION_FACTOR=3 on a cluster of one broker, before creating any topic', async () => {
    const pipeline = new TestPipeline(2);
    cleanup.push(() => pipeline.close());
    const error = await startFailure(pipeline, { ORCH_REPLICATION_FACTOR: '3' });
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/ORCH_REPLICATION_FACTOR=3 .*1 broker/);
    const admin = await KafkaAdmin.open(pipeline.client, pipeline.names);
    try {
      expect([...(await admin.existing(ALL_TOPICS))]).toEqual([]);
    } finally {
      await admin.close();
    }
  });

  it('on a cluster of one broker, the defaults create unreplicated topics and say so at warn level', async () => {
    const pipeline = new TestPipeline(2);
    cleanup.push(() => pipeline.close());
    const { logger, lines } = warnings();
    const orch = await pipeline.startInProcess({}, { logger });
    cleanup.push(() => orch.stop());
    expect(lines.filter((line) => /not replicated/.test(line) && /one broker/.test(line))).toHaveLength(1);
    const admin = await KafkaAdmin.open(pipeline.client, pipeline.names);
    try {
      const partitions = await admin.partitions([STATE]);
      expect(partitions.get(STATE)?.map((p) => p.replicas.length)).toEqual([1, 1]);
      const configs = await admin.configs([STATE], ['cleanup.policy', 'min.insync.replicas']);
      expect(configs.get(STATE)).toEqual({ 'cleanup.policy': 'compact', 'min.insync.replicas': '1' });
    } finally {
      await admin.close();
    }
  });
});
