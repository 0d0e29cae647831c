import { create } from '@bufbuild/protobuf';
import { ChangeRequestSchema } from '@pipeline/contracts';
import { partitionFor } from '@pipeline/kafka';
import { CRQ } from '@pipeline/topics';
import { afterAll, describe, expect, it } from 'vitest';
import type { InProcessOrchestrator } from './support/pipeline.js';
import { TestPipeline, waitFor } from './support/pipeline.js';

// Issue 14, deliverable 3: GET /requests/{id} answers on any instance (the owner answers, the others
// forward to it at the address it advertises in the group), and GET /requests asks every owner.
const TOKEN = 'lookups-token-0123456789abcdef';
const pipeline = new TestPipeline(4);
const running: InProcessOrchestrator[] = [];
afterAll(async () => {
  for (const o of running.reverse()) await o.stop().catch(() => {});
  await pipeline.close();
});

const owned = (o: InProcessOrchestrator) =>
  (o.orchestrator.readiness().detail.partitions as Array<{ partition: number }>).map((p) => p.partition);
const get = (url: string) =>
  fetch(url, { headers: { authorization: `Bearer ${TOKEN}` }, signal: AbortSignal.timeout(15_000) });

async function asked(o: InProcessOrchestrator, route: string, outcome: string): Promise<number> {
  const metric = await o.orchestrator.metrics.lookupsForwarded.get();
  return metric.values.find((v) => v.labels.route === route && v.labels.outcome === outcome)?.value ?? 0;
}

/** Every page of GET /requests from one instance. */
async function listAll(o: InProcessOrchestrator, limit: number): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const res = await get(`${o.url}/requests?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(res.status).toBe(200);
    const page = (await res.json()) as { items: Array<{ id: string }>; next?: string };
    ids.push(...page.items.map((i) => i.id));
    cursor = page.next;
  } while (cursor);
  return ids;
}

describe('issue 14: lookups from any instance', () => {
  it('forwards GET /requests/{id} to the owner, fans GET /requests out, and says what it lacks when an owner does not answer', async () => {
    const env = { ORCH_HTTP_TOKEN: TOKEN };
    const first = await pipeline.startInProcess(env);
    running.push(first);
    const second = await pipeline.startInProcess(env, { waitReady: false });
    running.push(second);
    await waitFor(
      () =>
        owned(first).length === 2 &&
        owned(second).length === 2 &&
        first.orchestrator.readiness().ready &&
        second.orchestrator.readiness().ready,
      120_000,
      'two instances with two partitions each, ready',
    );

    // Two requests on every partition, so that each instance owns some.
    const ids: string[] = [];
    for (let i = 0; ids.length < 8; i++) {
      const id = `look-${i}`;
      if (ids.filter((x) => partitionFor(x, 4) === partitionFor(id, 4)).length < 2) ids.push(id);
    }
    for (const id of ids)
      await pipeline.send(CRQ, create(ChangeRequestSchema, { id, repo: 'acme/shop', branch: 'main' }), {
        key: id,
      });
    // Each instance holds the requests of its own partitions only.
    await waitFor(
      () => ids.every((id) => first.orchestrator.getRequest(id) ?? second.orchestrator.getRequest(id)),
      60_000,
      'the owners to know every request',
    );
    for (const id of ids) {
      const owner = owned(first).includes(partitionFor(id, 4)) ? first : second;
      const other = owner === first ? second : first;
      expect(owner.orchestrator.getRequest(id), id).toBeDefined();
      expect(other.orchestrator.getRequest(id), id).toBeUndefined();
    }

    const foreign = ids.filter((id) => !owned(first).includes(partitionFor(id, 4)));
    expect(foreign).toHaveLength(4);
    for (const id of ids) {
      const res = await get(`${first.url}/requests/${id}`);
      expect(res.status, id).toBe(200);
      expect(((await res.json()) as { id: string }).id).toBe(id);
    }
    // Only the requests of the other instance were asked of it, with the token passed on.
    expect(await asked(first, 'request', 'answered')).toBe(foreign.length);
    expect(await asked(first, 'request', 'unanswered')).toBe(0);
    // Asked on the instance that owns it, a request is answered there.
    expect(await asked(second, 'request', 'answered')).toBe(0);
    expect((await get(`${first.url}/requests/no-such-request`)).status).toBe(404);

    // The list: each page asks the other instance for its partitions; every request once, newest first.
    const listed = await listAll(first, 3);
    expect([...listed].sort()).toEqual([...ids].sort());
    expect(await asked(first, 'list', 'answered')).toBe(3);
    expect(await asked(first, 'list', 'unanswered')).toBe(0);

    // A third instance advertises an address where nothing answers: no other instance holds its
    // requests, so a lookup of one is a 503 that says why, and a list names its partitions as missing.
    const third = await pipeline.startInProcess(
      { ...env, ORCH_ADVERTISED_URL: 'http://127.0.0.1:9' },
      { waitReady: false },
    );
    running.push(third);
    await waitFor(
      () =>
        owned(third).length > 0 &&
        owned(first).length + owned(second).length + owned(third).length === 4 &&
        [first, second, third].every((o) => o.orchestrator.readiness().ready),
      120_000,
      'three instances sharing the four partitions, ready',
    );
    const thirds = ids.filter((id) => owned(third).includes(partitionFor(id, 4)));
    expect(thirds.length).toBeGreaterThan(0);
    const asker = owned(first).length > 0 ? first : second;
    for (const id of thirds) {
      const res = await get(`${asker.url}/requests/${id}`);
      expect(res.status, id).toBe(503);
      expect(((await res.json()) as { error: string }).error).toContain('did not answer');
    }
    expect(await asked(asker, 'request', 'unanswered')).toBe(thirds.length);
    const res = await get(`${asker.url}/requests?limit=50`);
    const page = (await res.json()) as { items: Array<{ id: string }>; unanswered?: number[] };
    expect(page.unanswered).toEqual(owned(third));
    expect(page.items.map((i) => i.id).sort()).toEqual(ids.filter((id) => !thirds.includes(id)).sort());
    // Asked directly, the third instance answers for its own.
    expect((await get(`${third.url}/requests/${thirds[0]}`)).status).toBe(200);
  });
});
