import { create, toBinary } from '@bufbuild/protobuf';
import { ChangeRequestSchema, CommitResultSchema } from '@pipeline/contracts';
import { HEADERS, partitionFor, readHeaders } from '@pipeline/kafka/records';
import { CRES, CRQ, DEEP, DLQ } from '@pipeline/topics';
import { describe, expect, it } from 'vitest';
import { decideBatch, type RawInbound } from '../src/domain/decide-batch.js';
import { stageOf } from '../src/domain/request-record.js';

const partitions = 12;
const idOn = (partition: number) => {
  for (let i = 0; ; i++) if (partitionFor(`cr-${i}`, partitions) === partition) return `cr-${i}`;
};
const ctx = (partition: number) => ({
  partition,
  numPartitions: partitions,
  now: 1000,
  maxTransactionBytes: 512 * 1024,
  getRecord: () => undefined,
  lookupAlias: () => [],
  nonce: () => 'n0',
});
const raw = (over: Partial<RawInbound>): RawInbound => ({
  topic: CRQ,
  partition: 0,
  offset: '7',
  key: undefined,
  value: null,
  headers: {},
  ...over,
  // The bytes as they came: the text forms unless a test gives others.
  rawKey: over.rawKey !== undefined ? over.rawKey : over.key === undefined ? null : Buffer.from(over.key),
  rawHeaders: over.rawHeaders ?? over.headers ?? {},
});
const changeRequest = (id: string) =>
  Buffer.from(toBinary(ChangeRequestSchema, create(ChangeRequestSchema, { id, repo: 'demo' })));

describe('decideBatch', () => {
  it('routes a message of its own partition and plans the command and the new state', () => {
    const id = idOn(3);
    const plan = decideBatch([raw({ partition: 3, key: id, value: changeRequest(id) })], ctx(3));
    expect(plan.records.map((r) => [r.topic, r.key])).toEqual([[DEEP, id]]);
    const updated = plan.updated.get(id);
    expect(updated && stageOf(updated)).toBe('plan_phase');
    expect(plan.effects).toMatchObject([
      { kind: 'applied', requestId: id, change: { from: 'idle', to: 'plan_phase' } },
    ]);
  });

  it('dead-letters undecodable bytes with the original value and where they came from', () => {
    const value = Buffer.from([0x0f, 0xff]);
    const plan = decideBatch([raw({ partition: 5, key: 'k', value, headers: { a: 'b' } })], ctx(5));
    const [letter] = plan.records;
    expect(letter).toMatchObject({ topic: DLQ, key: Buffer.from('k'), value });
    expect(letter?.headers).toMatchObject({
      a: 'b',
      [HEADERS.dlqReason]: 'undecodable',
      [HEADERS.dlqSourceTopic]: CRQ,
      [HEADERS.dlqSourcePartition]: '5',
      [HEADERS.dlqSourceOffset]: '7',
    });
    expect(plan.updated.size).toBe(0);
  });

  // Issue 10, finding 15, on the forwarding path (found by the poison-flood fault run): a reply keyed
  // by bytes that are not UTF-8 was forwarded keyed by their U+FFFD text and dead-lettered there, so
  // the dead letter no longer held the original key.
  it('dead-letters a key that is not UTF-8 where it arrives, with the key bytes it came with', () => {
    const rawKey = Buffer.from([0xff, 0xfe, 0xfd, 0x61]);
    const text = rawKey.toString('utf8');
    const away = (partitionFor(text, partitions) + 1) % partitions;
    const value = Buffer.from(
      toBinary(
        CommitResultSchema,
        create(CommitResultSchema, { taskId: 't1', commitSha: 'c1', status: 'SUCCESS' }),
      ),
    );
    const plan = decideBatch([raw({ topic: CRES, partition: away, key: text, rawKey, value })], ctx(away));
    expect(plan.records).toHaveLength(1);
    expect(plan.records[0]).toMatchObject({ topic: DLQ, key: rawKey, value });
    expect(plan.records[0]?.headers[HEADERS.dlqReason]).toBe('invalid');
    expect(String(plan.records[0]?.headers[HEADERS.dlqError])).toContain('UTF-8');
  });

  it('forwards a message of another partition to it, keyed by the request, and never twice', () => {
    const id = idOn(4);
    const keyless = raw({ partition: 9, key: undefined, value: changeRequest(id) });
    const plan = decideBatch([keyless], ctx(9));
    expect(plan.records).toMatchObject([{ topic: CRQ, key: id, partition: 4 }]);
    expect(plan.records[0]?.headers[HEADERS.forwardedFrom]).toBe(`${CRQ}/9/7`);
    expect(plan.updated.size).toBe(0);

    const forwarded = plan.records[0]?.headers ?? {};
    const again = decideBatch(
      [{ ...keyless, headers: readHeaders(forwarded), rawHeaders: forwarded }],
      ctx(9),
    );
    expect(again.records[0]).toMatchObject({ topic: DLQ });
    expect(again.records[0]?.headers[HEADERS.dlqReason]).toBe('misrouted');
  });

  it('dead-letters a keyless reply no request knows', () => {
    const value = Buffer.from(
      toBinary(CommitResultSchema, create(CommitResultSchema, { taskId: 'ghost', status: 'SUCCESS' })),
    );
    const plan = decideBatch([raw({ topic: CRES, value })], ctx(0));
    expect(plan.records[0]?.headers[HEADERS.dlqReason]).toBe('uncorrelated');
    expect(plan.records[0]?.headers[HEADERS.dlqError]).toContain('task:ghost');
  });

  it('applies several messages of one request in order within a batch', () => {
    const id = idOn(2);
    const plan = decideBatch(
      [
        raw({ partition: 2, key: id, value: changeRequest(id) }),
        raw({ partition: 2, key: id, value: changeRequest(id), offset: '8' }),
      ],
      ctx(2),
    );
    expect(plan.effects.map((e) => e.kind)).toEqual(['applied', 'rejected']);
    expect(plan.records.map((r) => r.topic)).toEqual([DEEP, DLQ]);
  });
});

