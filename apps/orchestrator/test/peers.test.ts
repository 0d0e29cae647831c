import type { GroupMember } from '@pipeline/kafka';
import { describe, expect, it, vi } from 'vitest';
import { Peers } from '../src/runtime/peers.js';

// Issue 14: an instance finds the owner of a request's partition, and where it answers, from the group.
const member = (
  memberId: string,
  partitions: number[],
  endpoint?: string,
  topics: string[] | undefined = ['t'],
) =>
  ({
    memberId,
    clientId: 'orchestrator',
    host: '/127.0.0.1',
    topics,
    partitions,
    endpoint,
  }) satisfies GroupMember;

/** What DescribeGroups says of a member while its group rebalances: no subscription, no assignment. */
const rebalancing = (memberId: string): GroupMember => ({ ...member(memberId, []), topics: undefined });

function peersOf(answers: GroupMember[][], now = { t: 0 }) {
  let asked = 0;
  const peers = new Peers({
    members: async () => answers[Math.min(asked++, answers.length - 1)] ?? [],
    self: () => 'me',
    clock: () => now.t,
    retryMs: 1000,
  });
  return { peers, asked: () => asked, now };
}

describe('Peers', () => {
  it('maps each partition of another member to its endpoint, and none of this instance’s', async () => {
    const { peers } = peersOf([[member('me', [0, 1]), member('b', [2, 3], 'http://b:9300')]]);
    expect(await peers.ownerOf(2)).toEqual({ memberId: 'b', endpoint: 'http://b:9300' });
    expect(await peers.ownerOf(0)).toBeUndefined();
    expect(await peers.others()).toEqual([{ memberId: 'b', endpoint: 'http://b:9300', partitions: [2, 3] }]);
  });

  it('asks the group once until this instance joins again', async () => {
    const { peers, asked } = peersOf([
      [member('me', [0]), member('b', [1], 'http://b:9300')],
      [member('me', [0, 1])],
    ]);
    await peers.ownerOf(1);
    await peers.ownerOf(1);
    expect(asked()).toBe(1);
    peers.invalidate();
    expect(await peers.ownerOf(1)).toBeUndefined();
    expect(asked()).toBe(2);
  });

  it('asks again, at most once a second, while the group rebalances (no assignments described)', async () => {
    const { peers, asked, now } = peersOf([
      [rebalancing('me'), rebalancing('b')],
      [member('me', [0]), member('b', [1], 'http://b:9300')],
    ]);
    expect(await peers.ownerOf(1)).toBeUndefined();
    now.t = 500;
    expect(await peers.ownerOf(1)).toBeUndefined();
    expect(asked()).toBe(1);
    now.t = 1000;
    expect(await peers.ownerOf(1)).toEqual({ memberId: 'b', endpoint: 'http://b:9300' });
    now.t = 5000;
    await peers.ownerOf(1);
    expect(asked()).toBe(2);
  });

  it('does not remember a failed question', async () => {
    let fail = true;
    const peers = new Peers({
      members: async () => {
        if (fail) throw new Error('coordinator moved');
        return [member('b', [1], 'http://b:9300')];
      },
      self: () => 'me',
      clock: () => 0,
    });
    await expect(peers.ownerOf(1)).rejects.toThrow('coordinator moved');
    fail = false;
    expect(await peers.ownerOf(1)).toEqual({ memberId: 'b', endpoint: 'http://b:9300' });
  });
});

describe('Peers.known (what the HTTP thread forwards by)', () => {
  it('asks the group once when it knows nothing, then tells the complete table until the next join', async () => {
    const { peers, asked, now } = peersOf([
      [member('me', [0]), rebalancing('b')],
      [member('me', [0]), member('b', [1], 'http://b:9300')],
      [member('me', [0, 1])],
    ]);
    expect(peers.known()).toBeUndefined();
    expect(peers.known()).toBeUndefined();
    await vi.waitFor(() => expect(asked()).toBe(1));
    // The group was rebalancing: nothing known, and not asked again before retryMs.
    expect(peers.known()).toBeUndefined();
    expect(asked()).toBe(1);
    now.t = 1000;
    expect(peers.known()).toBeUndefined();
    await vi.waitFor(() =>
      expect(peers.known()?.get(1)).toEqual({ memberId: 'b', endpoint: 'http://b:9300' }),
    );
    expect(asked()).toBe(2);
    peers.invalidate();
    expect(peers.known()).toBeUndefined();
  });

  it('does not take an answer to a question asked before the last join for the owners of now', async () => {
    let release: (members: GroupMember[]) => void = () => {};
    const answers: Array<Promise<GroupMember[]>> = [
      new Promise((resolve) => {
        release = resolve;
      }),
      Promise.resolve([member('me', [0, 1])]),
    ];
    let asked = 0;
    const peers = new Peers({
      members: () => answers[asked++] as Promise<GroupMember[]>,
      self: () => 'me',
      clock: () => 0,
    });
    expect(peers.known()).toBeUndefined();
    peers.invalidate();
    release([member('me', [0]), member('b', [1], 'http://b:9300')]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(peers.known()).toBeUndefined();
    await vi.waitFor(() => expect(peers.known()).toEqual(new Map()));
  });
});

describe('Peers, between a join and its sync', () => {
  it('does not take members with subscriptions but no assignments for the owners (asks again)', async () => {
    let asked = 0;
    const answers = [
      [member('me', []), member('b', [], 'http://b:9300')],
      [member('me', [0]), member('b', [1], 'http://b:9300')],
    ];
    const now = { t: 0 };
    const peers = new Peers({
      members: async () => answers[Math.min(asked++, 1)] ?? [],
      self: () => 'me',
      clock: () => now.t,
      retryMs: 1000,
      partitions: () => 2,
    });
    expect(await peers.ownerOf(1)).toBeUndefined();
    now.t = 1000;
    expect(await peers.ownerOf(1)).toEqual({ memberId: 'b', endpoint: 'http://b:9300' });
    expect(asked).toBe(2);
  });
});
