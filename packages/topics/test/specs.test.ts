import { describe, expect, it } from 'vitest';
import { ALL_TOPICS, DLQ, STATE, topicSpecs } from '../src/index.js';

describe('topic specs', () => {
  it('gives every topic one spec with the same partition count', () => {
    const specs = topicSpecs({ partitions: 6 });
    expect(specs.map((s) => s.name)).toEqual([...ALL_TOPICS]);
    expect(new Set(specs.map((s) => s.partitions))).toEqual(new Set([6]));
  });

  it('compacts the state topic and never deletes it by age', () => {
    const state = topicSpecs().find((s) => s.name === STATE);
    expect(state?.configs['cleanup.policy']).toBe('compact');
    expect(state?.configs['retention.ms']).toBeUndefined();
  });

  it('keeps dead letters longer than pipeline messages', () => {
    const specs = topicSpecs({ retentionMs: 1000, deadLetterRetentionMs: 5000 });
    expect(specs.find((s) => s.name === DLQ)?.configs['retention.ms']).toBe('5000');
    expect(specs.find((s) => s.name === 'plan.out')?.configs['retention.ms']).toBe('1000');
  });

  it('never asks for more in-sync replicas than there are replicas', () => {
    expect(topicSpecs({ replicationFactor: 1 })[0]?.configs['min.insync.replicas']).toBe('1');
    expect(topicSpecs({ replicationFactor: 3 })[0]?.configs['min.insync.replicas']).toBe('2');
  });

  it('rejects options that cannot make a topic', () => {
    expect(() => topicSpecs({ partitions: 0 })).toThrow(/partitions must be a whole number >= 1, got 0/);
    expect(() => topicSpecs({ replicationFactor: 1.5 })).toThrow(/replicationFactor/);
  });
});
