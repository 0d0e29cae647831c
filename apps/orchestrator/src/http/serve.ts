import { hostname } from 'node:os';
import type { Logger } from '@pipeline/common';
import type { OrchestratorConfig } from '../config.js';
import type { Orchestrator } from '../runtime/orchestrator.js';
import { type HttpServer, startHttpServer } from './server.js';

/**
 * The orchestrator's HTTP server, wired to the orchestrator, and the address it advertises to the
 * other instances (ORCH_ADVERTISED_URL, else made from where it listens). Before orchestrator.start,
 * so that the first join already tells the group where this instance answers.
 */
export async function serveOrchestrator(
  orchestrator: Orchestrator,
  config: Pick<OrchestratorConfig, 'http'>,
  options: { logger?: Logger; listen?: { host: string; port: number } } = {},
): Promise<HttpServer> {
  const server = await startHttpServer(
    {
      registry: orchestrator.metrics.registry,
      live: () => orchestrator.isLive(),
      ready: () => orchestrator.readiness(),
      getRequest: (id) => orchestrator.getRequest(id),
      listCandidates: (query, partitions) => orchestrator.listCandidates(query, partitions),
      routing: orchestrator.routing,
      token: config.http.token,
      ...(options.logger ? { logger: options.logger } : {}),
    },
    options.listen ?? config.http,
  );
  orchestrator.advertise(config.http.advertisedUrl ?? advertisedUrl(server.host, server.port));
  return server;
}

/** `http://host:port`; a server on every interface is reached by the machine's name. */
export function advertisedUrl(host: string, port: number): string {
  const name = host === '0.0.0.0' || host === '::' ? hostname() : host;
  return `http://${name.includes(':') ? `[${name}]` : name}:${port}`;
}
