import { spawn } from 'node:child_process';
import { create } from '@bufbuild/protobuf';
import { ChangeRequestSchema } from '@pipeline/contracts';
import { CRQ } from '@pipeline/topics';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RequestRecord } from '../src/domain/request-record.js';
import { route } from '../src/domain/route.js';
import type { Routing } from '../src/http/forward.js';
import { type HttpDeps, startHttpServer } from '../src/http/server.js';

// The orchestrator's HTTP server with stand-ins for the orchestrator: no broker needed.
const TOKEN = 'a-token-of-32-characters-0123456';
const created = route(
  undefined,
  'cr-1',
  { topic: CRQ, message: create(ChangeRequestSchema, { id: 'cr-1', repo: 'demo', branch: 'main' }) },
  { now: 1_000 },
);
if (created.kind !== 'applied') throw new Error('expected a record');
const RECORD: RequestRecord = created.record;

interface Running {
  url: string;
  close(): Promise<void>;
}
const running: Running[] = [];

async function start(options: Partial<HttpDeps> = {}): Promise<Running> {
  const registry = new Registry();
  const server = await startHttpServer(
    {
      registry,
      live: () => true,
      ready: () => ({ ready: true, detail: { state: 'running' } }),
      getRequest: (id) => (id === 'cr-1' ? RECORD : undefined),
      listCandidates: () => [RECORD],
      ...options,
    },
    { host: '127.0.0.1', port: 0 },
  );
  const handle = { url: `http://127.0.0.1:${server.port}`, close: () => server.close() };
  running.push(handle);
  return handle;
}

afterEach(async () => {
  for (const server of running.splice(0)) await server.close();
});

const get = (url: string, headers: Record<string, string> = {}) =>
  fetch(url, { headers, signal: AbortSignal.timeout(5000) });

