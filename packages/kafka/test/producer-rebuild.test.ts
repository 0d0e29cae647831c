import type { Logger } from '@pipeline/common';
import { PLAN, TopicNames } from '@pipeline/topics';
import {
  KafkaJSConnectionError,
  KafkaJSError,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
  type ProducerBatch,
} from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { createProducerOver, type KafkajsProducerLike } from '../src/producer.js';
import type { OutboundRecord } from '../src/records/index.js';

// The rebuild decision with fake kafkajs producers: which errors leave a kafkajs producer broken for
// good, and what the wrapper does then. The real-broker side is in producer-rebuild.integration.test.ts.

const protocolError = (type: string, code: number) =>
  new KafkaJSProtocolError({ type, code, retriable: false, message: type } as never);

/** A kafkajs producer whose sends throw the given errors, one per send, then succeed. */
class FakeProducer implements KafkajsProducerLike {
  connects = 0;
  disconnects = 0;
  readonly sent: ProducerBatch['topicMessages'][] = [];
  constructor(private readonly failures: unknown[] = []) {}
  async connect() {
    this.connects++;
  }
  async disconnect() {
    this.disconnects++;
  }
  async sendBatch(batch: ProducerBatch) {
    const failure = this.failures.shift();
    if (failure !== undefined) throw failure;
    this.sent.push(batch.topicMessages);
    return [];
  }
}

interface Line {
  level: 'debug' | 'info' | 'warn' | 'error';
  obj: Record<string, unknown>;
  msg: string | undefined;
}

function recordingLogger(lines: Line[]): Logger {
  const at =
    (level: Line['level']) =>
    (obj: object, msg?: string): void => {
      lines.push({ level, obj: obj as Record<string, unknown>, msg });
    };
  const logger: Logger = {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: () => logger,
  };
  return logger;
}

/** A wrapper over fake producers: the first fails as given, later ones work. */
async function setup(firstFailures: unknown[], retries = 3) {
  const made: FakeProducer[] = [];
  const lines: Line[] = [];
  const producer = createProducerOver(
    () => {
      const fake = new FakeProducer(made.length === 0 ? firstFailures : []);
      made.push(fake);
      return fake;
    },
    {
      names: TopicNames.prefixed('t.'),
      logger: recordingLogger(lines),
      retry: { retries, initialDelayMs: 1, maxDelayMs: 2 },
    },
  );
  await producer.connect();
  return { producer, made, lines };
}

const reply: OutboundRecord = { topic: PLAN, key: 'crq-1', value: Buffer.from('plan'), headers: {} };
const physicalBatch = [{ topic: 't.plan.out', messages: [expect.objectContaining({ key: 'crq-1' })] }];

