#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { jsonLogger } from '@pipeline/kafka';
import { loadConfig, type MockAgentsConfig } from './config.js';
import { createMockAgents } from './mock-agents.js';

// The package's entry: the programmatic API for the demo and tests, and the process when run.
export {
  createMockAgent,
  type MockAgent,
  type MockAgentOptions,
  outcomeOf,
  replyRecords,
} from './agent.js';
export {
  type EnvVar,
  loadConfig,
  MOCK_AGENTS_ENV,
  type MockAgentsConfig,
  type RoleSettings,
  roleEnvKey,
  roleEnvName,
} from './config.js';
export * from './failure-markers.js';
export {
  createMockAgents,
  type MockAgentsDeps,
  type MockAgentsHandle,
  startMockAgents,
} from './mock-agents.js';
export * from './roles/index.js';

/** On SIGINT/SIGTERM: how long stopping may take before the process exits anyway. */
export const SHUTDOWN_GRACE_MS = 10_000;

/**
 * The process: configuration first (a bad setting → the list of problems on stderr, exit 2), JSON
 * logs on stdout, every configured role, and a clean stop on SIGINT/SIGTERM (exit 0; exit 1 when
 * stopping takes longer than SHUTDOWN_GRACE_MS or the agents cannot start).
 */
async function main(): Promise<void> {
  let config: MockAgentsConfig;
  try {
    config = loadConfig();
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  }
  const logger = jsonLogger({ level: config.logLevel, bindings: { service: 'mock-agents' } });
  const handle = createMockAgents(config, { logger });

  let stopping = false;
  const shutdown = async (signal: string, code: number) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, graceMs: SHUTDOWN_GRACE_MS }, 'shutting down');
    const force = setTimeout(() => {
      logger.error({ graceMs: SHUTDOWN_GRACE_MS }, 'stopping took too long; exiting anyway');
      process.exit(1);
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    try {
      await handle.stop();
    } catch (error) {
      logger.error({ err: error }, 'error while stopping');
      code = 1;
    }
    clearTimeout(force);
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown('SIGINT', 0));
  process.on('SIGTERM', () => void shutdown('SIGTERM', 0));

  logger.info(
    {
      roles: config.roles,
      topicPrefix: config.topicPrefix,
      groupPrefix: config.groupPrefix,
      brokers: config.kafka.brokers,
      plannerTasks: config.plannerTasks,
      settings: config.settings,
    },
    'mock agents starting',
  );
  try {
    await handle.start();
    logger.info({ roles: config.roles }, 'mock agents running');
  } catch (error) {
    if (stopping) return;
    const missingTopic = /topic-partition|unknown topic/i.test(error instanceof Error ? error.message : '');
    const hint = missingTopic
      ? 'a command topic does not exist: the orchestrator creates the topics (ORCH_PROVISION_TOPICS), ' +
        'and PIPELINE_TOPIC_PREFIX must be the same for both'
      : undefined;
    logger.error({ err: error, ...(hint ? { hint } : {}) }, 'mock agents failed to start');
    await shutdown('start failure', 1);
  }
}

/** True when this file is the process's entry (node dist/main.js, or the bin link), not an import. */
function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

if (isEntryPoint()) void main();
