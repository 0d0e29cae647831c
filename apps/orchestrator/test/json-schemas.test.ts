// docs/protocol.md promises versioned JSON Schemas of GET /requests/{id} and of a state record
// (docs/schemas/): what the code writes must match them, and every field it writes must be declared.
import { readFileSync } from 'node:fs';
import { REGRESSION_REASONS } from '@pipeline/contracts';
import { STAGES } from '@pipeline/state-machine';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import type { RequestRecord } from '../src/domain/request-record.js';
import { stateJson } from '../src/domain/state-record.js';
import { toRequestView } from '../src/http/request-view.js';
import { sampleRecords } from './support/sample-records.js';

type Schema = Record<string, unknown>;
const load = (name: string): Schema =>
  JSON.parse(readFileSync(new URL(`../../../docs/schemas/${name}`, import.meta.url), 'utf8')) as Schema;
const viewSchema = load('request-view.v1.schema.json');
const stateSchema = load('state-record.v1.schema.json');
const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats.default(ajv);

/** Paths of fields the data has and the schema does not declare (object `properties` only). */
function undeclared(schema: Schema, data: unknown, root: Schema, path = '$'): string[] {
  const ref = schema.$ref as string | undefined;
  if (ref) return undeclared(resolve(root, ref), data, root, path);
  if (Array.isArray(data)) {
    const items = schema.items as Schema | undefined;
    return items ? data.flatMap((item, i) => undeclared(items, item, root, `${path}[${i}]`)) : [];
  }
  if (data === null || typeof data !== 'object') return [];
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  return Object.entries(data).flatMap(([key, value]) => {
    const declared = properties[key];
    return declared ? undeclared(declared, value, root, `${path}.${key}`) : [`${path}.${key}`];
  });
}

function resolve(root: Schema, ref: string): Schema {
  let node: unknown = root;
  for (const part of ref.replace(/^#\//, '').split('/')) node = (node as Schema)[part];
  return node as Schema;
}

describe('the JSON Schemas of docs/schemas', () => {
  const records = sampleRecords();

  it.each(Object.keys(records))('GET /requests/{id} of a %s request matches request-view.v1', (name) => {
    const view = JSON.parse(JSON.stringify(toRequestView(records[name] as RequestRecord)));
    const validate = ajv.compile(viewSchema);
    expect(validate(view), JSON.stringify(validate.errors)).toBe(true);
    expect(undeclared(viewSchema, view, viewSchema)).toEqual([]);
  });

  it.each(Object.keys(records))('the state record of a %s request matches state-record.v1', (name) => {
    const value = JSON.parse(stateJson(records[name] as RequestRecord).toString('utf8'));
    const validate = ajv.compile(stateSchema);
    expect(validate(value), JSON.stringify(validate.errors)).toBe(true);
    expect(undeclared(stateSchema, value, stateSchema)).toEqual([]);
  });

  it('name every stage and regression reason the machine has', () => {
    const stage = resolve(viewSchema, '#/$defs/stage').description as string;
    for (const s of STAGES) expect(stage).toContain(s);
    const reason = JSON.stringify(resolve(viewSchema, '#/properties/failure'));
    for (const r of REGRESSION_REASONS) expect(reason).toContain(r);
  });

  it('catch a field the code writes and the schema does not declare', () => {
    const view = { ...toRequestView(records.finished as RequestRecord), surprise: 1 };
    expect(undeclared(viewSchema, view, viewSchema)).toEqual(['$.surprise']);
  });
});
