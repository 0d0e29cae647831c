// Questions that other instances answer: GET /requests/{id} goes to the instance that owns the
// request's partition, GET /requests to every instance for the partitions it owns, merged here.
// An instance that does not answer is stood in for by this one's store, so a dead peer costs
// freshness, not an answer.

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
  /** Where the other instance that owns this request answers; undefined when this one answers. */
  ownerOf(requestId: string): Promise<string | undefined>;
  /**
   * The other instances, each with the partitions it owns, and the partitions this instance lists
   * itself: every one not among the others' (its own, and those nobody owns while the group rebalances).
   */
  listOwners(): Promise<{ others: Array<{ endpoint: string; partitions: number[] }>; mine: number[] }>;
  /** Told of each question asked of another instance. */
  asked(route: 'request' | 'list', outcome: 'answered' | 'unanswered'): void;
}

export interface ForwardDeps {
  routing: Routing;
  token: string | undefined;
  logger: Logger | undefined;
}

/** The owner's view of a request (null: it does not know it), or undefined when no other instance answered. */
export async function askOwner(
  deps: ForwardDeps,
  requestId: string,
): Promise<RequestView | null | undefined> {
  const endpoint = await deps.routing.ownerOf(requestId).catch(() => undefined);
  if (endpoint === undefined) return undefined;
  try {
    const view = await fetchRequest(endpoint, requestId, options(deps, {}));
    deps.routing.asked('request', 'answered');
    return view ?? null;
  } catch (error) {
    deps.routing.asked('request', 'unanswered');
    deps.logger?.warn(
      { err: error, requestId, owner: endpoint },
      'owner did not answer a lookup: answering from this instance',
    );
    return undefined;
  }
}

/**
 * One page of the whole list: the other instances' pages and this one's, merged. `listHere` lists the
 * given partitions from this instance's store; partitions whose owner does not answer are listed here.
 */
export async function askEveryOwner(
  deps: ForwardDeps,
  query: ListQuery,
  listHere: (partitions: readonly number[]) => RequestList,
  merge: (pages: readonly RequestList[]) => RequestList,
): Promise<RequestList> {
  const { others, mine } = await deps.routing.listOwners();
  const unanswered: number[] = [];
  const pages = await Promise.all(
    others.map(async ({ endpoint, partitions }) => {
      try {
        const page = await fetchRequestList(
          endpoint,
          query,
          options(deps, { [PARTITIONS_HEADER]: partitions.join(',') }),
        );
        deps.routing.asked('list', 'answered');
        return page;
      } catch (error) {
        deps.routing.asked('list', 'unanswered');
        deps.logger?.warn(
          { err: error, owner: endpoint, partitions },
          'owner did not answer a list: listing its partitions here',
        );
        unanswered.push(...partitions);
        return undefined;
      }
    }),
  );
  const answered = pages.filter((page): page is RequestList => page !== undefined);
  return merge([listHere([...mine, ...unanswered]), ...answered]);
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
