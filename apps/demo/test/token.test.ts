import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RequestView } from '@pipeline/orchestrator-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext } from '../src/context.js';
import { followProgress } from '../src/follow-progress.js';

// An orchestrator started with ORCH_HTTP_TOKEN: GET /requests/{id} needs the bearer token.
describe('finding 13: the demo sends ORCH_HTTP_TOKEN when it is set', () => {
  const TOKEN = 'a-token-of-32-characters-0123456';
  const seen: Array<string | undefined> = [];
  let server: Server;
  let url: string;
  const view: RequestView = {
    v: 1,
    attempt: 1,
    id: 'cr-1',
    stage: 'done',
    final: true,
    change: { requester: 'demo', repo: 'demo', branch: 'main', description: 'x' },
    ids: { tasks: [] },
    history: [{ stage: 'done', at: '2026-01-01T00:00:00.000Z' }],
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
  };

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req.headers.authorization);
      const ok = req.headers.authorization === `Bearer ${TOKEN}`;
      res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
      res.end(JSON.stringify(ok ? view : { error: 'missing or wrong bearer token' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('follows the requests with the token', async () => {
    const ctx = createContext({
      env: { ORCH_HTTP_TOKEN: TOKEN },
      write: () => {},
      signal: new AbortController().signal,
      root: process.cwd(),
    });
    const { views } = await followProgress(ctx, {
      orchestratorUrl: url,
      planned: [{ id: 'cr-1', expected: { stage: 'done' } }],
      submittedAt: Date.now(),
      timeoutMs: 10_000,
      tty: false,
      services: [],
    });
    expect(views.get('cr-1')?.stage).toBe('done');
    expect(seen).toEqual([`Bearer ${TOKEN}`]);
  });
});
