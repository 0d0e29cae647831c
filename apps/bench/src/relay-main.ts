#!/usr/bin/env node
// The relay as a process (`pipeline-bench-relay`), so the benchmark measures its CPU and memory the
// same way as the orchestrator's. Configured by the environment (relay/config.ts).

import { createLogger, runService } from '@pipeline/common';
import { createKafkaClient } from '@pipeline/kafka';
import { TopicNames } from '@pipeline/topics';
import { loadRelayConfig, type RelayConfig } from './relay/config.js';
import { type Relay, startRelay } from './relay/run-relay.js';

let config: RelayConfig;
try {
  config = loadRelayConfig();
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
}
const logger = createLogger({ level: config.logLevel, bindings: { service: `relay-${config.mode}` } });
const client = createKafkaClient(config.kafka, { logger });
let relay: Relay | undefined;
await runService({
  logger,
  graceMs: 10_000,
  async start() {
    relay = await startRelay({
      client,
      names: TopicNames.prefixed(config.topicPrefix),
      mode: config.mode,
      groupId: `${config.topicPrefix}relay`,
      tasks: config.tasks,
      concurrency: config.concurrency,
      logger,
    });
    logger.info({ mode: config.mode, prefix: config.topicPrefix }, 'relay running');
  },
  stop: async () => relay?.stop(),
});
