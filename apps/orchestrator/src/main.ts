#!/usr/bin/env node
import { createLogger, isConfigError, runService } from '@pipeline/common';
import { createKafkaClient } from '@pipeline/kafka';
import { loadConfig } from './config.js';
import { serveOrchestrator } from './http/serve.js';
import type { HttpServer } from './http/server.js';
import { Orchestrator } from './runtime/orchestrator.js';

/**
 * The orchestrator process: configuration (validated first, so a bad setting stops it at once with
 * a message saying what to fix, exit 2), JSON logs, the HTTP server, the orchestrator, and a
 * graceful stop on SIGINT/SIGTERM within ORCH_SHUTDOWN_GRACE.
 */
let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(isConfigError(error) ? 2 : 1);
}
const logger = createLogger({ level: config.logLevel, bindings: { service: 'orchestrator' } });
const client = createKafkaClient(config.kafka, { logger });
const orchestrator = new Orchestrator(config, { client, logger });
let server: HttpServer | undefined;

await runService({
  logger,
  graceMs: config.shutdownGraceMs,
  async start() {
    server = await serveOrchestrator(orchestrator, config, { logger });
    logger.info(
      {
        host: server.host,
        port: server.port,
        advertised: orchestrator.routing.self(),
        requestsNeedToken: config.http.token !== undefined,
      },
      'http listening (/metrics /healthz /readyz /requests/{id})',
    );
    await orchestrator.start();
  },
  async stop() {
    await orchestrator.stop();
    await server?.close();
  },
});
