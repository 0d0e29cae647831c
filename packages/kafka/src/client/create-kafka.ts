import { Kafka, type LogEntry, logLevel, type SASLOptions } from 'kafkajs';
import type { KafkaConfig } from '../config/kafka-config.js';
import { ConfigError } from '../errors/config-error.js';
import { type Logger, noopLogger } from '../logging/logger.js';

export type { Kafka } from 'kafkajs';

/**
 * kafkajs' own retry of each request. `retries` is left at kafkajs' default (5) on purpose: setting
 * it makes kafkajs warn on every idempotent producer ("limiting retries ... may invalidate EoS"),
 * and leaving the idempotent producer at its own default (retry forever) would hang a send while the
 * cluster is down. Longer patience lives in `withRetry` around whole operations.
 */
const CLIENT_RETRY = { initialRetryTime: 300, maxRetryTime: 30_000, factor: 0.2, multiplier: 2 };

/**
 * Creates the kafkajs client. Its logs go to `logger`: kafkajs logs routine events (joins, leaves,
 * connects) at INFO, which is noise for an operator, so INFO becomes debug; WARN and ERROR stay.
 */
export function createKafka(config: KafkaConfig, logger: Logger = noopLogger): Kafka {
  validate(config);
  const kafkaLogger = logger.child({ component: 'kafkajs' });
  return new Kafka({
    clientId: config.clientId,
    brokers: config.brokers,
    // kafkajs DEBUG logs every request; INFO and above is what is worth forwarding.
    logLevel: logLevel.INFO,
    logCreator: () => (entry) => forward(kafkaLogger, entry),
    connectionTimeout: config.connectionTimeoutMs,
    requestTimeout: config.requestTimeoutMs,
    retry: CLIENT_RETRY,
    ...(config.ssl ? { ssl: { ...config.ssl } } : {}),
    // kafkajs' SASLOptions is a union per mechanism; our mechanisms are a subset of its.
    ...(config.sasl ? { sasl: { ...config.sasl } as SASLOptions } : {}),
  });
}

/**
 * Errors kafkajs logs at ERROR although it retries them itself and they are routine: a transaction
 * started right after the previous commit meets CONCURRENT_TRANSACTIONS for a few ms. Logged at
 * debug, so a healthy service's log stays quiet; a retry that finally fails still surfaces as an
 * exception to the caller.
 */
const ROUTINE_RETRIED = [/concurrent operation on the same transaction/i];

function forward(logger: Logger, entry: LogEntry): void {
  const { message, timestamp: _timestamp, ...fields } = entry.log;
  const obj = { namespace: entry.namespace, ...fields };
  const error = typeof fields.error === 'string' ? fields.error : '';
  const routine = ROUTINE_RETRIED.some((pattern) => pattern.test(error));
  switch (routine ? logLevel.DEBUG : entry.level) {
    case logLevel.ERROR:
      logger.error(obj, message);
      break;
    case logLevel.WARN:
      logger.warn(obj, message);
      break;
    default:
      logger.debug(obj, message);
  }
}

/** A KafkaConfig may be built by hand instead of from the environment; check it where it enters. */
function validate(config: KafkaConfig): void {
  const problems: string[] = [];
  if (!Array.isArray(config.brokers) || config.brokers.length === 0)
    problems.push('brokers must list at least one host:port');
  if (!config.clientId) problems.push('clientId must not be empty');
  for (const [name, value] of [
    ['connectionTimeoutMs', config.connectionTimeoutMs],
    ['requestTimeoutMs', config.requestTimeoutMs],
  ] as const) {
    if (!Number.isInteger(value) || value < 1)
      problems.push(`${name} must be a whole number >= 1, got ${value}`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
}