describe('dead letters change the bytes (finding 15)', () => {
  it('keeps the original key and header bytes, also when they are not UTF-8', () => {
    const key = Buffer.from([0x63, 0x72, 0xff, 0xfe]);
    const header = Buffer.from([0xc3, 0x28, 0x00]);
    const value = Buffer.from([0x0f, 0xff]);
    const plan = decideBatch(
      [
        raw({
          partition: 1,
          key: key.toString('utf8'),
          rawKey: key,
          value,
          headers: { 'x-odd': header.toString('utf8') },
          rawHeaders: { 'x-odd': header },
        }),
      ],
      ctx(1),
    );
    const [letter] = plan.records;
    expect(letter?.topic).toBe(DLQ);
    expect(Buffer.isBuffer(letter?.key) && letter.key.equals(key)).toBe(true);
    const odd = letter?.headers['x-odd'];
    expect(Buffer.isBuffer(odd) && odd.equals(header)).toBe(true);
    // The key is refused before the value is read: request ids are text.
    expect(letter?.headers[HEADERS.dlqReason]).toBe('invalid');
  });
});

// Issue 10, finding 8: a keyless reply that named no known request was dead-lettered at once, also
// when this instance had not yet read the state partition that knows its alias (e.g. at start-up).
describe('keyless misses', () => {
  const commitResult = Buffer.from(
    toBinary(
      CommitResultSchema,
      create(CommitResultSchema, { taskId: 'unknown-task', commitSha: 'c1', status: 'SUCCESS' }),
    ),
  );
  const id = idOn(2);
  const records = [
    raw({ partition: 2, offset: '10', key: id, value: changeRequest(id) }),
    raw({ topic: CRES, partition: 2, offset: '11', value: commitResult }),
    raw({ partition: 2, offset: '12', key: idOn(2), value: changeRequest(id) }),
  ];

  it('halts at the miss while the state partitions may not be read past it: what came before is decided, nothing after', () => {
    const asked: string[] = [];
    const plan = decideBatch(records, {
      ...ctx(2),
      keylessMiss: (offset) => {
        asked.push(offset);
        return 'retry';
      },
    });
    expect(asked).toEqual(['11']);
    expect(plan.halted).toBe('11');
    expect(plan.steps.map((step) => step.offset)).toEqual(['10']);
    expect(plan.records.some((r) => r.topic === DLQ)).toBe(false);
  });

  it('dead-letters the miss once they have been read past it', () => {
    const plan = decideBatch(records, { ...ctx(2), keylessMiss: () => 'final' });
    expect(plan.halted).toBeUndefined();
    const letters = plan.records.filter(
      (r) => r.topic === DLQ && r.headers[HEADERS.dlqSourceOffset] === '11',
    );
    expect(letters).toHaveLength(1);
    expect(letters[0]?.headers[HEADERS.dlqReason]).toBe('uncorrelated');
    expect(plan.steps.map((step) => step.offset)).toEqual(['10', '11', '12']);
  });

  it('never halts for a keyed reply or a change request', () => {
    const keyed = raw({ topic: CRES, partition: 2, offset: '5', key: id, value: commitResult });
    const noId = raw({ partition: 2, offset: '6', value: changeRequest('') });
    const plan = decideBatch([keyed, noId], { ...ctx(2), keylessMiss: () => 'retry' });
    expect(plan.halted).toBeUndefined();
    expect(plan.steps).toHaveLength(2);
  });
});

