import { create } from '@bufbuild/protobuf';
import { ChangeRequestSchema } from '@pipeline/contracts';
import { CRQ } from '@pipeline/topics';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { getRequest, type InProcessOrchestrator, TestPipeline, waitFor } from './support/pipeline.js';
import { ScriptedAgents } from './support/responder.js';

// Issue 10, finding 6: "Two pipelines on one cluster fence each other": PIPELINE_TOPIC_PREFIX
// separated the topics, but the group id and the transactional ids (`orchestrator-<p>`) did not
// follow it.
describe('two pipelines on one cluster fence each other', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const fn of cleanup.reverse()) await fn().catch(() => {});
  });

  it('derives the group id (and so the transactional ids) from the topic prefix unless it is set', () => {
    const base = { KAFKA_BOOTSTRAP: 'localhost:9092' };
    expect(loadConfig({ ...base, PIPELINE_TOPIC_PREFIX: 'staging.' }).groupId).toBe('staging.orchestrator');
    expect(loadConfig({ ...base, PIPELINE_TOPIC_PREFIX: 'prod.' }).groupId).toBe('prod.orchestrator');
    expect(loadConfig(base).groupId).toBe('orchestrator');
    expect(loadConfig({ ...base, PIPELINE_TOPIC_PREFIX: 'x.', ORCH_GROUP_ID: 'mine' }).groupId).toBe('mine');
  });

  it('runs two pipelines with different prefixes and default group ids side by side', async () => {
    const pipelines = [new TestPipeline(2), new TestPipeline(2)];
    const running: InProcessOrchestrator[] = [];
    for (const pipeline of pipelines) {
      const agents = new ScriptedAgents(pipeline);
      cleanup.push(
        () => pipeline.close(),
        () => agents.stop(),
      );
      // ORCH_GROUP_ID blank = not set: the default applies.
      const orch = await pipeline.startInProcess({ ORCH_GROUP_ID: '' });
      cleanup.push(() => orch.stop());
      running.push(orch);
      await agents.start();
    }
    const ids = pipelines.map((_, i) => `two-pipelines-${Date.now().toString(36)}-${i}`);
    await Promise.all(
      pipelines.map((pipeline, i) =>
        pipeline.send(CRQ, create(ChangeRequestSchema, { id: ids[i], repo: 'demo', branch: 'main' }), {
          key: ids[i] as string,
        }),
      ),
    );
    for (const [i, orch] of running.entries()) {
      await waitFor(
        async () => (await getRequest(orch.url, ids[i] as string)).body.stage === 'done',
        60_000,
        `request of pipeline ${i} to finish`,
      );
    }
  });

  it('refuses to join a group whose members read another pipeline, saying why', async () => {
    const first = new TestPipeline(2);
    const second = new TestPipeline(2);
    cleanup.push(
      () => first.close(),
      () => second.close(),
    );
    const orch = await first.startInProcess();
    cleanup.push(() => orch.stop());
    // The same group id on purpose, as when two deployments share ORCH_GROUP_ID.
    await expect(second.startInProcess({ ORCH_GROUP_ID: first.groupId })).rejects.toThrow(
      /members subscribed to other topics/,
    );
  });
});
