import { type GroupMember, partitionFor } from '@pipeline/kafka';
import type { Routing } from '../http/forward.js';

/** The other instance that owns a partition: its member id and where its HTTP server answers. */
export interface Peer {
  memberId: string;
  endpoint: string;
}

export interface PeersDeps {
  /** The group's members as DescribeGroups tells them (KafkaAdmin.groupMembers). */
  members: () => Promise<GroupMember[]>;
  /** This instance's member id in the group, when it is in it. */
  self: () => string | undefined;
  /** Epoch ms. */
  clock: () => number;
  /** A table without an owner for some partition is asked again after this long at the earliest. */
  retryMs?: number;
  /**
   * The topics' partition count: a table is complete only when every partition has an owner (a
   * group between its join and its sync describes members with subscriptions but no assignments).
   */
  partitions?: () => number;
}

/**
 * Who owns which partition number, and where each owner's HTTP server answers, read from the group
 * itself: members advertise their address in their subscription (co-partition-assigner.ts), and
 * DescribeGroups returns it with each member's assignment. The table is kept until this instance
 * joins again (every change of owners is a rebalance that every member joins); while the group
 * rebalances the broker describes no assignments, so a table missing owners is asked again, at most
 * every `retryMs`.
 */
export class Peers {
  private table: Promise<Map<number, Peer>> | undefined;
  private complete = false;
  private askedAt = Number.NEGATIVE_INFINITY;
  /** The table the group last told, complete, of this generation (known()). */
  private learnt: Map<number, Peer> | undefined;
  /** Bumped by invalidate(): an answer to a question asked before belongs to the old owners. */
  private generation = 0;

  constructor(private readonly deps: PeersDeps) {}

  /** The owners changed (this instance joined the group again): the next question asks the group. */
  invalidate(): void {
    this.table = undefined;
    this.learnt = undefined;
    this.askedAt = Number.NEGATIVE_INFINITY;
    this.generation++;
  }

  /**
   * The table as last told by the group, when complete; otherwise undefined, and the group is asked
   * (at most every `retryMs`), so that a later call knows.
   */
  known(): ReadonlyMap<number, Peer> | undefined {
    if (this.learnt) return this.learnt;
    if (this.deps.clock() - this.askedAt >= (this.deps.retryMs ?? 1000)) this.owners().catch(() => {});
    return undefined;
  }

  /**
   * The other instance that owns partition p, when it advertises an address; undefined when this
   * instance owns it or no owner is known (the group is rebalancing).
   */
  async ownerOf(partition: number): Promise<Peer | undefined> {
    return (await this.owners()).get(partition);
  }

  /** Every other instance that owns partitions, with the partitions it owns. */
  async others(): Promise<Array<Peer & { partitions: number[] }>> {
    const byMember = new Map<string, Peer & { partitions: number[] }>();
    for (const [partition, peer] of await this.owners()) {
      const entry = byMember.get(peer.memberId) ?? { ...peer, partitions: [] };
      entry.partitions.push(partition);
      byMember.set(peer.memberId, entry);
    }
    return [...byMember.values()];
  }

  private owners(): Promise<Map<number, Peer>> {
    const now = this.deps.clock();
    if (!this.table || (!this.complete && now - this.askedAt >= (this.deps.retryMs ?? 1000))) {
      this.askedAt = now;
      const asking = this.ask();
      this.table = asking;
      // A failed question is asked again next time rather than remembered.
      asking.catch(() => {
        if (this.table === asking) this.table = undefined;
      });
    }
    return this.table;
  }

  private async ask(): Promise<Map<number, Peer>> {
    const generation = this.generation;
    const members = await this.deps.members();
    const self = this.deps.self();
    const owners = new Map<number, Peer>();
    let complete = members.length > 0;
    const covered = new Set<number>();
    for (const member of members) {
      // A rebalancing group describes no assignments: nothing can be known yet.
      if (member.topics === undefined) complete = false;
      for (const partition of member.partitions) covered.add(partition);
      if (member.memberId === self) continue;
      if (member.endpoint === undefined) {
        if (member.partitions.length > 0) complete = false;
        continue;
      }
      for (const partition of member.partitions)
        owners.set(partition, { memberId: member.memberId, endpoint: member.endpoint });
    }
    if (covered.size < (this.deps.partitions?.() ?? 0)) complete = false;
    if (generation !== this.generation) return owners;
    this.complete = complete;
    if (complete) this.learnt = owners;
    return owners;
  }
}

/** The HTTP server's view of who owns what (http/forward.ts), from the group's members. */
export function routingOf(deps: {
  peers: Peers;
  self: () => string;
  /** The topics' partition count. */
  partitions: () => number;
  /** Whether this instance owns partition p now. */
  owns: (partition: number) => boolean;
  asked: Routing['asked'];
}): Routing {
  return {
    self: deps.self,
    ownerOf: async (requestId) => {
      const partition = partitionFor(requestId, deps.partitions() || 1);
      if (deps.owns(partition)) return 'here';
      const peer = await deps.peers.ownerOf(partition);
      return peer && { endpoint: peer.endpoint };
    },
    listOwners: async () => {
      const others = await deps.peers.others().catch(() => []);
      const theirs = new Set(others.flatMap((o) => o.partitions));
      const all = [...Array(deps.partitions()).keys()];
      const mine = all.filter((p) => deps.owns(p));
      const unowned = all.filter((p) => !deps.owns(p) && !theirs.has(p));
      return { others: others.map(({ endpoint, partitions }) => ({ endpoint, partitions })), mine, unowned };
    },
    asked: deps.asked,
    known: () => {
      const partitions = deps.partitions();
      if (partitions === 0) return undefined; // not started
      const peers = deps.peers.known();
      if (!peers) return undefined;
      const owners: Record<number, string> = {};
      for (const [partition, peer] of peers) if (!deps.owns(partition)) owners[partition] = peer.endpoint;
      return { self: deps.self(), partitions, owners };
    },
  };
}