describe('finding 13: the HTTP surface', () => {
  it('answers a malformed % escape with 400, not 500', async () => {
    const { url } = await start();
    for (const path of ['/requests/%E0%A4%A', '/requests/%', '/requests/cr-%zz']) {
      const res = await get(`${url}${path}`);
      expect(res.status, path).toBe(400);
      expect(await res.json()).toMatchObject({ error: expect.stringContaining('malformed') });
    }
    expect((await get(`${url}/requests/cr%2D1`)).status).toBe(200);
  });

  it('without a token, /requests answers as before', async () => {
    const { url } = await start();
    expect((await get(`${url}/requests/cr-1`)).status).toBe(200);
    expect((await get(`${url}/requests/cr-2`)).status).toBe(404);
  });

  it('with a token, /requests needs it as a bearer token; /metrics, /healthz and /readyz stay open', async () => {
    const { url } = await start({ token: TOKEN });
    const attempts: Array<Record<string, string>> = [
      {},
      { authorization: `Bearer ${TOKEN.slice(0, -1)}` },
      { authorization: `Bearer ${TOKEN}x` },
      { authorization: `Basic ${TOKEN}` },
      { authorization: TOKEN },
    ];
    for (const headers of attempts) {
      for (const id of ['cr-1', 'cr-2']) {
        const res = await get(`${url}/requests/${id}`, headers);
        expect(res.status, JSON.stringify(headers)).toBe(401);
        expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
        expect(await res.json()).toEqual({ error: 'missing or wrong bearer token' });
      }
    }
    const ok = await get(`${url}/requests/cr-1`, { authorization: `Bearer ${TOKEN}` });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ id: 'cr-1', stage: 'plan_phase' });
    expect((await get(`${url}/requests/cr-2`, { authorization: `bearer ${TOKEN}` })).status).toBe(404);
    for (const path of ['/metrics', '/healthz', '/readyz'])
      expect((await get(`${url}${path}`)).status).toBe(200);
  });

  it('lists requests on GET /requests, behind the token too, and refuses a bad query with why', async () => {
    const { url } = await start({ token: TOKEN });
    expect((await get(`${url}/requests`)).status).toBe(401);
    const auth = { authorization: `Bearer ${TOKEN}` };
    const list = await get(`${url}/requests?stage=plan_phase&repo=demo`, auth);
    expect(list.status).toBe(200);
    expect(await list.json()).toMatchObject({
      v: 1,
      items: [{ id: 'cr-1', stage: 'plan_phase', repo: 'demo' }],
    });
    expect(await (await get(`${url}/requests?repo=other`, auth)).json()).toEqual({ v: 1, items: [] });
    const bad = await get(`${url}/requests?limit=0`, auth);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'limit=0: a whole number from 1 to 500' });
  });

  it('answers /healthz and /readyz while the main thread is busy', async () => {
    const { url } = await start();
    // A client in another process asks while this thread computes for 2 s without yielding.
    const probe = spawn(
      process.execPath,
      [
        '-e',
        `console.log('started');
        setTimeout(async () => {
          const ask = async (path) => {
            const t = performance.now();
            const res = await fetch(process.argv[1] + path, { signal: AbortSignal.timeout(1000) });
            return { path, status: res.status, ms: Math.round(performance.now() - t) };
          };
          try { console.log(JSON.stringify(await Promise.all([ask('/healthz'), ask('/readyz')]))); }
          catch (e) { console.log(JSON.stringify({ error: String(e) })); }
        }, 300);`,
        url,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    const started = new Promise<void>((resolve) =>
      probe.stdout.on('data', (d) => {
        out += d;
        if (out.includes('started')) resolve();
      }),
    );
    const exited = new Promise<void>((resolve) => probe.on('exit', () => resolve()));
    await started;
    const busyUntil = performance.now() + 2000;
    while (performance.now() < busyUntil) {
      // a batch that takes its time
    }
    await exited;
    const answer = JSON.parse(out.slice(out.indexOf('started') + 'started'.length));
    expect(answer).toEqual([
      { path: '/healthz', status: 200, ms: expect.any(Number) },
      { path: '/readyz', status: 200, ms: expect.any(Number) },
    ]);
  });

  // Issue 14: any instance answers for every request, asking the one that owns it.
  it('asks the owner of a request, which answers from its own state and never passes the question on', async () => {
    const where: { a?: string; b?: string } = {};
    const asked: string[] = [];
    const routing = (self: 'a' | 'b', other: 'a' | 'b'): Routing => ({
      self: () => where[self] ?? '',
      // Each says the other owns everything: a question passed on again would go round for ever.
      ownerOf: async () => ({ endpoint: where[other] ?? '' }),
      listOwners: async () => ({
        others: [{ endpoint: where[other] ?? '', partitions: [1] }],
        mine: [0],
        unowned: [2],
      }),
      asked: (route, outcome) => asked.push(`${self} ${route} ${outcome}`),
    });
    const records = { a: [] as RequestRecord[], b: [RECORD] };
    const a = await start({
      token: TOKEN,
      routing: routing('a', 'b'),
      getRequest: () => undefined,
      listCandidates: (_query, partitions) => (partitions?.includes(0) ? records.a : []),
    });
    const b = await start({
      token: TOKEN,
      routing: routing('b', 'a'),
      listCandidates: (_query, partitions) => (partitions?.includes(1) ? records.b : []),
    });
    where.a = a.url;
    where.b = b.url;
    const auth = { authorization: `Bearer ${TOKEN}` };
    const found = await get(`${a.url}/requests/cr-1`, auth);
    expect(found.status).toBe(200);
    expect(await found.json()).toMatchObject({ id: 'cr-1', stage: 'plan_phase' });
    expect((await get(`${a.url}/requests/cr-2`, auth)).status).toBe(404);
    // The list: a lists partition 0 (nothing), b partition 1 (cr-1); nobody owns partition 2.
    expect(await (await get(`${a.url}/requests`, auth)).json()).toEqual({
      v: 1,
      items: [expect.objectContaining({ id: 'cr-1' })],
      unanswered: [2],
    });
    expect(asked).toEqual(['a request answered', 'a request answered', 'a list answered']);
    // An owner that does not answer: a 503 that says so (no other instance holds its requests), and a
    // list that names its partitions as missing.
    where.b = 'http://127.0.0.1:9';
    const unavailable = await get(`${a.url}/requests/cr-1`, auth);
    expect(unavailable.status).toBe(503);
    expect(await unavailable.json()).toEqual({
      error: 'request cr-1: the instance that owns it (http://127.0.0.1:9) did not answer; try again',
    });
    records.a = [RECORD];
    expect(await (await get(`${a.url}/requests`, auth)).json()).toMatchObject({
      items: [{ id: 'cr-1' }],
      unanswered: [1, 2],
    });
    expect(asked.slice(3)).toEqual(['a request unanswered', 'a list unanswered']);
  });

  it('forwards a lookup from the HTTP thread by the owners the main thread published, never waiting for the main thread', async () => {
    const b = await start({ token: TOKEN });
    const asked: string[] = [];
    let owner = b.url;
    const a = await start({
      token: TOKEN,
      getRequest: () => undefined,
      routing: {
        self: () => 'http://a',
        // The main thread's path would answer 503 ("could not be asked"): only the thread's own
        // forwarding finds cr-1.
        ownerOf: async () => {
          throw new Error('the main thread was asked');
        },
        listOwners: async () => ({ others: [], mine: [], unowned: [] }),
        asked: (route, outcome) => asked.push(`${route} ${outcome}`),
        known: () => ({ self: 'http://a', partitions: 1, owners: { 0: owner } }),
      },
    });
    const auth = { authorization: `Bearer ${TOKEN}` };
    // The owners reach the thread with the main thread's next publication (every 100 ms).
    await vi.waitFor(async () => expect((await get(`${a.url}/requests/cr-1`, auth)).status).toBe(200), {
      timeout: 5000,
      interval: 50,
    });
    expect(await (await get(`${a.url}/requests/cr-1`, auth)).json()).toMatchObject({ id: 'cr-1' });
    expect((await get(`${a.url}/requests/cr-2`, auth)).status).toBe(404);
    owner = 'http://127.0.0.1:9';
    await vi.waitFor(async () => expect((await get(`${a.url}/requests/cr-1`, auth)).status).toBe(503), {
      timeout: 5000,
      interval: 50,
    });
    expect(await (await get(`${a.url}/requests/cr-1`, auth)).json()).toEqual({
      error: 'request cr-1: the instance that owns it (http://127.0.0.1:9) did not answer; try again',
    });
    await vi.waitFor(() => expect(asked).toContain('request unanswered'), { timeout: 5000 });
    expect(asked).toContain('request answered');
  });
});
