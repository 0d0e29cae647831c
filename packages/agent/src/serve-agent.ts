// serveAgent: an agent as a whole process. Settings from the environment (the same KAFKA_* and
// PIPELINE_TOPIC_PREFIX as every service, LOG_LEVEL), JSON logs on stdout, and a clean stop on
// SIGINT/SIGTERM: what a real agent's main file would otherwise repeat.

import { createLogger, EnvReader, LOG_LEVEL_ENV, type Logger, runService } from '@pipeline/common';
import { createKafkaClient, readKafkaConfig } from '@pipeline/kafka';
import { type AgentRole, TOPIC_PREFIX_ENV } from '@pipeline/topics';
import type { AgentOptions } from './options.js';
import { createAgent } from './run-agent.js';

/** What serveAgent needs besides runAgent's options: the client, logger and prefix come from the environment. */
export type ServeAgentOptions<R extends AgentRole> = Omit<
  AgentOptions<R>,
  'client' | 'logger' | 'topicPrefix'
> & {
  /** Default process.env. */
  environment?: NodeJS.ProcessEnv;
};

/**
 * Runs the agent of one role as the process: bad settings print what to fix and exit 2; the process
 * exits 0 after a clean stop (1 when it cannot start, or stopping outlasts the grace plus 5 s).
 */
export async function serveAgent<R extends AgentRole>(options: ServeAgentOptions<R>): Promise<number> {
  const { environment = process.env, ...agentOptions } = options;
  const reader = new EnvReader(environment);
  let settings: ReturnType<typeof readSettings>;
  try {
    settings = reader.finish('agent settings', readSettings(reader, String(options.role)));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  }
  const logger: Logger = createLogger({
    level: settings.logLevel,
    bindings: { service: `agent-${options.role}` },
  });
  const agent = createAgent({
    ...agentOptions,
    client: createKafkaClient(settings.kafka, { logger }),
    logger,
    topicPrefix: settings.prefix,
  } as AgentOptions<R>);
  return runService({
    logger,
    graceMs: (options.shutdownGraceMs ?? 10_000) + 5000,
    start: () => agent.start(),
    stop: () => agent.stop(),
  });
}

function readSettings(reader: EnvReader, role: string) {
  const kafka = readKafkaConfig(reader, { clientId: `agent-${role}` });
  const { PIPELINE_TOPIC_PREFIX: prefix } = reader.read(TOPIC_PREFIX_ENV);
  const { LOG_LEVEL: logLevel } = reader.read(LOG_LEVEL_ENV);
  return { kafka, prefix, logLevel };
}
