import type { Logger } from '@pipeline/common';
import { createKafkaClient, type KafkaClient } from '@pipeline/kafka';
import { createMockAgent, type MockAgent } from './agent.js';
import type { MockAgentsConfig } from './config.js';
import type { Rng } from './roles/index.js';

export interface MockAgentsDeps {
  logger: Logger;
  /** A client to share (e.g. a test's); default: one made from `config.kafka`. */
  client?: KafkaClient;
  /** Random failures and think-time jitter; default Math.random. */
  rng?: Rng;
}

export interface MockAgentsHandle {
  /** One agent per configured role. */
  readonly agents: readonly MockAgent[];
  /** Starts every agent; if one cannot start, stops the others and rejects. */
  start(): Promise<void>;
  /** Stops every agent (in parallel). Idempotent; safe while `start()` is still running. */
  stop(): Promise<void>;
}

/** The agents of the configured roles, not started yet. */
export function createMockAgents(config: MockAgentsConfig, deps: MockAgentsDeps): MockAgentsHandle {
  const client = deps.client ?? createKafkaClient(config.kafka, { logger: deps.logger });
  const agents = config.roles.map((role) =>
    createMockAgent({
      role,
      client,
      logger: deps.logger,
      topicPrefix: config.topicPrefix,
      groupPrefix: config.groupPrefix,
      thinkMs: config.settings[role].thinkMs,
      failureRate: config.settings[role].failureRate,
      plannerTasks: config.plannerTasks,
      fromBeginning: config.fromBeginning,
      concurrency: config.concurrency,
      ...(deps.rng ? { rng: deps.rng } : {}),
    }),
  );
  let stopPromise: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopPromise ??= Promise.allSettled(agents.map((agent) => agent.stop())).then((results) => {
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    });
    return stopPromise;
  };
  return {
    agents,
    async start() {
      const results = await Promise.allSettled(agents.map((agent) => agent.start()));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) {
        await stop().catch(() => {});
        throw failed.reason;
      }
    },
    stop,
  };
}

/**
 * Runs the configured roles in this process (the demo and the end-to-end tests do this):
 * resolves once every agent consumes.
 */
export async function startMockAgents(
  config: MockAgentsConfig,
  deps: MockAgentsDeps,
): Promise<MockAgentsHandle> {
  const handle = createMockAgents(config, deps);
  await handle.start();
  return handle;
}
