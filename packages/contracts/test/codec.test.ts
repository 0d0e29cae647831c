import { PipelineError } from '@pipeline/common';
import { describe, expect, it } from 'vitest';
import {
  create,
  DecodeError,
  DeepPlanSchema,
  decode,
  encode,
  PlanSchema,
  registry,
  schemaByTypeName,
  schemas,
  UnknownMessageTypeError,
} from '../src/index.js';

/** Catches what fn throws, failing the test when it throws nothing. */
function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error, none was thrown');
}

/** A base-128 varint, as the protobuf wire format writes field tags and lengths. */
function varint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return out;
}
function lengthDelimited(fieldNo: number, data: Uint8Array): number[] {
  return [...varint((fieldNo << 3) | 2), ...varint(data.length), ...data];
}
const utf8 = (text: string) => new TextEncoder().encode(text);

describe('decode of invalid bytes', () => {
  const cases: [string, number[], RegExp][] = [
    // field 1 (LEN), its length varint has the continuation bit set and then the bytes end
    ['a truncated varint', [0x0a, 0x80], /premature EOF/],
    // tag 0x0f: field 1 with wire type 7, which does not exist
    ['an invalid wire type (tag 0x0f)', [0x0f, 0x00], /illegal tag: field no 1 wire type 7/],
    // field 1 (LEN) claims 5 bytes, 2 follow
    ['a length-delimited field overrunning the buffer', [0x0a, 0x05, 0x61, 0x62], /premature EOF/],
    // tag 0x00: field number 0 is reserved
    ['field number 0', [0x00, 0x01], /illegal tag: field no 0/],
    // field 1 (LEN) holding the byte 0xff, which is not UTF-8: proto3 strings must be valid UTF-8
    ['invalid UTF-8 in a string field', [0x0a, 0x01, 0xff], /utf-8/i],
  ];

  it.each(cases)('%s throws DecodeError naming core.Plan and the cause', (_label, bytes, cause) => {
    const error = thrownBy(() => decode(PlanSchema, new Uint8Array(bytes)));
    expect(error).toBeInstanceOf(DecodeError);
    expect(error).toBeInstanceOf(PipelineError);
    const decodeError = error as DecodeError;
    expect(decodeError.name).toBe('DecodeError');
    expect(decodeError.code).toBe('DECODE_FAILED');
    expect(decodeError.typeName).toBe('core.Plan');
    expect(decodeError.canRetry).toBe(false);
    expect(decodeError.message).toContain('core.Plan');
    expect(decodeError.message).toMatch(cause);
    expect(decodeError.cause).toBeInstanceOf(Error);
    expect((decodeError.cause as Error).message).toMatch(cause);
  });

  it('names the type that was being decoded, also for a nested message', () => {
    // DeepPlan.phases (field 2) holding a Phase whose field 1 overruns the Phase's own bytes.
    const bytes = new Uint8Array([0x12, 0x03, 0x0a, 0x05, 0x61]);
    const error = thrownBy(() => decode(DeepPlanSchema, bytes)) as DecodeError;
    expect(error).toBeInstanceOf(DecodeError);
    expect(error.typeName).toBe('core.DeepPlan');
  });

  it('decodes empty bytes to the default message', () => {
    const plan = decode(PlanSchema, new Uint8Array(0));
    expect(plan.id).toBe('');
    expect(plan.taskIds).toEqual([]);
  });
});

describe('schemaByTypeName', () => {
  it('finds core.Plan', () => {
    expect(schemaByTypeName('core.Plan')).toBe(PlanSchema);
  });

  it('finds every schema of the map by its full name', () => {
    for (const schema of Object.values(schemas)) {
      expect(schemaByTypeName(schema.typeName)).toBe(schema);
      expect(registry.getMessage(schema.typeName)).toBe(schema);
    }
  });

  it.each(['core.NoSuchMessage', 'Plan', 'other.Plan', ''])(
    'throws UnknownMessageTypeError for %j',
    (typeName) => {
      const error = thrownBy(() => schemaByTypeName(typeName));
      expect(error).toBeInstanceOf(UnknownMessageTypeError);
      expect(error).toBeInstanceOf(PipelineError);
      const unknown = error as UnknownMessageTypeError;
      expect(unknown.code).toBe('UNKNOWN_MESSAGE_TYPE');
      expect(unknown.typeName).toBe(typeName);
      expect(unknown.message).toContain(typeName);
    },
  );
});

describe('unknown fields from a newer peer', () => {
  it('survive decode → encode unchanged', () => {
    const known = encode(
      PlanSchema,
      create(PlanSchema, { id: 'plan-1', parentRequestId: 'req-1', taskIds: ['plan-1/task-1'] }),
    );
    const bytes = new Uint8Array([
      ...known,
      // field 99, LEN: a string a newer proto added
      ...lengthDelimited(99, utf8('from the future ✨')),
      // field 100, VARINT 150
      ...varint((100 << 3) | 0),
      ...varint(150),
      // field 101, I32 and field 102, I64
      ...varint((101 << 3) | 5),
      0x01,
      0x02,
      0x03,
      0x04,
      ...varint((102 << 3) | 1),
      0x08,
      0x07,
      0x06,
      0x05,
      0x04,
      0x03,
      0x02,
      0x01,
    ]);

    const plan = decode(PlanSchema, bytes);
    expect(plan.id).toBe('plan-1');
    expect(plan.parentRequestId).toBe('req-1');
    expect(plan.taskIds).toEqual(['plan-1/task-1']);
    expect(plan.$unknown?.map((f) => f.no)).toEqual([99, 100, 101, 102]);
    expect(encode(PlanSchema, plan)).toEqual(bytes);
  });

  it('survive inside a nested message too', () => {
    const phase = [...lengthDelimited(1, utf8('phase-1')), ...lengthDelimited(99, utf8('new phase field'))];
    const bytes = new Uint8Array([
      ...lengthDelimited(1, utf8('deep-1')),
      ...lengthDelimited(2, new Uint8Array(phase)),
    ]);

    const deep = decode(DeepPlanSchema, bytes);
    expect(deep.$unknown).toBeUndefined();
    expect(deep.phases[0]?.id).toBe('phase-1');
    expect(deep.phases[0]?.$unknown?.map((f) => f.no)).toEqual([99]);
    expect(encode(DeepPlanSchema, deep)).toEqual(bytes);
  });
});
