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

/**
 * Protocol errors kafkajs marks non-retriable although a rejoin or a retry is the cure (errors.ts,
 * RETRIABLE_TYPES): the member rejoins by itself.
 */
const ALSO_ROUTINE = ['The group is rebalancing, so a rejoin is needed'];

/**
 * A broker that cannot be reached (stopped, restarting, partitioned away): the clients retry, then
 * restart their consumers, until it is back. A fault worth a warning, not an error per attempt.
 */
const CONNECTION_FAILED = /\bConnection (error|timeout)\b/;
const UNREACHABLE = [
  CONNECTION_FAILED,
  /\b(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EPIPE)\b/,
  /\bNo broker available\b/,
  /^Restarting the consumer in \d+ms\b/,
];

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
  if (ALSO_ROUTINE.some((routine) => text.includes(routine))) return 'debug';
  if (DELIBERATE.some((pattern) => pattern.test(message))) return 'debug';
  if (entry.level <= logLevel.WARN && UNREACHABLE.some((pattern) => pattern.test(text))) return 'warn';
  if (entry.level === logLevel.ERROR) return 'error';
  if (entry.level === logLevel.WARN) return 'warn';
  // kafkajs logs routine events (joins, leaves, connects) at INFO: noise for an operator.
  return 'debug';
}

/** How long a broker that refuses connections stays said: later lines about it are debug. */
export const UNREACHABLE_QUIET_MS = 60_000;

/**
 * A forwarder of kafkajs log lines to `logger`, at the level levelOf says; one per client. A broker
 * that cannot be reached makes every connection attempt log a line: the first per broker and minute
 * is a warning, the repeats are debug.
 */
export function kafkajsLogForwarder(
  logger: Logger,
  now: () => number = Date.now,
): (entry: Pick<LogEntry, 'namespace' | 'level' | 'log'>) => void {
  const saidAt = new Map<string, number>();
  return (entry) => {
    const { message, timestamp: _timestamp, ...fields } = entry.log;
    let level = levelOf(entry);
    // The Connection names the broker in a field, the BrokerPool only in its message.
    const named = (fields as { broker?: unknown }).broker;
    const broker = typeof named === 'string' ? named : /\b[\w.-]+:\d{1,5}\b/.exec(message)?.[0];
    if (level === 'warn' && broker !== undefined && CONNECTION_FAILED.test(message)) {
      const last = saidAt.get(broker);
      if (last !== undefined && now() - last < UNREACHABLE_QUIET_MS) level = 'debug';
      else saidAt.set(broker, now());
    }
    logger[level]({ namespace: entry.namespace, ...fields }, message);
  };
}
