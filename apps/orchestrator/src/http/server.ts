import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RequestView } from '@pipeline/orchestrator-api';
import type { Registry } from 'prom-client';
import type { RequestRecord } from '../domain/request-record.js';
import { toRequestView } from './request-view.js';

export interface HttpDeps {
  registry: Registry;
  /** Liveness: the process works (event loop turns, not shutting down). */
  live: () => boolean;
  /** Readiness: connected, in the group, every owned partition restored. */
  ready: () => { ready: boolean; detail: Record<string, unknown> };
  getRequest: (id: string) => RequestRecord | undefined;
}

/**
 * The orchestrator's HTTP surface: /metrics (Prometheus), /healthz, /readyz and
 * GET /requests/{id}. Plain node:http: four routes do not need a framework.
 */
export function createHttpServer(deps: HttpDeps): Server {
  return createServer((req, res) => {
    handle(deps, req, res).catch((error: unknown) => {
      send(res, 500, { error: error instanceof Error ? error.message : String(error) });
    });
  });
}

export async function listen(server: Server, host: string, port: number): Promise<AddressInfo> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server.address() as AddressInfo;
}

async function handle(deps: HttpDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { error: 'only GET' });
  if (url.pathname === '/metrics') {
    const body = await deps.registry.metrics();
    res.writeHead(200, { 'content-type': deps.registry.contentType });
    res.end(body);
    return;
  }
  if (url.pathname === '/healthz') return send(res, deps.live() ? 200 : 503, { live: deps.live() });
  if (url.pathname === '/readyz') {
    const { ready, detail } = deps.ready();
    return send(res, ready ? 200 : 503, { ready, ...detail });
  }
  const match = /^\/requests\/([^/]+)$/.exec(url.pathname);
  if (match?.[1]) {
    const id = decodeURIComponent(match[1]);
    const record = deps.getRequest(id);
    if (!record) return send(res, 404, { error: `no change request ${id}` });
    const view: RequestView = toRequestView(record);
    return send(res, 200, view);
  }
  send(res, 404, { error: 'not found', routes: ['/metrics', '/healthz', '/readyz', '/requests/{id}'] });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(`${JSON.stringify(body)}\n`);
}
