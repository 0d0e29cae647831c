import { createRequire } from 'node:module';
import type { Logger } from '@pipeline/common';
import { type LogEntry, logLevel } from 'kafkajs';

/**
 * The messages of the protocol errors kafkajs itself marks retriable ("does not host this
 * topic-partition" right after a topic is created, "not the correct coordinator", leader elections,
 * concurrent transactions, ...). kafkajs' Connection logs every error response at ERROR, although the
 * request is retried: a healthy service would log errors at every start. What still fails after the
 * retries reaches our code as an exception, which is logged there. The table is kafkajs' own (an
 * internal module; kafkajs is pinned, and a test fails if the table moves).
 */
const RETRIABLE_MESSAGES: readonly string[] = (
  createRequire(import.meta.url)('kafkajs/src/protocol/error') as {
    errorCodes: Array<{ message: string; retriable: boolean }>;
  }
).errorCodes
  .filter((code) => code.retriable)
  .map((code) => code.message);

/** Warnings kafkajs prints for choices made on purpose. */
const DELIBERATE = [
  // The transactional producers limit retries on purpose (transactional-producer.ts: one try per
  // producer; a failed transaction restores the partition, which reads back what was committed), so
  // exactly-once holds at the orchestrator's level; kafkajs warns on every such producer.
  /Limiting retries for the idempotent producer may invalidate EoS guarantees/,
];

export type KafkajsLevel = 'error' | 'warn' | 'debug';

/** At which level a kafkajs log line reaches our logger: routine and deliberate things at debug. */
export function levelOf(entry: Pick<LogEntry, 'level' | 'log'>): KafkajsLevel {
  const { message, error } = entry.log as { message: string; error?: unknown };
  // The Connection puts the broker's message in `error`; the transaction code quotes it in `message`.
  const text = `${message} ${typeof error === 'string' ? error : ''}`;
  if (RETRIABLE_MESSAGES.some((retriable) => text.includes(retriable))) return 'debug';
  if (DELIBERATE.some((pattern) => pattern.test(message))) return 'debug';
  if (entry.level === logLevel.ERROR) return 'error';
  if (entry.level === logLevel.WARN) return 'warn';
  // kafkajs logs routine events (joins, leaves, connects) at INFO: noise for an operator.
  return 'debug';
}

/** Forwards one kafkajs log line to our logger, at the level levelOf says. */
export function forwardKafkajsLog(logger: Logger, entry: LogEntry): void {
  const { message, timestamp: _timestamp, ...fields } = entry.log;
  logger[levelOf(entry)]({ namespace: entry.namespace, ...fields }, message);
}
