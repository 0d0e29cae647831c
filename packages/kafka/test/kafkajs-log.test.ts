import type { Logger } from '@pipeline/common';
import { logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { kafkajsLogForwarder, levelOf } from '../src/kafkajs-log.js';

const entry = (level: logLevel, message: string, error?: string) => ({
  level,
  log: { message, timestamp: '', logger: 'kafkajs', ...(error ? { error } : {}) },
});

// Issue 10, finding 16: every start logged kafkajs ERROR lines for routine, retried events and a
// warning per transactional producer; an operator learns to ignore the log.
describe('kafkajs log levels', () => {
  it.each([
    'This server does not host this topic-partition',
    'This is not the correct coordinator for this group',
    'There is no leader for this topic-partition as we are in the middle of a leadership election',
    'The producer attempted to update a transaction while another concurrent operation on the same transaction was ongoing',
  ])('a retried protocol error is debug: %s', (error) => {
    expect(levelOf(entry(logLevel.ERROR, 'Response Metadata(key: 3, version: 6)', error))).toBe('debug');
  });

  it('a retried protocol error quoted in the message is debug', () => {
    const message =
      'Failed to commit: The producer attempted to update a transaction while another concurrent operation on the same transaction was ongoing';
    expect(levelOf(entry(logLevel.ERROR, message))).toBe('debug');
  });

  it('the warning about limited retries of idempotent producers is debug (deliberate)', () => {
    const message = 'Limiting retries for the idempotent producer may invalidate EoS guarantees';
    expect(levelOf(entry(logLevel.WARN, message))).toBe('debug');
  });

  it('errors that are not retried stay errors; warnings stay warnings; info is debug', () => {
    const denied = 'Not authorized to access topics: [Topic authorization failed]';
    expect(levelOf(entry(logLevel.ERROR, 'Response Produce(key: 0, version: 7)', denied))).toBe('error');
    expect(levelOf(entry(logLevel.ERROR, 'Crash: KafkaJSNumberOfRetriesExceeded'))).toBe('error');
    expect(levelOf(entry(logLevel.WARN, 'something odd'))).toBe('warn');
    expect(levelOf(entry(logLevel.INFO, 'Consumer has joined the group'))).toBe('debug');
  });
});

// Issue 11, open finding: a broker outage (single-broker-stop-15s) logged ~85 kafkajs ERROR lines per
// process, most "Connection error: connect ECONNREFUSED", for a fault the clients ride out.
describe('kafkajs log levels during a broker outage', () => {
  const refused = 'Connection error: connect ECONNREFUSED 127.0.0.1:36633';
  it.each([
    refused,
    `Failed to connect to seed broker, trying another broker from the list: ${refused}`,
    `Crash: KafkaJSNumberOfRetriesExceeded: ${refused}`,
    `Crash: KafkaJSNonRetriableError: ${refused}`,
    'Restarting the consumer in 6444ms',
    'Connection timeout',
  ])('a connection failure is a warning, not an error: %s', (message) => {
    expect(levelOf(entry(logLevel.ERROR, message))).toBe('warn');
  });

  it('a heartbeat answered "rebalancing" is debug (the member rejoins)', () => {
    const rebalancing = 'The group is rebalancing, so a rejoin is needed';
    expect(levelOf(entry(logLevel.ERROR, 'Response Heartbeat(key: 12, version: 3)', rebalancing))).toBe(
      'debug',
    );
  });

  it('says a broker refusing connections once per broker and minute, then at debug', () => {
    const lines: Array<[string, string]> = [];
    const logger = Object.fromEntries(
      ['error', 'warn', 'info', 'debug'].map((level) => [
        level,
        (_fields: object, message: string) => lines.push([level, message]),
      ]),
    ) as unknown as Logger;
    let now = 0;
    const forward = kafkajsLogForwarder(logger, () => now);
    const refusedBy = (broker: string) => ({
      namespace: 'Connection',
      level: logLevel.ERROR,
      label: 'ERROR',
      log: {
        message: `Connection error: connect ECONNREFUSED ${broker}`,
        broker,
        timestamp: '',
        logger: 'kafkajs',
      },
    });
    const seedFailed = (broker: string) => ({
      namespace: 'BrokerPool',
      level: logLevel.ERROR,
      label: 'ERROR',
      log: {
        message: `Failed to connect to seed broker, trying another broker from the list: Connection error: connect ECONNREFUSED ${broker}`,
        timestamp: '',
        logger: 'kafkajs',
      },
    });
    forward(refusedBy('127.0.0.1:1'));
    forward(refusedBy('127.0.0.1:1'));
    forward(seedFailed('127.0.0.1:1'));
    forward(refusedBy('127.0.0.1:2'));
    forward(entry(logLevel.ERROR, 'Crash: KafkaJSNoBrokerAvailableError: No broker available') as never);
    now = 61_000;
    forward(refusedBy('127.0.0.1:1'));
    expect(lines.map(([level]) => level)).toEqual(['warn', 'debug', 'debug', 'warn', 'warn', 'warn']);
  });
});
