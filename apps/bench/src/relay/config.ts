import { EnvReader, env, LOG_LEVEL_ENV, type LogLevel } from '@pipeline/common';
import { type KafkaConfig, readKafkaConfig } from '@pipeline/kafka';
import { TOPIC_PREFIX_ENV } from '@pipeline/topics';
import type { RelayMode } from './run-relay.js';

/** The relay process's variables besides KAFKA_* and PIPELINE_TOPIC_PREFIX. */
export const RELAY_ENV = {
  RELAY_MODE: env.oneOf(['transactional', 'plain'] as const, {
    description: 'transactional (exactly once, like the orchestrator) or plain (at least once)',
    default: 'transactional',
  }),
  RELAY_TASKS: env.int({
    description: 'tasks per plan, as the stub planner makes them (1–1000)',
    default: 3,
    min: 1,
    max: 1000,
  }),
  RELAY_CONCURRENCY: env.int({
    description: 'input partitions handled at once (1–1000)',
    default: 12,
    min: 1,
    max: 1000,
  }),
  ...LOG_LEVEL_ENV,
} as const;

export interface RelayConfig {
  kafka: KafkaConfig;
  mode: RelayMode;
  tasks: number;
  concurrency: number;
  topicPrefix: string;
  logLevel: LogLevel;
}

/** Reads and validates the relay's configuration; every problem at once, each naming what to fix. */
export function loadRelayConfig(source: NodeJS.ProcessEnv = process.env): RelayConfig {
  const reader = new EnvReader(source);
  const kafka = readKafkaConfig(reader, { clientId: 'bench-relay' });
  const { PIPELINE_TOPIC_PREFIX } = reader.read(TOPIC_PREFIX_ENV);
  const v = reader.read(RELAY_ENV);
  reader.rejectUnknown(
    'RELAY_',
    Object.keys(RELAY_ENV),
    'the relay (known: RELAY_MODE, RELAY_TASKS, RELAY_CONCURRENCY)',
  );
  return reader.finish('relay configuration', {
    kafka,
    mode: v.RELAY_MODE,
    tasks: v.RELAY_TASKS,
    concurrency: v.RELAY_CONCURRENCY,
    topicPrefix: PIPELINE_TOPIC_PREFIX,
    logLevel: v.LOG_LEVEL,
  });
}
