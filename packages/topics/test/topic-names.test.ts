import { describe, expect, it } from 'vitest';
import {
  ALL_TOPICS,
  CRQ,
  PLAN,
  REFERENCE_TOPIC_NAMES,
  STATE,
  TOPIC_PREFIX_ENV,
  TopicNames,
} from '../src/index.js';

describe('TopicNames', () => {
  it('prefixes every topic and maps names back', () => {
    const names = TopicNames.prefixed('staging.');
    expect(names.physical(PLAN)).toBe('staging.plan.out');
    expect(names.logical('staging.orchestrator.state')).toBe(STATE);
    expect(names.logical('plan.out')).toBeUndefined();
    for (const topic of ALL_TOPICS) expect(names.logical(names.physical(topic))).toBe(topic);
    expect(REFERENCE_TOPIC_NAMES.physical(CRQ)).toBe(CRQ);
  });

  it('takes explicit names for some topics, the logical name for the rest', () => {
    const names = TopicNames.of({ [PLAN]: 'test-plan-1' });
    expect(names.physical(PLAN)).toBe('test-plan-1');
    expect(names.physical(CRQ)).toBe(CRQ);
    expect(names.logical('test-plan-1')).toBe(PLAN);
  });

  it('refuses a prefix with other characters and two topics on one name', () => {
    expect(() => TopicNames.prefixed('a/b')).toThrow(/may only use letters, digits/);
    expect(() => TopicNames.of({ [PLAN]: 'same', [CRQ]: 'same' })).toThrow(/same physical name/);
  });

  it('reads PIPELINE_TOPIC_PREFIX the same way for every service', () => {
    const variable = TOPIC_PREFIX_ENV.PIPELINE_TOPIC_PREFIX;
    expect(variable.read(undefined, 'PIPELINE_TOPIC_PREFIX')).toEqual({ ok: true, value: '' });
    expect(variable.read('demo.', 'PIPELINE_TOPIC_PREFIX')).toEqual({ ok: true, value: 'demo.' });
    expect(variable.read('demo/', 'PIPELINE_TOPIC_PREFIX')).toEqual({
      ok: false,
      problem: "PIPELINE_TOPIC_PREFIX=demo/ may only use letters, digits, '.', '_' and '-'",
    });
  });
});
