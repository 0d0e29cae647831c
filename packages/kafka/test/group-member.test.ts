import kafkajs from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { decodeGroupMember } from '../src/group-member.js';

const { AssignerProtocol } = kafkajs;

const raw = (metadata: Buffer, assignment: Buffer) => ({
  memberId: 'm-1',
  clientId: 'orchestrator',
  clientHost: '/127.0.0.1',
  memberMetadata: metadata,
  memberAssignment: assignment,
});

describe('a consumer group member as DescribeGroups returns it', () => {
  it('reads the subscription and the owned partitions of a stable group', () => {
    const member = decodeGroupMember(
      raw(
        AssignerProtocol.MemberMetadata.encode({ version: 1, topics: ['b', 'a'], userData: Buffer.alloc(0) }),
        AssignerProtocol.MemberAssignment.encode({
          version: 1,
          assignment: { a: [2, 0], b: [0, 2] },
          userData: Buffer.alloc(0),
        }),
      ),
    );
    expect(member).toEqual({
      memberId: 'm-1',
      clientId: 'orchestrator',
      host: '/127.0.0.1',
      topics: ['a', 'b'],
      partitions: [0, 2],
      endpoint: undefined,
    });
  });

  // Issue 14: GET /requests/{id} is forwarded to the instance that owns the request's partition.
  it('reads the endpoint a co-partitioned member advertises in its user data', () => {
    const userData = Buffer.from(JSON.stringify({ owned: [1], endpoint: 'http://orch-2:9300' }));
    const member = decodeGroupMember(
      raw(
        AssignerProtocol.MemberMetadata.encode({ version: 0, topics: ['a'], userData }),
        AssignerProtocol.MemberAssignment.encode({
          version: 0,
          assignment: { a: [1] },
          userData: Buffer.alloc(0),
        }),
      ),
    );
    expect(member.endpoint).toBe('http://orch-2:9300');
    expect(member.partitions).toEqual([1]);
  });

  it('reads user data that is not ours (another assignor, no endpoint) as no endpoint', () => {
    for (const userData of [
      Buffer.from('not json'),
      Buffer.from('{"owned":[1],"endpoint":7}'),
      Buffer.alloc(0),
    ]) {
      const member = decodeGroupMember(
        raw(AssignerProtocol.MemberMetadata.encode({ version: 0, topics: ['a'], userData }), Buffer.alloc(0)),
      );
      expect(member.endpoint).toBeUndefined();
    }
  });

  // Found by the fault suite (rolling restart of 3 instances): an orchestrator starting while its group
  // rebalanced exited with "RangeError: Attempt to access memory outside buffer bounds". The broker
  // leaves metadata and assignment empty unless the group is stable.
  it('reads a member of a rebalancing group (empty metadata and assignment) as subscription unknown, no partitions', () => {
    const member = decodeGroupMember(raw(Buffer.alloc(0), Buffer.alloc(0)));
    expect(member.topics).toBeUndefined();
    expect(member.partitions).toEqual([]);
  });
});
