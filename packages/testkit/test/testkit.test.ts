import { afterEach, describe, expect, it, vi } from 'vitest';
import { kafkaBootstrap, kafkaBrokers, testBrokerConfig, uniqueName } from '../src/index.js';

describe('testkit', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('gives names no other test uses', () => {
    const names = new Set(Array.from({ length: 1000 }, () => uniqueName('t')));
    expect(names.size).toBe(1000);
    for (const name of names) expect(name).toMatch(/^t-[0-9a-z]+-[0-9a-f]{8}$/);
  });

  it('takes the broker of the run from KAFKA_BOOTSTRAP', () => {
    vi.stubEnv('KAFKA_BOOTSTRAP', ' a:1, b:2 ');
    expect(kafkaBootstrap()).toBe('a:1, b:2');
    expect(kafkaBrokers()).toEqual(['a:1', 'b:2']);
    expect(testBrokerConfig('c')).toEqual({
      brokers: ['a:1', 'b:2'],
      clientId: 'c',
      connectionTimeoutMs: 3000,
      requestTimeoutMs: 30_000,
    });
  });
});
