import { randomBytes } from 'node:crypto';
import { type Logger, pollUntil } from '@pipeline/common';
import { create, schemas } from '@pipeline/contracts';
import {
  type Compression,
  consumeWithLibrdkafka,
  preparePythonEnv,
  produceWithLibrdkafka,
  uniqueName,
} from '@pipeline/testkit';
import { CRQ, DLQ, type TopicNames } from '@pipeline/topics';
import { CompressionCodecs, CompressionTypes } from 'kafkajs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type ConsumedRecord,
  createConsumer,
  createProducer,
  createTransactionalProducer,
  createTypedConsumer,
  encodeRecord,
  HEADERS,
  type InboundMessage,
  type KafkaClient,
  type OutboundRecord,
} from '../src/index.js';
import { createTestTopics, kafka, uniqueNames } from './support.js';

// Issue 10, finding 1: "One lz4-compressed batch stops the pipeline for good". Producers on
// librdkafka (Python, C, Go agents) and the Java client often compress; kafkajs alone reads gzip only
// and its consumer crashes on a snappy, lz4 or zstd batch. Here librdkafka (confluent-kafka, through
// the testkit's Python tooling) writes batches of several records with each codec, and this
// package's consumers must hand over every record with its exact bytes, key and headers.

const CODECS = ['gzip', 'snappy', 'lz4', 'zstd'] as const satisfies readonly Compression[];
const KAFKAJS_TYPE = {
  gzip: CompressionTypes.GZIP,
  snappy: CompressionTypes.Snappy,
  lz4: CompressionTypes.LZ4,
  zstd: CompressionTypes.ZSTD,
} as const;

/**
 * Batches each codec decompressed: proof that the records really arrived compressed (librdkafka
 * would send a batch uncompressed if compressing did not make it smaller). Counted by wrapping the
 * codecs this package registered with kafkajs (importing ../src/index.js registered them).
 */
const decompressed: Record<Compression, number> = { none: 0, gzip: 0, snappy: 0, lz4: 0, zstd: 0 };
function countDecompressions(): void {
  for (const codec of CODECS) {
    const type = KAFKAJS_TYPE[codec];
    const registered = CompressionCodecs[type];
    CompressionCodecs[type] = () => {
      const { compress, decompress } = registered();
      return {
        compress,
        decompress: (buffer: Buffer) => {
          decompressed[codec]++;
          return decompress(buffer);
        },
      };
    };
  }
}

/** Several records per batch: linger lets librdkafka collect them all before it sends. */
const BATCHED = { 'linger.ms': 200, 'batch.num.messages': 1000 };

/** Text compresses, random bytes do not: a value with both, so every codec has work to do. */
function value(i: number): Buffer {
  return Buffer.concat([Buffer.from(`record ${i} `.repeat(40)), randomBytes(64), Buffer.from([0, 255, i])]);
}

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of cleanup.splice(0).reverse()) await stop();
});

beforeAll(async () => {
  countDecompressions();
  // The first use builds the Python venv (pip install from PyPI); later runs reuse it. Without
  // python3 this passes, and every test fails saying why.
  await preparePythonEnv();
}, 300_000);

/** A logger that tells `listener` about errors only (the consumer logs its crash there, with `err`). */
function onError(listener: (obj: { err?: unknown }) => void): Logger {
  const logger: Logger = {
    debug: () => {},
    info: () => {},
    warn: () => {},
    error: (obj) => listener(obj as { err?: unknown }),
    child: () => logger,
  };
  return logger;
}

/** Reads `count` records from the beginning; fails at once, with its error, if the consumer crashes. */
async function readRecords(client: KafkaClient, names: TopicNames, count: number): Promise<ConsumedRecord[]> {
  const consumer = createConsumer(client, {
    groupId: uniqueName('reader'),
    topics: [CRQ],
    names,
    fromBeginning: true,
    maxWaitTimeMs: 200,
  });
  cleanup.push(() => consumer.close());
  let crash: unknown;
  consumer.on((event) => {
    if (event.type === 'crashed') crash = event.error;
  });
  const seen: ConsumedRecord[] = [];
  await consumer.run(async (batch) => {
    seen.push(...batch.records);
    for (const record of batch.records) batch.resolve(record.offset);
  });
  await pollUntil(
    () => {
      if (crash !== undefined) throw crash;
      return seen.length >= count;
    },
    { timeoutMs: 60_000, what: `${count} records` },
  );
  return seen;
}

