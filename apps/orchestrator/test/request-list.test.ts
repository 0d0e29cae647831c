// GET /requests: filters, newest first, pages that neither skip nor repeat a request, and a query
// that cannot be answered refused with what to fix.
import { describe, expect, it } from 'vitest';
import type { RequestRecord } from '../src/domain/request-record.js';
import { listRequests, mergeLists, parseListQuery } from '../src/http/request-list.js';

const record = (i: number, over: { stage?: 'plan_phase' | 'done'; repo?: string; requester?: string } = {}) =>
  ({
    v: 1,
    requestId: `cr-${String(i).padStart(3, '0')}`,
    change: {
      requester: over.requester ?? 'ann',
      repo: over.repo ?? 'acme/shop',
      branch: 'main',
      description: '',
    },
    machine: { value: over.stage ?? 'plan_phase', context: {} },
    tasks: [],
    history: [],
    // Two requests per millisecond: the cursor must order by id within one.
    createdAt: 1_000 + Math.floor(i / 2),
    updatedAt: 2_000,
  }) satisfies RequestRecord;

const parse = (search: string) => {
  const parsed = parseListQuery(search);
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.query;
};

describe('listRequests', () => {
  const records = Array.from({ length: 25 }, (_, i) =>
    record(i, {
      stage: i % 5 === 0 ? 'done' : 'plan_phase',
      repo: i % 2 ? 'acme/shop' : 'acme/web',
      requester: i < 10 ? 'ann' : 'bob',
    }),
  );

  it('filters on stage, repo, requester and since, newest first', () => {
    const page = listRequests(records, parse('stage=done&repo=acme/web'));
    expect(page.items.map((i) => i.id)).toEqual(['cr-020', 'cr-010', 'cr-000']);
    expect(page.items[0]).toMatchObject({ stage: 'done', final: true, repo: 'acme/web', attempt: 1 });
    expect(page.next).toBeUndefined();
    const bob = listRequests(records, parse('requester=bob&since=1970-01-01T00:00:01.010Z'));
    // Created at the same millisecond: by id.
    expect(bob.items.map((i) => i.id)).toEqual(['cr-024', 'cr-022', 'cr-023', 'cr-020', 'cr-021']);
  });

  it('pages through every request once, whatever the page size', () => {
    const newestFirst = [...records]
      .sort((a, b) => b.createdAt - a.createdAt || (a.requestId < b.requestId ? -1 : 1))
      .map((r) => r.requestId);
    for (const limit of [1, 4, 7, 25, 100]) {
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = listRequests(records, parse(`limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`));
        expect(page.items.length).toBeLessThanOrEqual(limit);
        seen.push(...page.items.map((i) => i.id));
        cursor = page.next;
      } while (cursor);
      expect(seen).toEqual(newestFirst);
      expect(new Set(seen).size).toBe(25);
    }
  });

  it('refuses what it cannot answer, saying what to fix', () => {
    const problem = (search: string) => {
      const parsed = parseListQuery(search);
      return parsed.ok ? undefined : parsed.problem;
    };
    expect(problem('stage=review')).toMatch(/^stage=review is not a stage \(idle, plan_phase/);
    expect(problem('limit=501')).toBe('limit=501: a whole number from 1 to 500');
    expect(problem('since=yesterday')).toBe('since=yesterday: an ISO 8601 time or epoch milliseconds');
    expect(problem('cursor=xyz')).toBe('cursor: not one a page of this list gave');
    expect(problem('state=done')).toMatch(/^unknown parameter state/);
    expect(parse('since=5000')).toEqual({ since: 5000 });
  });
});

// Issue 14: with state bounded by ownership, GET /requests asks every instance for the partitions it
// owns and merges their pages.
describe('mergeLists', () => {
  const records = Array.from({ length: 25 }, (_, i) => record(i));
  // Three instances, each holding the requests of its own partitions (here: by i % 3).
  const shares = [0, 1, 2].map((k) => records.filter((_, i) => i % 3 === k));

  it('pages through the requests of every instance once, in the one order of a single list', () => {
    const newestFirst = listRequests(records, parse('limit=100')).items.map((i) => i.id);
    for (const limit of [1, 4, 7, 25, 100]) {
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const query = parse(`limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
        const page = mergeLists(
          shares.map((share) => listRequests(share, query)),
          query,
        );
        expect(page.items.length).toBeLessThanOrEqual(limit);
        seen.push(...page.items.map((i) => i.id));
        cursor = page.next;
      } while (cursor);
      expect(seen, `limit ${limit}`).toEqual(newestFirst);
    }
  });

  it('counts a request two instances both gave (its owner changed meanwhile) once', () => {
    const query = parse('limit=10');
    const page = mergeLists(
      [listRequests(records.slice(0, 3), query), listRequests(records.slice(2, 5), query)],
      query,
    );
    expect(page.items.map((i) => i.id)).toEqual(['cr-004', 'cr-002', 'cr-003', 'cr-000', 'cr-001']);
    expect(page.next).toBeUndefined();
  });
});