// Issue 14, deliverable 2: an instance holds only the alias index of the partitions it owns; a keyless
// reply naming an alias of another partition goes to that partition, whose owner correlates it.
describe('keyless replies and the partitioned alias index', () => {
  const reply = (taskId: string, commitSha: string) =>
    Buffer.from(
      toBinary(CommitResultSchema, create(CommitResultSchema, { taskId, commitSha, status: 'SUCCESS' })),
    );
  const aliasOn = (partition: number, kind: string) => {
    for (let i = 0; ; i++) if (partitionFor(`${kind}:x${i}`, partitions) === partition) return `x${i}`;
  };

  it('hands a reply whose alias another instance indexes to that alias’s partition, keyless, saying where it came from', () => {
    const task = aliasOn(5, 'task');
    const plan = decideBatch([raw({ topic: CRES, partition: 2, offset: '40', value: reply(task, 'c9') })], {
      ...ctx(2),
      lookupAlias: () => undefined,
    });
    expect(plan.records).toHaveLength(1);
    const hop = plan.records[0];
    expect(hop).toMatchObject({ topic: CRES, partition: 5 });
    expect(hop?.key).toBeUndefined();
    expect(hop?.headers[HEADERS.aliasHopFrom]).toBe(`${CRES}/2/40`);
    expect(hop?.headers[HEADERS.aliasesTried]).toBe('[]');
    expect(plan.steps[0]?.effects).toEqual([
      { kind: 'hopped', alias: `task:${task}`, topic: CRES, toPartition: 5 },
    ]);
  });

  it('passes over an alias it indexes and no request has only once that is final, then asks for the next one', () => {
    const task = aliasOn(2, 'task');
    const commit = aliasOn(7, 'commit');
    const lookupAlias = (alias: string) => (alias.startsWith('task:') ? [] : undefined);
    const records = [raw({ topic: CRES, partition: 2, offset: '41', value: reply(task, commit) })];
    const waiting = decideBatch(records, { ...ctx(2), lookupAlias, keylessMiss: () => 'retry' });
    expect(waiting.halted).toBe('41');
    expect(waiting.records).toEqual([]);
    const plan = decideBatch(records, { ...ctx(2), lookupAlias, keylessMiss: () => 'final' });
    expect(plan.records[0]).toMatchObject({ topic: CRES, partition: 7 });
    expect(plan.records[0]?.headers[HEADERS.aliasesTried]).toBe(JSON.stringify([`task:${task}`]));
  });

  it('at the alias’s partition: skips what was tried, forwards a request found to its own partition, dead-letters when none', () => {
    const task = aliasOn(7, 'task');
    const commit = aliasOn(7, 'commit');
    const id = idOn(4);
    const headers = {
      [HEADERS.aliasHopFrom]: `${CRES}/2/41`,
      [HEADERS.aliasesTried]: JSON.stringify([`task:${task}`]),
    };
    const hopped = raw({ topic: CRES, partition: 7, offset: '3', value: reply(task, commit), headers });
    const found = decideBatch([hopped], {
      ...ctx(7),
      // Would be ambiguous if the task were asked again: it was found unknown at its partition.
      lookupAlias: (alias) => (alias === `commit:${commit}` ? [id] : ['someone', 'else']),
    });
    expect(found.records[0]).toMatchObject({ topic: CRES, partition: 4, key: id });
    const none = decideBatch([hopped], { ...ctx(7), lookupAlias: () => [], keylessMiss: () => 'final' });
    expect(none.records[0]?.topic).toBe(DLQ);
    expect(none.records[0]?.headers[HEADERS.dlqReason]).toBe('uncorrelated');
    expect(String(none.records[0]?.headers[HEADERS.dlqError])).toContain(`task:${task} or commit:${commit}`);
  });
});
