// Cross-language proof: the vectors in test/golden were encoded by Google's Python protobuf (the
// runtime of the reference design's agents) by scripts/golden/generate.py. Each one must decode
// with our protobuf-es schemas to the values Python meant, and re-encode to the very same bytes.
// The seed/ set was encoded with stubs generated from the verbatim seed proto
// (reference/seed/core_contracts.proto): it shows that a seed agent's bytes decode here unchanged.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DescMessage, JsonValue } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import {
  BuildReportSchema,
  BuildRequestSchema,
  ChangeRequestSchema,
  DeepPlanSchema,
  decode,
  encode,
  type MessageName,
  PlanSchema,
  RegressionTicketSchema,
  registry,
  SEED_MESSAGE_NAMES,
  schemaByTypeName,
  schemas,
  TestGenRequestSchema,
  toJson,
} from '../src/index.js';

interface ManifestEntry {
  name: string;
  typeName: string;
  size: number;
}
interface ManifestSet {
  name: string;
  proto: string;
  dir: string;
  messages: ManifestEntry[];
}
interface Manifest {
  protobuf: string;
  grpcioTools: string;
  protoc: string;
  sets: ManifestSet[];
}

const goldenDir = fileURLToPath(new URL('./golden/', import.meta.url));
const manifest = JSON.parse(readFileSync(join(goldenDir, 'manifest.json'), 'utf8')) as Manifest;

function setNamed(name: string): ManifestSet {
  const found = manifest.sets.find((s) => s.name === name);
  if (found === undefined) throw new Error(`manifest.json has no set named ${name}`);
  return found;
}
const currentSet = setNamed('current');
const seedSet = setNamed('seed');

/** The raw bytes of a vector, as a plain Uint8Array (not a Buffer) so equality checks compare bytes only. */
function vectorBytes(set: ManifestSet, name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(goldenDir, set.dir, `${name}.bin`)));
}
function vectorJson(set: ManifestSet, name: string): JsonValue {
  return JSON.parse(readFileSync(join(goldenDir, set.dir, `${name}.json`), 'utf8')) as JsonValue;
}
function schemaOf(name: string): DescMessage {
  const schema = (schemas as Record<string, DescMessage>)[name];
  if (schema === undefined) throw new Error(`no schema named ${name} in schemas`);
  return schema;
}

const registryMessageNames = [...registry]
  .filter((desc): desc is DescMessage => desc.kind === 'message')
  .map((desc) => desc.typeName)
  .sort();

describe('golden manifest', () => {
  it('records the Python toolchain that wrote the vectors', () => {
    expect(manifest.protobuf).toMatch(/^\d+\.\d+\.\d+/);
    expect(manifest.grpcioTools).toMatch(/^\d+\.\d+\.\d+/);
    expect(manifest.protoc).toMatch(/^libprotoc \d+/);
  });

  it('covers every message of the registry and of schemas, once each', () => {
    const typeNames = currentSet.messages.map((m) => m.typeName);
    expect(new Set(typeNames).size).toBe(typeNames.length);
    expect([...typeNames].sort()).toEqual(registryMessageNames);
    expect(currentSet.messages.map((m) => m.name).sort()).toEqual(Object.keys(schemas).sort());
    expect(registryMessageNames).toHaveLength(22);
  });

  it('has a seed-proto vector for every seed message and nothing else', () => {
    expect(seedSet.proto).toBe('reference/seed/core_contracts.proto');
    expect(seedSet.messages.map((m) => m.name).sort()).toEqual([...SEED_MESSAGE_NAMES].sort());
  });

  it('names each vector by the short name and full type name of one schema', () => {
    for (const set of manifest.sets) {
      for (const { name, typeName } of set.messages) {
        expect(schemaOf(name).typeName).toBe(typeName);
        expect(schemaByTypeName(typeName)).toBe(schemaOf(name));
      }
    }
  });
});

for (const set of [currentSet, seedSet]) {
  describe(`golden vectors: ${set.name} set (${set.proto})`, () => {
    it.each(set.messages.map((m) => [m.name, m] as const))(
      '%s decodes to the Python values and re-encodes to the same bytes',
      (name, entry) => {
        const schema = schemaOf(name);
        const bytes = vectorBytes(set, name);
        expect(bytes.length).toBe(entry.size);

        const decoded = decode(schema, bytes);
        // Every field Python wrote is one our schema knows: nothing lands in the unknown fields.
        expect(decoded.$unknown).toBeUndefined();
        expect(toJson(schema, decoded)).toStrictEqual(vectorJson(set, name));
        expect(encode(schema, decoded)).toEqual(bytes);
      },
    );
  });
}

