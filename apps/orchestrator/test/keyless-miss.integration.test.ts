import { create } from '@bufbuild/protobuf';
import { noopLogger } from '@pipeline/common';
import { CommitResultSchema } from '@pipeline/contracts';
import { HEADERS, KafkaAdmin, provisionPipelineTopics } from '@pipeline/kafka';
import { ALIAS, CRES, DLQ, STATE } from '@pipeline/topics';
import { afterAll, describe, expect, it } from 'vitest';
import { StateDirectory } from '../src/runtime/state-directory.js';
import { TestPipeline, waitFor } from './support/pipeline.js';
import { tempStore } from './support/temp-store.js';

// Issue 10, finding 8: a keyless reply that named no known request was dead-lettered at once, even
// while this instance had not read the state that knows its alias. Now the partition waits until the
// state topic has been read past the reply, then dead-letters it.
const pipeline = new TestPipeline(2);
// Its own topics: the first test leaves an unreadable state record, which blocks its partition.
const served = new TestPipeline(2);
afterAll(async () => {
  await pipeline.close();
  await served.close();
});

describe('issue 10, finding 8: keyless misses', () => {
  it('the state directory knows when it has read the state topic past a moment', async () => {
    await provisionPipelineTopics(pipeline.client, {
      names: pipeline.names,
      partitions: 2,
      replicationFactor: 1,
    });
    const admin = await KafkaAdmin.open(pipeline.client, pipeline.names);
    const directory = new StateDirectory(pipeline.client, {
      names: pipeline.names,
      groupPrefix: pipeline.groupId,
      logger: noopLogger,
    });
    const { store, remove } = tempStore();
    try {
      await directory.start(store, new Map());
      await pipeline.sendRaw(STATE, Buffer.from('not a state record'), 'someone');
      const now = Date.now();
      expect(directory.readPast(now)).toBe(false);
      await directory.catchUp(() => admin.endOffsets([STATE, ALIAS]));
      expect(directory.readPast(now)).toBe(true);
      expect(directory.unreadableIn(0).length + directory.unreadableIn(1).length).toBe(1);
    } finally {
      await directory.stop();
      await admin.close();
      remove();
    }
  });

  it('a keyless reply naming nothing known is dead-lettered once, after the state topic was read past it', async () => {
    const { stop } = await served.startInProcess();
    try {
      await served.startAudit([DLQ]);
      const reply = create(CommitResultSchema, {
        taskId: 'nobody-s-task',
        commitSha: 'c-x',
        status: 'SUCCESS',
      });
      await served.send(CRES, reply, { key: null });
      await waitFor(() => served.seen.some((s) => s.topic === DLQ), 60_000, 'the reply to be dead-lettered');
      const letters = served.seen.filter((s) => s.topic === DLQ);
      expect(letters).toHaveLength(1);
      expect(letters[0]?.headers[HEADERS.dlqReason]).toBe('uncorrelated');
    } finally {
      await stop();
    }
  });
});
