import { ConfigError, type KafkaConfig, kafkaConfigFromEnv } from '@pipeline/kafka';
import { Kafka, logLevel, type SASLOptions } from 'kafkajs';
import { CliError, EXIT, isKafkaConnectionError, kafkaUnreachable } from './errors.js';

/**
 * A command-line tool should fail fast when the broker is down, not retry for a minute as a service
 * does: few retries with short waits, so an unreachable broker is reported within ~10 s
 * (3 attempts × the connection timeout at worst, well under a second when the port is closed).
 */
const CLI_RETRY = { retries: 2, initialRetryTime: 300, maxRetryTime: 2000, factor: 0.2, multiplier: 2 };
const CLI_REQUEST_TIMEOUT_MS = 10_000;

/** KAFKA_* settings from the environment; a bad or missing one is a configuration error (exit 2). */
export function kafkaConfig(env: NodeJS.ProcessEnv, clientId = 'pipeline-cli'): KafkaConfig {
  try {
    return kafkaConfigFromEnv(env, { clientId });
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message, EXIT.usage);
    throw error;
  }
}

/** `PIPELINE_TOPIC_PREFIX`, checked as the orchestrator checks it. */
export function topicPrefix(env: NodeJS.ProcessEnv): string {
  const prefix = env.PIPELINE_TOPIC_PREFIX?.trim() ?? '';
  if (prefix && !/^[A-Za-z0-9._-]+$/.test(prefix)) {
    throw new CliError(
      `PIPELINE_TOPIC_PREFIX=${prefix} may only use letters, digits, '.', '_' and '-'`,
      EXIT.usage,
    );
  }
  return prefix;
}

/**
 * The kafkajs client of the CLI. Its own logs are silenced (a connection failure would otherwise
 * print several ERROR lines before our one-line message) unless LOG_LEVEL=debug.
 */
export function cliKafka(config: KafkaConfig, env: NodeJS.ProcessEnv = process.env): Kafka {
  return new Kafka({
    clientId: config.clientId,
    brokers: config.brokers,
    connectionTimeout: config.connectionTimeoutMs,
    requestTimeout: Math.min(config.requestTimeoutMs, CLI_REQUEST_TIMEOUT_MS),
    retry: CLI_RETRY,
    logLevel: env.LOG_LEVEL === 'debug' ? logLevel.INFO : logLevel.NOTHING,
    ...(config.ssl ? { ssl: { ...config.ssl } } : {}),
    ...(config.sasl ? { sasl: { ...config.sasl } as SASLOptions } : {}),
  });
}

/** Runs `fn`, turning "the broker cannot be reached" into the CLI's one-line message. */
export async function withBroker<T>(config: KafkaConfig, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof CliError) throw error;
    if (isKafkaConnectionError(error)) throw kafkaUnreachable(config.brokers);
    throw error;
  }
}
