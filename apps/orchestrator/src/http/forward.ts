// Questions that other instances answer: GET /requests/{id} goes to the instance that owns the
// request's partition, GET /requests to every instance for the partitions it owns, merged here. Each
// instance holds only what it owns, so an owner that does not answer (or a partition no instance
// owns while the group rebalances) makes a 503 for a lookup and a list that says what it lacks.

import type { Logger } from '@pipeline/common';
import {
  fetchRequest,
  fetchRequestList,
  type ListQuery,
  type RequestList,
  type RequestView,
} from '@pipeline/orchestrator-api';

/** Marks a question one instance asks another: answered from the asked one's own state, never passed on. */
export const FORWARDED_HEADER = 'x-pipeline-forwarded';
/** With FORWARDED_HEADER on GET /requests: the partitions the asked instance lists (`0,3,7`). */
export const PARTITIONS_HEADER = 'x-pipeline-partitions';
/** How long one instance waits for another: well under the 10 s a client's question may take in all. */
export const FORWARD_TIMEOUT_MS = 2000;

/** Who owns what, as the orchestrator's group says (runtime/peers.ts). */
export interface Routing {
  /** This instance's own address: sent along, so that a log of the asked one says who asked. */
  self(): string;
  /**
   * Who answers for this request: `here` (this instance owns its partition), the address of the
   * instance that does, or undefined when no instance owns it right now (the group rebalances).
   */
  ownerOf(requestId: string): Promise<'here' | { endpoint: string } | undefined>;
  /**
   * The other instances, each with the partitions it owns; the partitions this instance owns; and
   * those no instance owns right now.
   */
  listOwners(): Promise<{
    others: Array<{ endpoint: string; partitions: number[] }>;
    mine: number[];
    unowned: number[];
  }>;
  /** Told of each question asked of another instance. */
  asked(route: 'request' | 'list', outcome: 'answered' | 'unanswered'): void;
  /**
   * Who owns what as last learnt from the group, complete, or undefined while unknown (after a join,
   * until the group has been asked). The HTTP thread forwards lookups by it without the main thread.
   */
  known?(): KnownOwners | undefined;
}

/** The other instances' partitions and addresses, as the HTTP thread gets them (http/thread.js). */
export interface KnownOwners {
  /** This instance's own address (FORWARDED_HEADER of the questions it asks). */
  self: string;
  /** The topics' partition count. */
  partitions: number;
  /** Partition number → address of the other instance that owns it (this instance's are absent). */
  owners: Record<number, string>;
}

export interface ForwardDeps {
  routing: Routing;
  token: string | undefined;
  logger: Logger | undefined;
}

export type OwnerAnswer =
  | { kind: 'here' }
  | { kind: 'view'; view: RequestView }
  | { kind: 'unknown' }
  | { kind: 'unavailable'; why: string };

/** The answer of the request's owner, or `here` when this instance owns it. */
export async function askOwner(deps: ForwardDeps, requestId: string): Promise<OwnerAnswer> {
  let owner: Awaited<ReturnType<Routing['ownerOf']>>;
  try {
    owner = await deps.routing.ownerOf(requestId);
  } catch (error) {
    return { kind: 'unavailable', why: `the group could not be asked who owns it: ${String(error)}` };
  }
  if (owner === 'here') return { kind: 'here' };
  if (owner === undefined)
    return {
      kind: 'unavailable',
      why: 'no instance owns its partition right now (the group is rebalancing)',
    };
  try {
    const view = await fetchRequest(owner.endpoint, requestId, options(deps, {}));
    deps.routing.asked('request', 'answered');
    return view ? { kind: 'view', view } : { kind: 'unknown' };
  } catch (error) {
    deps.routing.asked('request', 'unanswered');
    deps.logger?.warn(
      { err: error, requestId, owner: owner.endpoint },
      'the owner of a request did not answer',
    );
    return { kind: 'unavailable', why: `the instance that owns it (${owner.endpoint}) did not answer` };
  }
}

/**
 * One page of the whole list: the other instances' pages and this one's, merged. `listHere` lists the
 * given partitions from this instance's store. Partitions whose owner does not answer, or that no
 * instance owns, are named in the page's `unanswered`: their requests are missing from it.
 */
export async function askEveryOwner(
  deps: ForwardDeps,
  query: ListQuery,
  listHere: (partitions: readonly number[]) => RequestList,
  merge: (pages: readonly RequestList[]) => RequestList,
): Promise<RequestList> {
  const { others, mine, unowned } = await deps.routing.listOwners();
  const unanswered = [...unowned];
  const pages = await Promise.all(
    others.map(async ({ endpoint, partitions }) => {
      try {
        const headers = { [PARTITIONS_HEADER]: partitions.join(',') };
        const page = await fetchRequestList(endpoint, query, options(deps, headers));
        deps.routing.asked('list', 'answered');
        return page;
      } catch (error) {
        deps.routing.asked('list', 'unanswered');
        deps.logger?.warn({ err: error, owner: endpoint, partitions }, 'an owner did not answer a list');
        unanswered.push(...partitions);
        return undefined;
      }
    }),
  );
  const answered = pages.filter((page): page is RequestList => page !== undefined);
  const merged = merge([listHere(mine), ...answered]);
  return unanswered.length > 0 ? { ...merged, unanswered: unanswered.sort((a, b) => a - b) } : merged;
}

/** The partitions of a forwarded list (PARTITIONS_HEADER); undefined when absent or not a list of numbers. */
export function parsePartitions(header: string | undefined): number[] | undefined {
  if (header === undefined) return undefined;
  if (header === '') return [];
  const numbers = header.split(',').map(Number);
  return numbers.every((n) => Number.isInteger(n) && n >= 0) ? numbers : undefined;
}

function options(deps: ForwardDeps, headers: Record<string, string>) {
  return {
    timeoutMs: FORWARD_TIMEOUT_MS,
    token: deps.token,
    headers: { [FORWARDED_HEADER]: deps.routing.self(), ...headers },
  };
}
