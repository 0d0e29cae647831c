import { logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { levelOf } from '../src/kafkajs-log.js';

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
