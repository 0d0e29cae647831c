import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { freePort } from '@pipeline/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_ORCHESTRATOR_URL,
  fetchRequest,
  isOrchestratorApiError,
  isReady,
  ORCHESTRATOR_TOKEN_ENV,
  OrchestratorApiError,
  OrchestratorHttpError,
  OrchestratorUnreachableError,
  orchestratorToken,
  orchestratorUrl,
  type RequestView,
} from '../src/index.js';

const VIEW: RequestView = {
  v: 1,
  attempt: 1,
  id: 'cr 1/x',
  stage: 'regress',
  final: true,
  change: { requester: 'ann', repo: 'acme/shop', branch: 'main', description: 'add a badge' },
  ids: { plan: 'cr 1/x/plan', tasks: [{ id: 't1', status: 'SUCCESS', commit: 'abc' }] },
  failure: { stage: 'build1', reason: 'build_failed', detail: 'build 1 reported FAILED' },
  history: [
    { stage: 'idle', at: '2026-01-01T00:00:00.000Z' },
    { stage: 'regress', at: '2026-01-01T00:00:01.000Z' },
  ],
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:01.000Z',
};

describe('orchestratorUrl', () => {
  it('takes the flag, else ORCH_URL, else the default; without a trailing slash', () => {
    expect(orchestratorUrl('http://a:1/', { ORCH_URL: 'http://b:2' })).toBe('http://a:1');
    expect(orchestratorUrl(undefined, { ORCH_URL: ' http://b:2// ' })).toBe('http://b:2');
    expect(orchestratorUrl(undefined, { ORCH_URL: '  ' })).toBe(DEFAULT_ORCHESTRATOR_URL);
    expect(orchestratorUrl(undefined)).toBe('http://localhost:9300');
  });

  it.each([
    ['not a url', 'not a url is not a URL: use e.g. http://localhost:9300'],
    ['ftp://x', 'ftp://x is not an http(s) URL: use e.g. http://localhost:9300'],
  ])('%s is an INVALID_URL error', (raw, message) => {
    let error: unknown;
    try {
      orchestratorUrl(raw);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(OrchestratorApiError);
    expect(isOrchestratorApiError(error, 'INVALID_URL')).toBe(true);
    expect((error as Error).message).toBe(message);
  });
});

// A stand-in for the orchestrator's HTTP server.
describe('fetchRequest and isReady against an HTTP server', () => {
  let server: Server;
  let url: string;
  let ready = false;
  const paths: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      paths.push(req.url ?? '');
      if (req.url === '/readyz') {
        res.writeHead(ready ? 200 : 503);
        return res.end();
      }
      if (req.url === `/requests/${encodeURIComponent(VIEW.id)}`) {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(JSON.stringify(VIEW));
      }
      if (req.url === '/requests/cr-500') {
        res.writeHead(500, { 'content-type': 'application/json' });
        return res.end('{"error":"boom"}\n');
      }
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"error":"unknown"}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('reads a view, asking for the URL-encoded id', async () => {
    expect(await fetchRequest(url, VIEW.id)).toEqual(VIEW);
    expect(paths).toContain('/requests/cr%201%2Fx');
  });

  it('an unknown id (404) is undefined', async () => {
    expect(await fetchRequest(url, 'cr-unknown')).toBeUndefined();
  });

  it('another status is an OrchestratorHttpError with the status and the body', async () => {
    const error = await fetchRequest(url, 'cr-500').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OrchestratorHttpError);
    expect(error).toMatchObject({ code: 'HTTP_ERROR', status: 500, body: '{"error":"boom"}', url });
    expect((error as Error).message).toBe(`the orchestrator at ${url} answered HTTP 500: {"error":"boom"}`);
  });

  it('isReady is true only for a 200 from /readyz', async () => {
    ready = false;
    expect(await isReady(url)).toBe(false);
    ready = true;
    expect(await isReady(url)).toBe(true);
  });
});

describe('an orchestrator that does not answer', () => {
  it('fetchRequest throws OrchestratorUnreachableError with the reason; isReady is false', async () => {
    const url = `http://127.0.0.1:${await freePort('127.0.0.1')}`;
    const error = await fetchRequest(url, 'cr-1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OrchestratorUnreachableError);
    expect(isOrchestratorApiError(error, 'UNREACHABLE')).toBe(true);
    expect(isOrchestratorApiError(error, 'HTTP_ERROR')).toBe(false);
    expect((error as OrchestratorUnreachableError).reason).toBe('ECONNREFUSED');
    expect((error as Error).message).toBe(
      `cannot reach the orchestrator at ${url}: is it running? (ECONNREFUSED)`,
    );
    expect(await isReady(url)).toBe(false);
  });

  it('one that accepts but never answers is unreachable after the timeout', async () => {
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    try {
      const error = await fetchRequest(url, 'cr-1', { timeoutMs: 200 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OrchestratorUnreachableError);
      expect((error as OrchestratorUnreachableError).reason).toBe('no answer within 0.2 s');
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('errors are recognised by brand, not only by class', () => {
    expect(isOrchestratorApiError(new Error('x'))).toBe(false);
    expect(isOrchestratorApiError(undefined)).toBe(false);
    expect(isOrchestratorApiError(new OrchestratorUnreachableError('http://x', undefined))).toBe(true);
  });
});

describe('finding 13: the bearer token of GET /requests/{id}', () => {
  const TOKEN = 'a-token-of-32-characters-0123456';
  let server: Server;
  let url: string;
  const seen: Array<string | undefined> = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req.headers.authorization);
      if (req.headers.authorization !== `Bearer ${TOKEN}`) {
        res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer' });
        return res.end('{"error":"missing or wrong bearer token"}\n');
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(VIEW));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('takes the flag, else ORCH_HTTP_TOKEN, else none', () => {
    expect(ORCHESTRATOR_TOKEN_ENV).toBe('ORCH_HTTP_TOKEN');
    expect(orchestratorToken('flag', { ORCH_HTTP_TOKEN: 'env' })).toBe('flag');
    expect(orchestratorToken(undefined, { ORCH_HTTP_TOKEN: ' env ' })).toBe('env');
    expect(orchestratorToken(undefined, { ORCH_HTTP_TOKEN: ' ' })).toBeUndefined();
    expect(orchestratorToken(undefined)).toBeUndefined();
  });

  it('sends it as Authorization: Bearer', async () => {
    expect(await fetchRequest(url, VIEW.id, { token: TOKEN })).toEqual(VIEW);
    expect(seen.at(-1)).toBe(`Bearer ${TOKEN}`);
  });

  it('a 401 is an UNAUTHORIZED error that says which variable to set, without the token', async () => {
    const missing = await fetchRequest(url, VIEW.id).catch((e: unknown) => e);
    expect(seen.at(-1)).toBeUndefined();
    expect(isOrchestratorApiError(missing, 'UNAUTHORIZED')).toBe(true);
    expect((missing as Error).message).toBe(
      `the orchestrator at ${url} needs a bearer token (HTTP 401): set ORCH_HTTP_TOKEN to its token`,
    );
    const wrong = await fetchRequest(url, VIEW.id, { token: 'wrong-token-wrong-token' }).catch(
      (e: unknown) => e,
    );
    expect(isOrchestratorApiError(wrong, 'UNAUTHORIZED')).toBe(true);
    expect((wrong as Error).message).toBe(
      `the orchestrator at ${url} refused the token (HTTP 401): set ORCH_HTTP_TOKEN to its token`,
    );
    expect((wrong as Error).message).not.toContain('wrong-token');
  });
});
