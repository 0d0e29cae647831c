import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RequestList, RequestListItem } from '@pipeline/orchestrator-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli.js';
import { listQuery } from '../src/commands/list.js';
import { captureIo } from './support/io.js';

// `pipeline list` against a stand-in orchestrator that pages 5 requests two at a time: the filters
// reach GET /requests as its query, --all follows `next`, bad usage is refused before any call.

const item = (n: number): RequestListItem => ({
  id: `cr-${n}`,
  stage: n === 3 ? 'regress' : 'plan_phase',
  final: n === 3,
  repo: 'acme/shop',
  branch: 'main',
  requester: 'ann',
  createdAt: new Date(Date.UTC(2026, 0, 1, 10, 0, 5 - n)).toISOString(),
  updatedAt: new Date(Date.UTC(2026, 0, 1, 10, 0, 6)).toISOString(),
  attempt: n === 4 ? 2 : 1,
  ...(n === 3
    ? { failure: { stage: 'build1' as const, reason: 'build_failed' as const, detail: 'red' } }
    : {}),
});
const ITEMS = [1, 2, 3, 4, 5].map(item);

let server: Server;
let url = '';
const queries: URLSearchParams[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const params = new URL(req.url ?? '/', 'http://x').searchParams;
    queries.push(params);
    const from = Number(params.get('cursor') ?? 0);
    const page: RequestList = { v: 1, items: ITEMS.slice(from, from + 2) };
    if (from + 2 < ITEMS.length) page.next = String(from + 2);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(page));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('pipeline list', () => {
  it('shows one page, newest first, with the filters as the query', async () => {
    queries.length = 0;
    const io = captureIo();
    const code = await runCli(
      ['list', '--url', url, '--stage', 'plan_phase', '--repo', 'acme/shop', '--limit', '2'],
      io,
    );
    expect(code).toBe(0);
    expect(queries).toHaveLength(1);
    expect(Object.fromEntries(queries[0] ?? [])).toEqual({
      stage: 'plan_phase',
      repo: 'acme/shop',
      limit: '2',
    });
    const lines = io.output().trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+STAGE\s+REPO\s+REQUESTER\s+CREATED/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual(['cr-1', 'cr-2']);
  });

  it('--all follows the pages to the end; a regressed request shows why, a retried one its attempt', async () => {
    queries.length = 0;
    const io = captureIo();
    expect(await runCli(['list', '--url', url, '--all'], io)).toBe(0);
    expect(queries.map((q) => q.get('cursor'))).toEqual([null, '2', '4']);
    const text = io.output();
    expect(text.trimEnd().split('\n')).toHaveLength(6);
    expect(text).toMatch(/cr-3\s+regress\s+.*build1: build_failed/);
    expect(text).toContain('plan_phase (attempt 2)');
  });

  it('refuses a bad filter as bad usage (exit 2) without asking', async () => {
    queries.length = 0;
    for (const args of [
      ['--stage', 'review'],
      ['--limit', '0'],
      ['--since', 'last week'],
    ]) {
      const io = captureIo();
      expect(await runCli(['list', '--url', url, ...args], io)).toBe(2);
      expect(io.errors()).toMatch(/--(stage|limit|since) /);
    }
    expect(queries).toHaveLength(0);
  });

  it('reads --since as a duration back from now or an ISO time', () => {
    const fail = (problem: string) => new Error(problem);
    expect(listQuery({ since: '2h' }, fail, 10_000_000)).toEqual({ since: 10_000_000 - 7_200_000 });
    expect(listQuery({ since: '2026-01-01T00:00:00Z' }, fail)).toEqual({ since: Date.UTC(2026, 0, 1) });
  });
});
