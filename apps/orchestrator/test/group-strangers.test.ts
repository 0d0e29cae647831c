import type { GroupMember } from '@pipeline/kafka';
import { ORCHESTRATOR_INPUTS, TopicNames } from '@pipeline/topics';
import { describe, expect, it } from 'vitest';
import { assertNoStrangers } from '../src/runtime/group.js';

const names = TopicNames.prefixed('p1.');
const ours = ORCHESTRATOR_INPUTS.map((t) => names.physical(t) as string).sort();
const member = (id: string, topics: string[] | undefined): GroupMember => ({
  memberId: id,
  clientId: 'orchestrator',
  host: '/127.0.0.1',
  topics,
  partitions: [],
  endpoint: undefined,
});
/** An admin whose group describes as each of `answers` in turn (the last one for ever after). */
const adminAnswering = (...answers: GroupMember[][]) => {
  let calls = 0;
  return {
    calls: () => calls,
    groupMembers: async () => answers[Math.min(calls++, answers.length - 1)] ?? [],
  };
};

describe('the start-up check for members of another pipeline', () => {
  it('refuses a group whose members read other topics, naming them', async () => {
    const admin = adminAnswering([member('a', ours), member('b', ['p2.change.request.in'])]);
    await expect(assertNoStrangers(admin, 'g', names)).rejects.toThrow(
      /subscribed to other topics .*p2\.change\.request\.in/,
    );
  });

  // Found by the fault suite (rolling restart of 3 instances): starting while the group rebalanced,
  // an instance exited at once: the broker describes members without subscriptions until the group
  // is stable, and reading them threw.
  it('waits for a rebalancing group to settle, then judges it', async () => {
    const admin = adminAnswering([member('a', undefined)], [member('a', undefined)], [member('a', ours)]);
    await expect(assertNoStrangers(admin, 'g', names, { retryMs: 1 })).resolves.toBeUndefined();
    expect(admin.calls()).toBe(3);
    const foreign = adminAnswering([member('a', undefined)], [member('b', ['p2.plan.out'])]);
    await expect(assertNoStrangers(foreign, 'g', names, { retryMs: 1 })).rejects.toThrow(/p2\.plan\.out/);
  });

  it('starts when the group never settles within the bound (the assignment gives strangers nothing anyway)', async () => {
    const admin = adminAnswering([member('a', undefined)]);
    await expect(
      assertNoStrangers(admin, 'g', names, { settleTimeoutMs: 20, retryMs: 5 }),
    ).resolves.toBeUndefined();
  });
});