describe('One lz4-compressed batch stops the pipeline for good (issue 10, finding 1): compressed batches from librdkafka', () => {
  it.each(CODECS)('createConsumer reads a %s batch with exact bytes, keys and headers', async (codec) => {
    const client = kafka();
    const names = uniqueNames(CRQ);
    await createTestTopics(client, names, [CRQ], 1);
    const topic = names.physical(CRQ);
    const records = [
      { key: Buffer.from('key-0'), value: value(0), headers: [['x-origin', Buffer.from('python')]] },
      // Binary key and header value, a name given twice (Kafka keeps both, in order).
      {
        key: Buffer.from([0, 1, 2, 254, 255]),
        value: value(1),
        headers: [
          ['x-bin', Buffer.from([0, 159, 146, 150])],
          ['x-twice', Buffer.from('first')],
          ['x-twice', Buffer.from('second')],
        ],
      },
      { key: null, value: value(2), headers: [] },
      { key: Buffer.from('tombstone'), value: null, headers: [['x-empty', Buffer.alloc(0)]] },
      { key: Buffer.from('key-4'), value: Buffer.alloc(0), headers: [['x-origin', Buffer.from('python')]] },
    ] satisfies Array<{ key: Buffer | null; value: Buffer | null; headers: Array<[string, Buffer]> }>;
    const before = decompressed[codec];

    const deliveries = await produceWithLibrdkafka(
      records.map((r) => ({ topic, key: r.key, value: r.value, headers: r.headers })),
      { compression: codec, config: BATCHED },
    );
    expect(deliveries.map((d) => d.offset)).toEqual(['0', '1', '2', '3', '4']);

    const seen = await readRecords(client, names, records.length);
    expect(seen.map((r) => r.offset)).toEqual(['0', '1', '2', '3', '4']);
    seen.forEach((got, i) => {
      const sent = records[i];
      expect(got.key).toEqual(sent?.key);
      expect(got.value).toEqual(sent?.value);
      const headers: Record<string, Buffer | Buffer[]> = {};
      for (const [name, v] of sent?.headers ?? []) {
        const had = headers[name];
        headers[name] = had === undefined ? v : [...(Array.isArray(had) ? had : [had]), v];
      }
      expect(got.headers).toEqual(headers);
    });
    // All five came in one compressed batch.
    expect(decompressed[codec] - before).toBe(1);
  });

  it.each(CODECS)(
    'createTypedConsumer hands over %s-compressed ChangeRequests decoded, with their headers',
    async (codec) => {
      const client = kafka();
      const names = uniqueNames(CRQ, DLQ);
      await createTestTopics(client, names, [CRQ, DLQ], 2);
      const producer = createProducer(client, { names });
      cleanup.push(() => producer.disconnect());
      const ids = [1, 2, 3, 4].map((i) => `${codec}-req-${i}-${randomBytes(3).toString('hex')}`);
      const sent = ids.map((id) =>
        encodeRecord(
          CRQ,
          create(schemas.ChangeRequest, {
            id,
            requester: 'python-agent',
            repo: 'demo',
            branch: 'main',
            description: `compressed with ${codec}: ${'a long description '.repeat(20)}`,
          }),
          { key: id, headers: { 'x-agent': 'librdkafka' } },
        ),
      );
      const before = decompressed[codec];
      await produceWithLibrdkafka(
        sent.map((r) => ({ topic: names.physical(CRQ), key: r.key, value: r.value, headers: r.headers })),
        // The Java client's partitioner, as agents that share the pipeline's partitioning use.
        { compression: codec, partitioner: 'murmur2_random', config: BATCHED },
      );

      const received: Array<InboundMessage<typeof CRQ>> = [];
      let crash: unknown;
      const consumer = createTypedConsumer(client, {
        logger: onError((obj) => {
          crash ??= obj.err;
        }),
        groupId: uniqueName('typed'),
        topics: [CRQ],
        names,
        fromBeginning: true,
        producer,
        handle: async (m) => {
          received.push(m);
        },
      });
      cleanup.push(() => consumer.stop());
      await consumer.start();
      await pollUntil(
        () => {
          if (crash !== undefined) throw crash;
          return received.length >= ids.length;
        },
        { timeoutMs: 60_000, what: `${ids.length} ChangeRequests` },
      );

      expect(received.map((m) => m.message.id).sort()).toEqual([...ids].sort());
      for (const m of received) {
        const original = sent.find((r) => r.key === m.key);
        expect(m.key).toBe(m.message.id);
        expect(m.message).toMatchObject({ requester: 'python-agent', repo: 'demo', branch: 'main' });
        expect(m.message.description).toContain(`compressed with ${codec}`);
        expect(m.headers).toEqual(original?.headers);
        expect(m.headers['x-agent']).toBe('librdkafka');
        expect(m.standard.messageType).toBe('core.ChangeRequest');
        expect(m.standard.requestId).toBe(m.message.id);
        expect(m.headers[HEADERS.traceparent]).toBe(original?.headers[HEADERS.traceparent]);
      }
      expect(decompressed[codec] - before).toBeGreaterThanOrEqual(1);
    },
  );
});

