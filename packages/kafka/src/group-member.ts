import kafkajs from 'kafkajs';
import { decodeUserData } from './co-partition-assigner.js';

// kafkajs is CommonJS and Node's ESM loader cannot see this export by name: take it from the default.
const { AssignerProtocol } = kafkajs;

/**
 * A consumer group member: the physical topics it subscribes to and the partition numbers it owns.
 * `topics` is undefined while the group rebalances: the broker then describes members without their
 * metadata (and without assignments), so a subscription cannot be judged until the group is stable.
 */
export interface GroupMember {
  memberId: string;
  clientId: string;
  host: string;
  topics: string[] | undefined;
  partitions: number[];
  /** Where it answers (its HTTP address), when it advertises one (co-partition-assigner.ts). */
  endpoint: string | undefined;
}

/** A member as DescribeGroups returns it (kafkajs' shape). */
export interface DescribedMember {
  memberId: string;
  clientId: string;
  clientHost: string;
  memberMetadata: Buffer;
  memberAssignment: Buffer;
}

export function decodeGroupMember(m: DescribedMember): GroupMember {
  const assignment = decodeOrUndefined(
    () => AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment,
  );
  const metadata = decodeOrUndefined(() => AssignerProtocol.MemberMetadata.decode(m.memberMetadata));
  const topics = metadata?.topics;
  return {
    memberId: m.memberId,
    clientId: m.clientId,
    host: m.clientHost,
    topics: m.memberMetadata.length === 0 || topics === undefined ? undefined : [...topics].sort(),
    partitions: [...new Set(Object.values(assignment ?? {}).flat())].sort((a, b) => a - b),
    endpoint: decodeUserData(metadata?.userData).endpoint,
  };
}

/** Empty or foreign bytes (another assignor's format) read as nothing rather than throwing. */
function decodeOrUndefined<T>(decode: () => T): T | undefined {
  try {
    return decode();
  } catch {
    return undefined;
  }
}
