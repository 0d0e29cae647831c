import { createLogger, EnvReader, isConfigError } from '@pipeline/common';
import {
  createKafkaClient,
  isUnreachable,
  type KafkaClient,
  type KafkaConfig,
  readKafkaConfig,
} from '@pipeline/kafka';
import { TOPIC_PREFIX_ENV, TopicNames } from '@pipeline/topics';
import { CliError, EXIT, kafkaUnreachable } from './errors.js';

/** What the Kafka commands need from the environment: the cluster and the topic prefix. */
export interface KafkaSettings {
  config: KafkaConfig;
  prefix: string;
  names: TopicNames;
}

/** KAFKA_* and PIPELINE_TOPIC_PREFIX from the environment; a bad or missing one is a usage error (exit 2). */
export function kafkaSettings(env: NodeJS.ProcessEnv, clientId: string): KafkaSettings {
  try {
    const reader = new EnvReader(env);
    const config = readKafkaConfig(reader, { clientId });
    const { PIPELINE_TOPIC_PREFIX: prefix } = reader.read(TOPIC_PREFIX_ENV);
    return reader.finish('Kafka configuration', { config, prefix, names: TopicNames.prefixed(prefix) });
  } catch (error) {
    if (isConfigError(error)) throw new CliError(error.message, EXIT.usage);
    throw error;
  }
}

/**
 * The client of a command-line tool: it fails fast when the broker is down, not after a minute as a
 * service does, and its own logs are silent (a connection failure would otherwise print several
 * ERROR lines before our one-line message) unless LOG_LEVEL=debug, which sends them to stderr.
 */
export function cliClient(config: KafkaConfig, env: NodeJS.ProcessEnv = process.env): KafkaClient {
  const logger =
    env.LOG_LEVEL === 'debug' ? createLogger({ level: 'debug', destination: process.stderr }) : undefined;
  return createKafkaClient(config, { profile: 'cli', ...(logger ? { logger } : {}) });
}

/** Runs `fn`, turning "the broker cannot be reached" into the one-line message. */
export async function withBroker<T>(config: KafkaConfig, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof CliError) throw error;
    if (isUnreachable(error)) throw kafkaUnreachable(config.brokers);
    throw error;
  }
}
