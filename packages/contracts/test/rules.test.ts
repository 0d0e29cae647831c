import { create } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import {
  MAX_DESCRIPTION_BYTES,
  MAX_FIELD_BYTES,
  MAX_LIST_ITEMS,
  MESSAGE_RULES,
  ruleViolation,
  schemas,
} from '../src/index.js';

describe('message rules', () => {
  it('name the field a message lacks or gets wrong', () => {
    const crq = schemas.ChangeRequest;
    expect(ruleViolation(crq, create(crq, { id: 'cr-1', repo: 'demo' }))).toBeUndefined();
    expect(ruleViolation(crq, create(crq, {}))).toEqual({
      reason: 'invalid',
      detail: 'ChangeRequest.id is empty',
    });
    expect(ruleViolation(crq, create(crq, { id: 'cr-1' }))?.detail).toBe('ChangeRequest.repo is empty');
    const result = schemas.CommitResult;
    expect(ruleViolation(result, create(result, { taskId: 't', status: 'FAILED' }))).toBeUndefined();
    expect(ruleViolation(result, create(result, { taskId: 't', status: 'ERROR' }))?.detail).toBe(
      'CommitResult.status is "ERROR", not one of SUCCESS, FAILED',
    );
    expect(ruleViolation(result, create(result, { status: 'SUCCESS' }))?.detail).toBe(
      'CommitResult.task_id is empty',
    );
    const tests = schemas.GeneratedTests;
    expect(ruleViolation(tests, create(tests, {}))?.detail).toBe(
      'GeneratedTests.precheck is empty, not one of PASSED, FAILED',
    );
    const progress = schemas.AgentProgress;
    expect(ruleViolation(progress, create(progress, { requestId: 'cr-1', percent: 100 }))).toBeUndefined();
    expect(ruleViolation(progress, create(progress, { requestId: 'cr-1', percent: 101 }))).toEqual({
      reason: 'invalid',
      detail: 'AgentProgress.percent is 101, at most 100',
    });
    expect(ruleViolation(progress, create(progress, { note: 'working' }))?.detail).toBe(
      'AgentProgress.request_id is empty',
    );
    // Messages without rules pass as they are.
    expect(ruleViolation(schemas.TestSpec, create(schemas.TestSpec, {}))).toBeUndefined();
  });

  it('bound every text and list: a record near the size limit is refused before it is used (finding 2)', () => {
    const plan = schemas.Plan;
    const many = Array.from({ length: MAX_LIST_ITEMS + 1 }, (_, i) => `t${i}`);
    expect(ruleViolation(plan, create(plan, { id: 'p', taskIds: many }))).toEqual({
      reason: 'too_large',
      detail: `Plan.task_ids has ${MAX_LIST_ITEMS + 1} items, at most ${MAX_LIST_ITEMS}`,
    });
    expect(
      ruleViolation(plan, create(plan, { id: 'p', taskIds: ['x'.repeat(MAX_FIELD_BYTES + 1)] })),
    ).toEqual({
      reason: 'too_large',
      detail: `Plan.task_ids[0] has more than ${MAX_FIELD_BYTES} bytes`,
    });
    const crq = schemas.ChangeRequest;
    const long = 'é'.repeat(MAX_DESCRIPTION_BYTES / 2 + 1);
    expect(ruleViolation(crq, create(crq, { id: 'c', repo: 'r', description: long }))).toEqual({
      reason: 'too_large',
      detail: `ChangeRequest.description has ${MAX_DESCRIPTION_BYTES + 2} bytes, at most ${MAX_DESCRIPTION_BYTES}`,
    });
    expect(
      ruleViolation(crq, create(crq, { id: 'c', repo: 'r', description: 'd'.repeat(5000) })),
    ).toBeUndefined();
    expect(ruleViolation(crq, create(crq, { id: 'i'.repeat(MAX_FIELD_BYTES + 1), repo: 'r' }))?.reason).toBe(
      'too_large',
    );
  });

  it('refer only to fields that exist', () => {
    for (const [name, rules] of Object.entries(MESSAGE_RULES)) {
      const schema = schemas[name as keyof typeof schemas];
      for (const rule of rules ?? []) expect(schema.fields.map((f) => f.name)).toContain(rule.field);
    }
  });
});
