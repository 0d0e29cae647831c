#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createLogger, runService } from '@pipeline/common';
import { isUnknownTopic } from '@pipeline/kafka';
import { loadConfig, type MockAgentsConfig } from './config.js';
import { createMockAgents } from './mock-agents.js';

// The package's entry: the programmatic API for the demo and tests, and the process when run.
export { createMockAgent, type MockAgent, type MockAgentOptions } from './agent.js';
export {
  describeMockAgentsEnv,
  loadConfig,
  MOCK_AGENTS_ENV,
  type MockAgentsConfig,
  ROLE_ENV,
  type RoleSettings,
  roleEnvKey,
  roleEnvName,
} from './config.js';
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
  const logger = createLogger({ level: config.logLevel, bindings: { service: 'mock-agents' } });
  const handle = createMockAgents(config, { logger });
  await runService({
    logger,
    graceMs: SHUTDOWN_GRACE_MS,
    async start() {
      const { roles, topicPrefix, groupPrefix, plannerTasks, settings } = config;
      logger.info(
        { roles, topicPrefix, groupPrefix, brokers: config.kafka.brokers, plannerTasks, settings },
        'mock agents starting',
      );
      try {
        await handle.start();
      } catch (error) {
        const hint = isUnknownTopic(error)
          ? 'a command topic does not exist: the orchestrator creates the topics (ORCH_PROVISION_TOPICS), ' +
            'and PIPELINE_TOPIC_PREFIX must be the same for both'
          : undefined;
        logger.error({ err: error, ...(hint ? { hint } : {}) }, 'mock agents failed to start');
        throw error;
      }
      logger.info({ roles }, 'mock agents running');
    },
    stop: () => handle.stop(),
  });
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
