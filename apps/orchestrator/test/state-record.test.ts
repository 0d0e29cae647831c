// The state record's wire forms: version 2 (the StateRecord message) is written, and both it and
// version 1 (JSON, written before) are read back to the very record the decisions made.
import { create, toBinary } from '@bufbuild/protobuf';
import { readStateValue, StateRecordSchema } from '@pipeline/contracts';
import { describe, expect, it } from 'vitest';
import type { RequestRecord } from '../src/domain/request-record.js';
import { decodeState, encodeState, stateJson } from '../src/domain/state-record.js';
import { sampleRecords } from './support/sample-records.js';

const records = sampleRecords();
const names = Object.keys(records);
const record = (name: string) => records[name] as RequestRecord;

describe('state records', () => {
  it.each(names)('a %s request is written as a StateRecord and read back unchanged', (name) => {
    const value = encodeState(record(name));
    expect(value[0]).toBe(0x08); // field 1 (version), varint: not JSON
    expect(decodeState(value)).toStrictEqual({ ok: true, record: record(name) });
  });

  it.each(names)('a %s request written as JSON (version 1) is still read', (name) => {
    expect(decodeState(stateJson(record(name)))).toEqual({ ok: true, record: record(name) });
  });

  it('is smaller than the JSON it replaces', () => {
    for (const name of names)
      expect(encodeState(record(name)).length).toBeLessThan(stateJson(record(name)).length);
  });

  it('tells other tools the stage and machine version of either form', () => {
    for (const value of [encodeState(record('regressed')), stateJson(record('regressed'))]) {
      const read = readStateValue(value);
      expect(read.ok && read.summary).toMatchObject({
        requestId: record('regressed').requestId,
        stage: 'regress',
        machineVersion: record('regressed').machineVersion,
        machine: { value: 'regress', context: { failure: { stage: 'code_phase' } } },
      });
    }
  });

  it('refuses, with why, a version it does not know, a stage it does not know, and damaged bytes', () => {
    const message = (init: object) =>
      Buffer.from(
        toBinary(
          StateRecordSchema,
          create(StateRecordSchema, { version: 2, requestId: 'r', stage: 'build1', ...init }),
        ),
      );
    expect(decodeState(message({ version: 3 }))).toEqual({
      ok: false,
      why: 'version 3 (this version reads 1, 2)',
    });
    expect(decodeState(message({ stage: 'review' }))).toEqual({
      ok: false,
      why: 'version 2 without a request id or a known stage',
    });
    expect(decodeState(Buffer.from([0x08, 0x02, 0x12, 0xff]))).toEqual({
      ok: false,
      why: 'neither JSON nor a StateRecord message',
    });
    expect(decodeState(Buffer.from('{"v":2}'))).toMatchObject({
      ok: false,
      why: expect.stringContaining('JSON version 2'),
    });
  });
});
