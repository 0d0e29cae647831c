import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StateStore, type StoredRequest } from '../src/store/state-store.js';

const SOURCE = { clusterId: 'cluster-a', topic: 'pipeline.state' };
const dirs: string[] = [];
const stores: StateStore[] = [];

function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'state-store-test-'));
  dirs.push(dir);
  return dir;
}

function open(dir: string, source = SOURCE): StateStore {
  const store = StateStore.open(dir, source);
  stores.push(store);
  return store;
}

function request(requestId: string, over: Partial<StoredRequest> = {}): StoredRequest {
  return {
    requestId,
    partition: 0,
    stage: 'plan',
    finished: false,
    repo: 'repo-a',
    requester: 'alice',
    createdAt: 1000,
    updatedAt: 1000,
    value: Buffer.from(`value of ${requestId}`),
    ...over,
  };
}

afterEach(() => {
  for (const store of stores.splice(0)) store.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('StateStore', () => {
  it('keeps the latest record of each request, the alias index and the checkpoints per topic, across a reopen', () => {
    const dir = freshDir();
    const store = open(dir);
    store.apply(
      3,
      [
        { kind: 'put', request: request('r1', { partition: 3 }) },
        { kind: 'put', request: request('r2', { partition: 3 }) },
      ],
      17n,
    );
    store.apply(
      3,
      [{ kind: 'put', request: request('r1', { partition: 3, value: Buffer.from('v2') }) }],
      20n,
    );
    // The alias index comes from its own topic (orchestrator.alias), with its own checkpoints.
    store.applyAliases(
      5,
      [
        { alias: 'task:t1', requestId: 'r1', present: true },
        { alias: 'task:t1', requestId: 'r2', present: true },
        { alias: 'commit:c1', requestId: 'r1', present: true },
      ],
      3n,
    );
    store.applyAliases(
      5,
      [
        { alias: 'task:t1', requestId: 'r1', present: false },
        { alias: 'commit:c1', requestId: 'r1', present: false },
        { alias: 'commit:c2', requestId: 'r1', present: true },
      ],
      6n,
    );
    store.close();
    stores.length = 0;

    const again = open(dir);
    expect(again.positions()).toEqual(new Map([[3, 20n]]));
    expect(again.positions('state')).toEqual(new Map([[3, 20n]]));
    expect(again.positions('alias')).toEqual(new Map([[5, 6n]]));
    expect(again.get('r1')?.value.toString()).toBe('v2');
    expect(Buffer.isBuffer(again.get('r1')?.value)).toBe(true);
    expect(again.requestsOf('task:t1')).toEqual(['r2']);
    expect(again.requestsOf('commit:c2')).toEqual(['r1']);
    expect(again.requestsOf('commit:c1')).toEqual([]);
    expect(again.size).toBe(2);
  });

  it('forgets a request, and keeps why a record could not be read until a readable one', () => {
    const store = open(freshDir());
    store.apply(0, [{ kind: 'put', request: request('r1') }], 1n);
    store.apply(0, [{ kind: 'forget', requestId: 'r1' }], 2n);
    expect(store.get('r1')).toBeUndefined();

    store.apply(0, [{ kind: 'unreadable', requestId: 'r2', partition: 0, why: 'version 9' }], 3n);
    expect(store.unreadableIn(0)).toEqual([{ requestId: 'r2', why: 'version 9' }]);
    expect(store.unreadableIn(1)).toEqual([]);
    store.apply(0, [{ kind: 'put', request: request('r2') }], 4n);
    expect(store.unreadableIn(0)).toEqual([]);
  });

  it('answers the unfinished requests of a partition and the finished ones past a time, oldest first', () => {
    const store = open(freshDir());
    store.apply(
      1,
      [
        { kind: 'put', request: request('open', { partition: 1 }) },
        {
          kind: 'put',
          request: request('old', { partition: 1, finished: true, stage: 'done', updatedAt: 50 }),
        },
        {
          kind: 'put',
          request: request('older', { partition: 1, finished: true, stage: 'regress', updatedAt: 10 }),
        },
        {
          kind: 'put',
          request: request('recent', { partition: 1, finished: true, stage: 'done', updatedAt: 900 }),
        },
        { kind: 'put', request: request('elsewhere', { partition: 2, finished: true, updatedAt: 5 }) },
      ],
      9n,
    );
    expect(store.unfinishedIn(1).map((v) => v.requestId)).toEqual(['open']);
    expect(store.finishedBefore(1, 100, 10).map((v) => v.requestId)).toEqual(['older', 'old']);
    expect(store.finishedBefore(1, 100, 1).map((v) => v.requestId)).toEqual(['older']);
  });

  it('lists newest first with filters and a position to continue after', () => {
    const store = open(freshDir());
    store.apply(
      0,
      [
        { kind: 'put', request: request('a', { createdAt: 300, repo: 'x' }) },
        { kind: 'put', request: request('b', { createdAt: 200, repo: 'y', stage: 'code' }) },
        { kind: 'put', request: request('c', { createdAt: 200, repo: 'x', requester: 'bob' }) },
        { kind: 'put', request: request('d', { createdAt: 100, repo: 'x' }) },
      ],
      4n,
    );
    const ids = (query: Parameters<StateStore['list']>[0]) => store.list(query).map((v) => v.requestId);
    expect(ids({ limit: 10 })).toEqual(['a', 'b', 'c', 'd']);
    expect(ids({ limit: 2, after: [200, 'b'] })).toEqual(['c', 'd']);
    expect(ids({ limit: 10, repo: 'x', since: 150 })).toEqual(['a', 'c']);
    expect(ids({ limit: 10, stage: 'code' })).toEqual(['b']);
    expect(ids({ limit: 10, requester: 'bob' })).toEqual(['c']);
    store.apply(3, [{ kind: 'put', request: request('e', { partition: 3, createdAt: 250 }) }], 1n);
    // Issue 14: a fan-out of GET /requests asks each instance for the partitions it owns.
    expect(ids({ limit: 10, partitions: [3] })).toEqual(['e']);
    expect(ids({ limit: 10, partitions: [0, 3], repo: 'x' })).toEqual(['a', 'c', 'd']);
    expect(ids({ limit: 10, partitions: [] })).toEqual([]);
    expect(ids({ limit: 10 })).toEqual(['a', 'e', 'b', 'c', 'd']);
  });

  it('gives a second instance on the same directory its own slot, and the first one back after it closes', () => {
    const dir = freshDir();
    const first = open(dir);
    first.apply(0, [], 5n);
    const second = open(dir);
    expect(second.file).not.toBe(first.file);
    expect(second.positions()).toEqual(new Map());
    first.close();
    stores.splice(stores.indexOf(first), 1);
    const third = open(dir);
    expect(third.file).toBe(first.file);
    expect(third.positions()).toEqual(new Map([[0, 5n]]));
  });

  it('replaces a damaged slot file with an empty store', () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'slot-0.sqlite'), Buffer.alloc(8192, 7));
    const store = open(dir);
    expect(store.file).toBe(join(dir, 'slot-0.sqlite'));
    expect(store.size).toBe(0);
    store.apply(0, [{ kind: 'put', request: request('r1') }], 1n);
    expect(store.get('r1')).toBeDefined();
  });

  it('starts empty when the slot holds a copy of another cluster or topic', () => {
    const dir = freshDir();
    const store = open(dir);
    store.apply(0, [{ kind: 'put', request: request('r1') }], 8n);
    store.close();
    stores.length = 0;
    const other = open(dir, { ...SOURCE, clusterId: 'cluster-b' });
    expect(other.size).toBe(0);
    expect(other.positions()).toEqual(new Map());
  });
});
