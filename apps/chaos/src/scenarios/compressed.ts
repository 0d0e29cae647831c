// Change requests from a librdkafka producer (confluent-kafka) with every codec a client may use:
// each must be read and go through like any other.

import { create, schemas } from '@pipeline/contracts';
import { planRequests } from '@pipeline/failure-markers';
import { encodeRecord } from '@pipeline/kafka';
import { produceWithLibrdkafka } from '@pipeline/testkit';
import { CRQ } from '@pipeline/topics';
import { judge, type Scenario, startPipeline } from '../scenario.js';

const CODECS = ['gzip', 'snappy', 'lz4', 'zstd'] as const;

export const compressed: Scenario = {
  name: 'compressed-input',
  title: 'compressed input from a librdkafka producer (gzip, snappy, lz4, zstd)',
  async run(ctx) {
    const pipeline = await startPipeline(ctx, this.name, {
      partitions: 6,
      instances: 1,
      thinkMs: 20,
    });
    try {
      const perCodec = ctx.size === 'full' ? 50 : 10;
      const planned = planRequests(perCodec * CODECS.length, `${ctx.tag}-${this.name}`);
      const t0 = Date.now();
      for (const [i, compression] of CODECS.entries()) {
        const group = planned.slice(i * perCodec, (i + 1) * perCodec);
        for (const p of group) pipeline.submittedAt.set(p.id, Date.now());
        await produceWithLibrdkafka(
          group.map((p) => {
            const record = encodeRecord(
              CRQ,
              create(schemas.ChangeRequest, {
                id: p.id,
                repo: 'chaos/shop',
                branch: 'main',
                description: `sent with ${compression}: ${'a change worth compressing '.repeat(20)}`,
                requester: 'librdkafka',
              }),
              { key: p.id },
            );
            return {
              topic: pipeline.names.physical(CRQ),
              key: p.id,
              value: record.value,
              headers: record.headers,
            };
          }),
          // murmur2_random: the Java client's partitioner, so keys land where the orchestrator expects them.
          {
            bootstrap: pipeline.options.bootstrap,
            compression,
            partitioner: 'murmur2_random',
            config: { 'linger.ms': 50 },
          },
        );
      }
      await pipeline.waitFinished(planned, 300_000);
      return judge(pipeline, planned, { codecs: CODECS.length, finishMs: Date.now() - t0 });
    } finally {
      await pipeline.stop();
    }
  },
};