describe('what @pipeline/kafka writes with its compression option, librdkafka and its own consumers read', () => {
  it('refuses an unknown codec', () => {
    const client = kafka();
    const names = uniqueNames(CRQ);
    expect(() => createProducer(client, { names, compression: 'brotli' as Compression })).toThrow(
      /compression must be one of none, gzip, snappy, lz4, zstd, got "brotli"/,
    );
    expect(() =>
      createTransactionalProducer(client, { transactionalId: 'x', names, compression: 'lz5' as Compression }),
    ).toThrow(/compression must be one of/);
  });

  it.each(CODECS)('%s: records of both producers arrive with their exact bytes', async (codec) => {
    const client = kafka();
    const names = uniqueNames(CRQ);
    await createTestTopics(client, names, [CRQ], 1);
    const topic = names.physical(CRQ);
    const record = (i: number): OutboundRecord => ({
      topic: CRQ,
      key: `key-${i}`,
      value: value(i),
      headers: { 'x-i': String(i), 'x-codec': codec },
    });
    const plain = [0, 1, 2].map(record);
    const transactional = [3, 4, 5].map(record);

    const producer = createProducer(client, { names, compression: codec });
    cleanup.push(() => producer.disconnect());
    await producer.connect();
    await producer.sendRecords(plain);
    const tx = createTransactionalProducer(client, {
      transactionalId: uniqueName('tx'),
      names,
      compression: codec,
    });
    cleanup.push(() => tx.close());
    await tx.open();
    await tx.commit(transactional, []);
    const sent = [...plain, ...transactional];

    // librdkafka, as a Python agent would read them (read_committed).
    const theirs = await consumeWithLibrdkafka([topic], { count: sent.length });
    expect(theirs.map((r) => r.key?.toString())).toEqual(sent.map((_, i) => `key-${i}`));
    theirs.forEach((got, i) => {
      expect(got.value).toEqual(sent[i]?.value);
      expect(got.headers).toEqual([
        ['x-i', Buffer.from(String(i))],
        ['x-codec', Buffer.from(codec)],
      ]);
    });

    // And this package's own consumer: two compressed batches, one per producer.
    const before = decompressed[codec];
    const ours = await readRecords(client, names, sent.length);
    expect(ours.map((r) => r.value)).toEqual(sent.map((r) => r.value));
    expect(decompressed[codec] - before).toBe(2);
  });
});