describe('issue 10, finding 17: agents rebuild a broken producer', () => {
  it('replaces a kafkajs producer the broker no longer knows (UNKNOWN_PRODUCER_ID) and sends the same records with the new one', async () => {
    const { producer, made, lines } = await setup([protocolError('UNKNOWN_PRODUCER_ID', 59)]);

    await producer.sendRecords([reply]);

    expect(made).toHaveLength(2);
    expect(made[0]?.disconnects).toBe(1);
    expect(made[0]?.sent).toEqual([]);
    expect(made[1]?.connects).toBe(1);
    expect(made[1]?.sent).toEqual([physicalBatch]);
    const warnings = lines.filter((l) => l.level === 'warn' || l.level === 'error');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.obj.reason).toBe('UNKNOWN_PRODUCER_ID');
  });

  it.each([
    ['OUT_OF_ORDER_SEQUENCE_NUMBER', protocolError('OUT_OF_ORDER_SEQUENCE_NUMBER', 45)],
    ['INVALID_PRODUCER_EPOCH', protocolError('INVALID_PRODUCER_EPOCH', 47)],
    ['PRODUCER_FENCED', protocolError('KAFKAJS_UNKNOWN_ERROR_CODE', -99)],
    [
      'wrapped by kafkajs giving up',
      new KafkaJSNumberOfRetriesExceeded(protocolError('OUT_OF_ORDER_SEQUENCE_NUMBER', 45), {
        retryCount: 5,
        retryTime: 100,
      }),
    ],
    ['disconnected under the wrapper', new KafkaJSError('The producer is disconnected')],
    [
      'disconnecting under the wrapper',
      new KafkaJSNonRetriableError(
        "The producer is disconnecting; therefore, it can't safely accept messages anymore",
      ),
    ],
  ])('replaces it after %s', async (_case, error) => {
    // kafkajs does not know PRODUCER_FENCED (90) and says "Unknown error code 90".
    if (_case === 'PRODUCER_FENCED') (error as Error).message = 'Unknown error code 90';
    const { producer, made } = await setup([error]);
    await producer.sendRecords([reply]);
    expect(made).toHaveLength(2);
    expect(made[0]?.disconnects).toBe(1);
    expect(made[1]?.sent).toEqual([physicalBatch]);
  });

  it('keeps its producer through routine retriable errors, which are not warned about as a breakage', async () => {
    const { producer, made, lines } = await setup([
      new KafkaJSConnectionError('Connection error: ECONNREFUSED'),
    ]);
    await producer.sendRecords([reply]);
    expect(made).toHaveLength(1);
    expect(made[0]?.sent).toEqual([physicalBatch]);
    expect(lines.some((l) => l.obj.reason !== undefined)).toBe(false);
  });

  it('replaces it once when concurrent sends fail together', async () => {
    const broken = protocolError('OUT_OF_ORDER_SEQUENCE_NUMBER', 45);
    const { producer, made, lines } = await setup([broken, broken, broken]);
    await Promise.all([
      producer.sendRecords([reply]),
      producer.sendRecords([reply]),
      producer.sendRecords([reply]),
    ]);
    expect(made).toHaveLength(2);
    // The first alone, the two that waited for it together: three records, each once.
    expect(made[1]?.sent.flat().flatMap((t) => t?.messages ?? [])).toHaveLength(3);
    expect(lines.filter((l) => l.level === 'warn')).toHaveLength(1);
  });

  it('replaces it before the next call when the caller allows no retry', async () => {
    const { producer, made } = await setup([protocolError('UNKNOWN_PRODUCER_ID', 59)], 0);
    await expect(producer.sendRecords([reply])).rejects.toMatchObject({ type: 'UNKNOWN_PRODUCER_ID' });
    await producer.sendRecords([reply]);
    expect(made).toHaveLength(2);
    expect(made[1]?.sent).toEqual([physicalBatch]);
  });

  it('does not replace it for an error a new producer cannot cure either', async () => {
    const { producer, made } = await setup([protocolError('MESSAGE_TOO_LARGE', 10)]);
    await expect(producer.sendRecords([reply])).rejects.toMatchObject({ type: 'MESSAGE_TOO_LARGE' });
    expect(made).toHaveLength(1);
  });

  it('leaves no new producer connected when it is disconnected meanwhile', async () => {
    const { producer, made } = await setup([protocolError('UNKNOWN_PRODUCER_ID', 59)], 0);
    await expect(producer.sendRecords([reply])).rejects.toBeDefined();
    await producer.disconnect();
    await expect(producer.sendRecords([reply])).rejects.toMatchObject({ code: 'NOT_CONNECTED' });
    const connected = made.filter((p) => p.connects > p.disconnects);
    expect(connected).toEqual([]);
  });
});

describe('one kafkajs send at a time (broker-rolling-restart lost an acknowledged reply)', () => {
  // A failed request gives its sequence numbers back to kafkajs' idempotent producer, which retries
  // with them; a send that took the same numbers meanwhile is answered by the broker as a duplicate
  // of what the failed request had written, and dropped, although its caller is told it was sent.
  class SlowProducer implements KafkajsProducerLike {
    inFlight = 0;
    mostAtOnce = 0;
    readonly batches: string[][] = [];
    async connect() {}
    async disconnect() {}
    async sendBatch(batch: ProducerBatch) {
      this.inFlight++;
      this.mostAtOnce = Math.max(this.mostAtOnce, this.inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      this.inFlight--;
      const keys = (batch.topicMessages ?? []).flatMap((t) => t.messages.map((m) => String(m.key)));
      if (keys.includes('too-large')) throw protocolError('MESSAGE_TOO_LARGE', 10);
      this.batches.push(keys);
      return [];
    }
  }
  const record = (key: string): OutboundRecord => ({
    topic: PLAN,
    key,
    value: Buffer.from(key),
    headers: {},
  });

  async function over(fake: SlowProducer) {
    const producer = createProducerOver(() => fake, {
      names: TopicNames.prefixed('t.'),
      retry: { retries: 0, initialDelayMs: 1, maxDelayMs: 2 },
    });
    await producer.connect();
    return producer;
  }

  it('never runs two sends at once; those that waited go together, in order', async () => {
    const fake = new SlowProducer();
    const producer = await over(fake);
    await Promise.all(['a', 'b', 'c', 'd'].map((key) => producer.sendRecords([record(key)])));
    expect(fake.mostAtOnce).toBe(1);
    expect(fake.batches).toEqual([['a'], ['b', 'c', 'd']]);
  });

  it('a record its group cannot send fails its own caller only', async () => {
    const fake = new SlowProducer();
    const producer = await over(fake);
    const sends = ['a', 'b', 'too-large', 'c'].map((key) => producer.sendRecords([record(key)]));
    const results = await Promise.allSettled(sends);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect(fake.batches.flat().sort()).toEqual(['a', 'b', 'c']);
    expect(fake.mostAtOnce).toBe(1);
  });
});
