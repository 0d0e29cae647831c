import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { clockTime } from '@pipeline/cli-kit';
import type { RequestView } from '@pipeline/orchestrator-api';
import type { Stage } from '@pipeline/state-machine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli.js';
import { captureIo } from './support/io.js';

const T0 = Date.parse('2026-01-01T10:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();

function view(id: string, stages: Stage[], failure?: RequestView['failure']): RequestView {
  const stage = stages.at(-1) ?? 'idle';
  return {
    v: 1,
    attempt: 1,
    id,
    stage,
    final: stage === 'done' || stage === 'regress',
    change: { repo: 'acme/shop', branch: 'main', description: 'add a badge', requester: 'ann' },
    ids: { tasks: [{ id: `${id}/task-1`, status: 'SUCCESS', commit: 'abc' }, { id: `${id}/task-2` }] },
    ...(failure ? { failure } : {}),
    history: stages.map((s, i) => ({ stage: s, at: at(i * 100) })),
    createdAt: at(0),
    updatedAt: at((stages.length - 1) * 100),
  };
}

/** A coder reporting progress on its 1st and 2nd GET (the 2nd seen twice), then done on the 4th. */
function busy(n: number): RequestView {
  if (n >= 4) return view('cr-busy', PATH);
  const coding = view('cr-busy', ['plan_phase', 'code_phase']);
  const count = Math.min(n, 2);
  const progress = { at: at(100 + count * 10), count, note: `task ${count} of 2`, percent: count * 50 };
  const usage = { inputTokens: 1200 * count, outputTokens: 300, costUsd: 0.02 * count };
  return { ...coding, progress, usage };
}

const PATH: Stage[] = ['plan_phase', 'code_phase', 'build1', 'test_plan', 'test_build', 'build2', 'done'];

// A stand-in for the orchestrator's HTTP API: each GET of a request shows one more stage.
describe('status and watch against an HTTP API', () => {
  let server: Server;
  let url: string;
  const calls = new Map<string, number>();

  beforeAll(async () => {
    server = createServer((req, res) => {
      const id = decodeURIComponent(/^\/requests\/(.+)$/.exec(req.url ?? '')?.[1] ?? '');
      const n = (calls.get(id) ?? 0) + 1;
      calls.set(id, n);
      let body: RequestView | undefined;
      if (id === 'cr-ok') body = view(id, PATH.slice(0, Math.min(PATH.length, n * 2)));
      if (id === 'cr-bad')
        body = view(id, ['plan_phase', 'code_phase', 'build1', 'regress'], {
          stage: 'build1',
          reason: 'build_failed',
          detail: 'build 1 of commit abc reported FAILED',
        });
      if (id === 'cr-busy') body = busy(n);
      if (id === 'cr-cancelled')
        body = {
          ...view(id, ['plan_phase', 'code_phase', 'regress'], {
            stage: 'code_phase',
            reason: 'cancelled',
            detail: 'cancelled by ann in code_phase: wrong repo',
          }),
          decisions: [
            { action: 'cancel', by: 'ann', reason: 'wrong repo', at: at(200), stage: 'code_phase' },
          ],
        };
      if (id === 'cr-500') {
        res.writeHead(500, { 'content-type': 'application/json' });
        return res.end('{"error":"boom"}');
      }
      res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body ?? { error: `no change request ${id}` }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('status prints stage, failure, change and history as a table', async () => {
    const io = captureIo();
    expect(await runCli(['status', 'cr-bad', '--url', url], io)).toBe(0);
    const text = io.output();
    expect(text).toMatch(/^change request cr-bad\n/);
    expect(text).toMatch(/stage +regress \(final\)/);
    expect(text).toMatch(/failure +failed in build1: build_failed \(build 1 of commit abc reported FAILED\)/);
    expect(text).toMatch(/change +acme\/shop @ main/);
    expect(text).toMatch(/tasks +2 \(1 reported, 1 succeeded\)/);
    expect(text).toMatch(/took +300ms/);
    expect(text).toMatch(
      /history\n +stage +at +since start\n +plan_phase +2026-01-01T10:00:00.000Z .* \+0ms\n/,
    );
    expect(text).toMatch(/ +regress +2026-01-01T10:00:00.300Z .* \+300ms\n$/);
  });

  it('status --json prints the answer as it is', async () => {
    const io = captureIo();
    expect(await runCli(['status', 'cr-bad', '--url', url, '--json'], io)).toBe(0);
    expect(JSON.parse(io.output())).toMatchObject({
      id: 'cr-bad',
      stage: 'regress',
      failure: { reason: 'build_failed' },
    });
  });

  it('status of an unknown id: "no change request <id>", exit 1', async () => {
    const io = captureIo({ ORCH_URL: url });
    expect(await runCli(['status', 'cr-unknown'], io)).toBe(1);
    expect(io.errors()).toBe('pipeline: no change request cr-unknown\n');
  });

  it('status: another HTTP error is reported with its status', async () => {
    const io = captureIo();
    expect(await runCli(['status', 'cr-500', '--url', url], io)).toBe(1);
    expect(io.errors()).toContain(`the orchestrator at ${url} answered HTTP 500: {"error":"boom"}`);
  });

  it('watch prints every stage once, with its time, until done: exit 0', async () => {
    const io = captureIo();
    expect(await runCli(['watch', 'cr-ok', '--url', `${url}/`], io)).toBe(0);
    const lines = io.output().trimEnd().split('\n');
    expect(lines[0]).toBe('cr-ok  acme/shop @ main');
    expect(lines.slice(1, -1)).toEqual(PATH.map((s, i) => `${clockTime(at(i * 100))}  ${s}`));
    expect(lines.at(-1)).toBe('done after 600ms');
    expect(calls.get('cr-ok')).toBe(4);
  });

  it('status and watch show what the agent at work reports: note, percent, tokens so far', async () => {
    const status = captureIo();
    expect(await runCli(['status', 'cr-busy', '--url', url], status)).toBe(0);
    expect(status.output()).toMatch(/progress +50% · task 1 of 2 \(1 report, last at \S+\)/);
    expect(status.output()).toMatch(/usage +1,200 in \+ 300 out tokens, \$0\.0200/);
    const io = captureIo();
    expect(await runCli(['watch', 'cr-busy', '--url', url], io)).toBe(0);
    const reports = io
      .output()
      .split('\n')
      .filter((line) => line.includes('code_phase: '));
    // Status read the 1st report; watch saw the 2nd twice and printed it once.
    expect(reports).toEqual([
      `${clockTime(at(120))}    code_phase: 100%  task 2 of 2  (2,400 in + 300 out tokens, $0.0400 so far)`,
    ]);
  });

  it('status and watch show the decisions operators made: who, why, when', async () => {
    const status = captureIo();
    expect(await runCli(['status', 'cr-cancelled', '--url', url], status)).toBe(0);
    expect(status.output()).toMatch(/decision +cancel by ann in code_phase at \S+: wrong repo/);
    const io = captureIo();
    expect(await runCli(['watch', 'cr-cancelled', '--url', url], io)).toBe(1);
    expect(io.output()).toContain(`${clockTime(at(200))}    cancel by ann: wrong repo\n`);
  });

  it('watch of a request that regresses prints the failure: exit 1', async () => {
    const io = captureIo();
    expect(await runCli(['watch', 'cr-bad', '--url', url], io)).toBe(1);
    expect(io.output().trimEnd().split('\n').at(-1)).toBe(
      'regress after 300ms: failed in build1: build_failed (build 1 of commit abc reported FAILED)',
    );
  });
});

// An orchestrator with ORCH_HTTP_TOKEN set: GET /requests/{id} needs the bearer token.
describe('finding 13: status and watch send the bearer token', () => {
  const TOKEN = 'a-token-of-32-characters-0123456';
  let server: Server;
  let url: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.headers.authorization !== `Bearer ${TOKEN}`) {
        res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer' });
        return res.end('{"error":"missing or wrong bearer token"}\n');
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(view('cr-ok', PATH)));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('from ORCH_HTTP_TOKEN', async () => {
    const io = captureIo({ ORCH_URL: url, ORCH_HTTP_TOKEN: TOKEN });
    expect(await runCli(['status', 'cr-ok'], io)).toBe(0);
    expect(io.output()).toMatch(/stage +done \(final\)/);
    expect(await runCli(['watch', 'cr-ok'], captureIo({ ORCH_URL: url, ORCH_HTTP_TOKEN: TOKEN }))).toBe(0);
  });

  it('from --token, which wins', async () => {
    const io = captureIo({ ORCH_HTTP_TOKEN: 'not-the-token-not-the-token' });
    expect(await runCli(['status', 'cr-ok', '--url', url, '--token', TOKEN], io)).toBe(0);
    expect(await runCli(['watch', 'cr-ok', '--url', url, '--token', TOKEN], captureIo())).toBe(0);
  });

  it('without it: one line that says what to set, exit 1', async () => {
    const io = captureIo({ ORCH_URL: url });
    expect(await runCli(['status', 'cr-ok'], io)).toBe(1);
    expect(io.errors()).toBe(
      `pipeline: the orchestrator at ${url} needs a bearer token (HTTP 401): set ORCH_HTTP_TOKEN to its token\n`,
    );
    const wrong = captureIo({ ORCH_URL: url, ORCH_HTTP_TOKEN: 'not-the-token-not-the-token' });
    expect(await runCli(['watch', 'cr-ok'], wrong)).toBe(1);
    expect(wrong.errors()).toContain('refused the token (HTTP 401)');
    expect(wrong.errors()).not.toContain('not-the-token');
  });
});
