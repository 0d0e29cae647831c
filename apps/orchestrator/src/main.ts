#!/usr/bin/env node
import { createKafka, type Logger } from '@pipeline/kafka';
import { pino } from 'pino';
import { loadConfig } from './config.js';
import { createHttpServer, listen } from './http/server.js';
import { Orchestrator } from './runtime/orchestrator.js';

/**
 * The orchestrator process: configuration (validated first, so a bad setting stops it at once
 * with a message saying what to fix), JSON logs (pino), the HTTP server, the orchestrator, and
 * graceful shutdown on SIGINT/SIGTERM within a bounded time.
 */
async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  }
  const logger = pino({ level: config.logLevel, base: { service: 'orchestrator' } }) as unknown as Logger;
  const kafka = createKafka(config.kafka, logger.child({ component: 'kafkajs' }));
  const orchestrator = new Orchestrator(config, { kafka, logger });
  const server = createHttpServer({
    registry: orchestrator.metrics.registry,
    live: () => orchestrator.isLive(),
    ready: () => orchestrator.readiness(),
    getRequest: (id) => orchestrator.getRequest(id),
  });
  const address = await listen(server, config.http.host, config.http.port);
  logger.info(
    { host: address.address, port: address.port },
    'http listening (/metrics /healthz /readyz /requests/{id})',
  );

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, graceMs: config.shutdownGraceMs }, 'shutting down');
    const force = setTimeout(() => {
      logger.error({ graceMs: config.shutdownGraceMs }, 'shutdown grace expired; exiting anyway');
      process.exit(1);
    }, config.shutdownGraceMs);
    force.unref();
    await orchestrator.stop();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    clearTimeout(force);
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  try {
    await orchestrator.start();
  } catch (error) {
    logger.error({ err: error }, 'orchestrator failed to start');
    server.close();
    process.exit(1);
  }
}

void main();
