import { create } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { MESSAGE_RULES, ruleViolation, schemas } from '../src/index.js';

describe('message rules', () => {
  it('name the field a message lacks or gets wrong', () => {
    const crq = schemas.ChangeRequest;
    expect(ruleViolation(crq, create(crq, { id: 'cr-1', repo: 'demo' }))).toBeUndefined();
    expect(ruleViolation(crq, create(crq, {}))).toBe('ChangeRequest.id is empty');
    expect(ruleViolation(crq, create(crq, { id: 'cr-1' }))).toBe('ChangeRequest.repo is empty');
    const result = schemas.CommitResult;
    expect(ruleViolation(result, create(result, { taskId: 't', status: 'FAILED' }))).toBeUndefined();
    expect(ruleViolation(result, create(result, { taskId: 't', status: 'ERROR' }))).toBe(
      'CommitResult.status is "ERROR", not one of SUCCESS, FAILED',
    );
    expect(ruleViolation(result, create(result, { status: 'SUCCESS' }))).toBe(
      'CommitResult.task_id is empty',
    );
    const tests = schemas.GeneratedTests;
    expect(ruleViolation(tests, create(tests, {}))).toBe(
      'GeneratedTests.precheck is empty, not one of PASSED, FAILED',
    );
    // Messages without rules pass as they are.
    expect(ruleViolation(schemas.TestSpec, create(schemas.TestSpec, {}))).toBeUndefined();
  });

  it('refer only to fields that exist', () => {
    for (const [name, rules] of Object.entries(MESSAGE_RULES)) {
      const schema = schemas[name as keyof typeof schemas];
      for (const rule of rules ?? []) expect(schema.fields.map((f) => f.name)).toContain(rule.field);
    }
  });
});
