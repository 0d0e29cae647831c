import { ConfigError, type Logger } from '@pipeline/common';
import { describe, expect, it } from 'vitest';
import { kafkajsOf } from '../src/client.js';
import { createKafkaClient } from '../src/index.js';

interface Entry {
  level: string;
  obj: Record<string, unknown>;
  msg: string | undefined;
}

function capture(): { logger: Logger; entries: Entry[] } {
  const entries: Entry[] = [];
  const make = (bindings: Record<string, unknown>): Logger => {
    const at =
      (level: string) =>
      (obj: object, msg?: string): void => {
        entries.push({ level, obj: { ...bindings, ...obj }, msg });
      };
    return {
      debug: at('debug'),
      info: at('info'),
      warn: at('warn'),
      error: at('error'),
      child: (b) => make({ ...bindings, ...b }),
    };
  };
  return { logger: make({}), entries };
}

const config = {
  brokers: ['localhost:9092'],
  clientId: 'c',
  connectionTimeoutMs: 3000,
  requestTimeoutMs: 30000,
};

describe('createKafkaClient', () => {
  it('forwards kafkajs logs: INFO as debug, WARN and ERROR as they are, with the fields', () => {
    const { logger, entries } = capture();
    const kafkaLogger = kafkajsOf(createKafkaClient(config, { logger })).logger().namespace('Test');
    kafkaLogger.debug('not forwarded: kafkajs DEBUG is off');
    kafkaLogger.info('joined', { groupId: 'g' });
    kafkaLogger.warn('slow', { ms: 5 });
    kafkaLogger.error('broken', { error: 'x' });
    expect(entries.map((e) => [e.level, e.msg])).toEqual([
      ['debug', 'joined'],
      ['warn', 'slow'],
      ['error', 'broken'],
    ]);
    expect(entries[0]?.obj).toMatchObject({ component: 'kafkajs', namespace: 'Test', groupId: 'g' });
    expect(entries[0]?.obj).not.toHaveProperty('timestamp');
  });

  it('logs the CONCURRENT_TRANSACTIONS errors kafkajs retries itself at debug', () => {
    const { logger, entries } = capture();
    const kafkaLogger = kafkajsOf(createKafkaClient(config, { logger })).logger().namespace('Connection');
    kafkaLogger.error('Response AddPartitionsToTxn', {
      error:
        'The producer attempted to update a transaction while another concurrent operation on the same transaction was ongoing',
    });
    // Retried too (kafkajs marks it retriable), so debug; one that is not retried stays an error.
    kafkaLogger.error('Response Produce', {
      error: 'This server is not the leader for that topic-partition',
    });
    kafkaLogger.error('Response Produce', { error: 'Topic authorization failed' });
    expect(entries.map((e) => e.level)).toEqual(['debug', 'debug', 'error']);
  });

  it('validates a hand-made config', () => {
    expect(() => createKafkaClient({ ...config, brokers: [], clientId: '', requestTimeoutMs: 0 })).toThrow(
      ConfigError,
    );
    expect(() => createKafkaClient({ ...config, connectionTimeoutMs: 1.5 })).toThrow(
      /connectionTimeoutMs must be a whole number/,
    );
  });

  it('accepts TLS and SASL settings', () => {
    expect(() =>
      createKafkaClient({
        ...config,
        ssl: { rejectUnauthorized: true },
        sasl: { mechanism: 'scram-sha-512', username: 'u', password: 'p' },
      }),
    ).not.toThrow();
  });
});