describe('golden vectors: fields checked directly on the decoded message', () => {
  const current = <Desc extends DescMessage>(schema: Desc, name: MessageName) =>
    decode(schema, vectorBytes(currentSet, name));

  it('ChangeRequest keeps multi-byte UTF-8 (accents, CJK, astral emoji) and a >127-byte string', () => {
    const msg = current(ChangeRequestSchema, 'ChangeRequest');
    expect(msg.id).toBe('req-0001');
    expect(msg.requester).toBe('zoë.müller@example.com');
    expect(msg.branch).toBe('feature/ünïcödé-names');
    expect(msg.description).toContain('Ærøskøbing, 東京, Zürich, and emoji such as 🚀✨.');
    expect(msg.description).toContain('a tab\there, a backslash \\ too.');
    expect(new TextEncoder().encode(msg.description).length).toBeGreaterThan(127);
  });

  it('Plan carries the added task_ids in order', () => {
    const msg = current(PlanSchema, 'Plan');
    expect(msg.parentRequestId).toBe('req-0001');
    expect(msg.taskIds).toEqual(['plan-0001/task-1', 'plan-0001/task-2', 'plan-0001/tâche-3']);
  });

  it('DeepPlan has its three nested phases, the last with a default goal', () => {
    const msg = current(DeepPlanSchema, 'DeepPlan');
    expect(msg.id).toBe('deep-0001');
    expect(msg.phases).toHaveLength(3);
    expect(msg.phases[0]?.goal).toBe('Analyse the registry and its callers');
    expect(msg.phases[1]?.id).toBe('phase-2');
    expect(msg.phases[1]?.goal).toBe('Implement the rename — keep the alias 🔁');
    expect(msg.phases[2]?.id).toBe('phase-3');
    expect(msg.phases[2]?.goal).toBe('');
  });

  it('BuildRequest carries round as a number', () => {
    const msg = current(BuildRequestSchema, 'BuildRequest');
    expect(msg.round).toBe(2);
    expect(typeof msg.round).toBe('number');
    expect(msg.buildId).toBe('req-0001/build2');
    expect(msg.commitSha).toBe('e83c5163316f89bfbde7d9ab23ca2e25604af290');
  });

  it('BuildReport and RegressionTicket carry the added fields', () => {
    const report = current(BuildReportSchema, 'BuildReport');
    expect(report.status).toBe('FAILED: 2 tests — «widget» ✗');
    expect(report.buildId).toBe('req-0001/build2');
    const ticket = current(RegressionTicketSchema, 'RegressionTicket');
    expect(ticket.summary).toBe('build2 failed for req-0001: 2 tests failed (widget_テスト)');
    expect(ticket.requestId).toBe('req-0001');
    expect(ticket.failedStage).toBe('build2');
    expect(ticket.reason).toBe('build_failed');
  });

  it('TestGenRequest leaves branch at its default, absent from wire and JSON', () => {
    const msg = current(TestGenRequestSchema, 'TestGenRequest');
    expect(msg.specId).toBe('spec-0001');
    expect(msg.branch).toBe('');
    expect(vectorJson(currentSet, 'TestGenRequest')).not.toHaveProperty('branch');
  });

  it('seed-proto bytes leave the added fields at their defaults', () => {
    const plan = decode(PlanSchema, vectorBytes(seedSet, 'Plan'));
    expect(plan.id).toBe('plan-0001');
    expect(plan.taskIds).toEqual([]);
    const report = decode(BuildReportSchema, vectorBytes(seedSet, 'BuildReport'));
    expect(report.status).toBe('FAILED: 2 tests — «widget» ✗');
    expect(report.buildId).toBe('');
    const ticket = decode(RegressionTicketSchema, vectorBytes(seedSet, 'RegressionTicket'));
    expect(ticket.summary).toBe('build2 failed for req-0001: 2 tests failed (widget_テスト)');
    expect([ticket.requestId, ticket.failedStage, ticket.reason]).toEqual(['', '', '']);
    const deep = decode(DeepPlanSchema, vectorBytes(seedSet, 'DeepPlan'));
    expect(deep.phases[1]?.goal).toBe('Implement the rename — keep the alias 🔁');
  });

  it('each seed message encodes as the seed bytes followed by the added fields only', () => {
    // Added fields take new, higher field numbers, and both encoders write fields in number order:
    // the seed proto's bytes are a prefix of the current proto's bytes for the same values.
    for (const name of SEED_MESSAGE_NAMES) {
      const seedBytes = vectorBytes(seedSet, name);
      const currentBytes = vectorBytes(currentSet, name);
      expect(currentBytes.subarray(0, seedBytes.length), name).toEqual(seedBytes);
    }
  });
});
