// The orchestrator's own StateRecord codec (src/domain/state-wire.ts) against protobuf-es'
// reflection (test/support/state-message.ts): the very same bytes for every sample record, the same
// record read back, and fields a newer writer adds skipped, not fatal.
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { StateRecordSchema } from '@pipeline/contracts';
import { describe, expect, it } from 'vitest';
import type { RequestRecord } from '../src/domain/request-record.js';
import { decodeStateRecord, encodeStateRecord } from '../src/domain/state-wire.js';
import { sampleRecords } from './support/sample-records.js';
import { fromStateMessage, toStateMessage } from './support/state-message.js';

const records = sampleRecords();
const names = Object.keys(records);
const record = (name: string) => records[name] as RequestRecord;

describe('the StateRecord codec', () => {
  it.each(names)('writes a %s request byte for byte as protobuf-es does', (name) => {
    const reference = toBinary(StateRecordSchema, toStateMessage(record(name)));
    expect(Buffer.from(encodeStateRecord(record(name))).toString('hex')).toBe(
      Buffer.from(reference).toString('hex'),
    );
  });

  it.each(names)('reads a %s request back as protobuf-es does, and as it was', (name) => {
    const bytes = toBinary(StateRecordSchema, toStateMessage(record(name)));
    const decoded = decodeStateRecord(bytes);
    expect(decoded.version).toBe(2);
    expect(decoded.record).toStrictEqual(fromStateMessage(fromBinary(StateRecordSchema, bytes)));
    expect(decoded.record).toStrictEqual(record(name));
  });

  it('writes text beyond ASCII and longer than 64 characters as UTF-8, like protobuf-es', () => {
    const change = {
      ...record('planning').change,
      description: `añadir ✓ 🚀 ${'x'.repeat(70)}`,
      requester: 'zoë',
    };
    const text: RequestRecord = { ...record('planning'), change };
    const reference = toBinary(StateRecordSchema, toStateMessage(text));
    expect(Buffer.from(encodeStateRecord(text))).toEqual(Buffer.from(reference));
    expect(decodeStateRecord(reference).record).toStrictEqual(text);
  });

  it('skips fields it does not know, at the top and inside', () => {
    const known = toBinary(StateRecordSchema, toStateMessage(record('finished')));
    const extra = new BinaryWriter();
    extra.tag(99, WireType.LengthDelimited).string('a field of a later version');
    extra.tag(100, WireType.Varint).uint32(7);
    extra.tag(3, WireType.LengthDelimited).fork().tag(9, WireType.Varint).uint32(1).join();
    const bytes = Buffer.concat([known, extra.finish()]);
    expect(fromBinary(StateRecordSchema, bytes).requestId).toBe(record('finished').requestId);
    const decoded = decodeStateRecord(bytes);
    // The change submessage written twice merges (protobuf's rule): its fields are kept.
    expect(decoded.record).toStrictEqual(record('finished'));
  });

  it('keeps an optional field that is set to its default value apart from an absent one', () => {
    const base = record('planning');
    const withEmpty: RequestRecord = { ...base, planId: '', attempt: 0, budget: { maxCostUsd: 0 } };
    const bytes = encodeStateRecord(withEmpty);
    expect(Buffer.from(bytes)).toEqual(
      Buffer.from(toBinary(StateRecordSchema, create(StateRecordSchema, toStateMessage(withEmpty)))),
    );
    expect(decodeStateRecord(bytes).record).toStrictEqual(withEmpty);
  });
});
