// The state directory reads finished requests through finishedSummary (src/domain/state-summary.ts)
// instead of a full decode: it must say of every finished sample what the full decode says, and
// leave everything else (unfinished, JSON, another version, damaged bytes) to the full decode.
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { describe, expect, it } from 'vitest';
import { isFinished, type RequestRecord, stageOf } from '../src/domain/request-record.js';
import { decodeState, encodeState, stateJson } from '../src/domain/state-record.js';
import { finishedSummary } from '../src/domain/state-summary.js';
import { sampleRecords } from './support/sample-records.js';

const records = sampleRecords();
const names = Object.keys(records);
const finished = names.filter((name) => isFinished(records[name] as RequestRecord));
const unfinished = names.filter((name) => !isFinished(records[name] as RequestRecord));

describe('finishedSummary', () => {
  it('has finished and unfinished samples to judge', () => {
    expect(finished.length).toBeGreaterThanOrEqual(2);
    expect(unfinished.length).toBeGreaterThanOrEqual(2);
  });

  it.each(finished)('reads a %s request as the full decode does', (name) => {
    const value = encodeState(records[name] as RequestRecord);
    const full = decodeState(value);
    if (!full.ok) throw new Error(full.why);
    expect(finishedSummary(value)).toStrictEqual({
      requestId: full.record.requestId,
      stage: stageOf(full.record),
      repo: full.record.change.repo,
      requester: full.record.change.requester,
      createdAt: full.record.createdAt,
      updatedAt: full.record.updatedAt,
    });
  });

  it.each(unfinished)('leaves a %s request to the full decode', (name) => {
    expect(finishedSummary(encodeState(records[name] as RequestRecord))).toBeUndefined();
  });

  it('leaves JSON (version 1), another version, empty and damaged values to the full decode', () => {
    const record = records[finished[0] as string] as RequestRecord;
    const value = encodeState(record);
    expect(finishedSummary(stateJson(record))).toBeUndefined();
    const version3 = Buffer.concat([value, new BinaryWriter().tag(1, WireType.Varint).uint32(3).finish()]);
    expect(decodeState(version3).ok).toBe(false);
    expect(finishedSummary(version3)).toBeUndefined();
    expect(finishedSummary(Buffer.alloc(0))).toBeUndefined();
    const cut = value.subarray(0, value.length - 3);
    expect(finishedSummary(cut)).toBeUndefined();
  });

  it('skips fields a later version adds', () => {
    const record = records[finished[0] as string] as RequestRecord;
    const extra = new BinaryWriter().tag(99, WireType.LengthDelimited).string('later').finish();
    expect(finishedSummary(Buffer.concat([encodeState(record), extra]))?.requestId).toBe(record.requestId);
  });
});
