import { create } from '@bufbuild/protobuf';
import type { Logger } from '@pipeline/common';
import { BuildReportSchema } from '@pipeline/contracts';
import { KafkaAdmin, provisionPipelineTopics } from '@pipeline/kafka';
import { ALIAS, BREPORT, DLQ } from '@pipeline/topics';
import { afterAll, describe, expect, it } from 'vitest';
import { stageOf } from '../src/domain/request-record.js';
import { TestPipeline, waitFor } from './support/pipeline.js';
import { routedRecord, writeStates } from './support/routed-records.js';

// Issue 14, deliverable 2: keyless replies are correlated through the alias index (orchestrator.alias),
// which the owners of requests write. Requests written by a version without it get their entries when
// their partition is first taken over, once: an upgrade in flight keeps its keyless replies.
const pipeline = new TestPipeline(2);
afterAll(async () => {
  await pipeline.close();
});

/** A logger that counts the lines with one message. */
function counting(msg: string): { logger: Logger; count: () => number } {
  let n = 0;
  const logger: Logger = {
    debug: () => {},
    info: (_fields, message) => {
      if (message === msg) n++;
    },
    warn: () => {},
    error: () => {},
    child: () => logger,
  };
  return { logger, count: () => n };
}

async function aliasEnd(admin: KafkaAdmin): Promise<bigint> {
  const ends = (await admin.endOffsets([ALIAS])).get(ALIAS) ?? new Map<number, bigint>();
  return [...ends.values()].reduce((a, b) => a + b, 0n);
}

describe('issue 14: the alias index', () => {
  it('indexes the requests of an older version once, so that their keyless replies still find them', async () => {
    await provisionPipelineTopics(pipeline.client, {
      names: pipeline.names,
      partitions: 2,
      replicationFactor: 1,
    });
    const admin = await KafkaAdmin.open(pipeline.client, pipeline.names);
    try {
      // Waiting for build 1, written as an older version would: a state record, no alias entry.
      const ids = ['upgrade-1', 'upgrade-2', 'upgrade-3', 'upgrade-4'];
      await writeStates(
        pipeline,
        ids.map((id) => routedRecord(id, false)),
      );
      expect(await aliasEnd(admin)).toBe(0n);
      await pipeline.startAudit([DLQ]);
      const indexedFirst = counting('alias index written for the partition');
      const first = await pipeline.startInProcess({}, { logger: indexedFirst.logger });
      // The builder sends no key and names only the commit (as the reference stubs do).
      for (const id of ids)
        await pipeline.send(BREPORT, create(BuildReportSchema, { commitSha: `${id}-c1`, status: 'PASSED' }), {
          key: null,
        });
      await waitFor(
        () =>
          ids.every(
            (id) => stageOf(first.orchestrator.getRequest(id) ?? routedRecord(id, false)) !== 'build1',
          ),
        60_000,
        'the keyless build reports to move every request past build 1',
      );
      expect(pipeline.seen.filter((s) => s.topic === DLQ)).toEqual([]);
      await first.stop();

      // Taken over again: the partitions say they are indexed, and nothing is written twice.
      expect(await aliasEnd(admin)).toBeGreaterThan(0n);
      const indexedSecond = counting('alias index written for the partition');
      const second = await pipeline.startInProcess({}, { logger: indexedSecond.logger });
      await second.stop();
      expect(indexedFirst.count()).toBe(2);
      expect(indexedSecond.count()).toBe(0);
    } finally {
      await admin.close();
    }
  });
});
