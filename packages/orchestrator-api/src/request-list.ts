import type { Stage } from '@pipeline/state-machine';
import type { RequestFailure } from './request-view.js';

/** What `GET /requests` may filter on; every filter given must match. */
export interface ListQuery {
  stage?: Stage;
  repo?: string;
  requester?: string;
  /** Epoch ms: only requests created at or after it. */
  since?: number;
  /** Items per page: 1–500, default 50. */
  limit?: number;
  /** Where the previous page ended (its `next`). */
  cursor?: string;
}

/** The most and the default number of items one page holds. */
export const MAX_LIST_LIMIT = 500;
export const DEFAULT_LIST_LIMIT = 50;

/** One request of a list: where it stands, without its history. */
export interface RequestListItem {
  id: string;
  stage: Stage;
  final: boolean;
  repo: string;
  branch: string;
  requester: string;
  /** ISO 8601. */
  createdAt: string;
  updatedAt: string;
  attempt: number;
  failure?: RequestFailure;
}

/** What `GET /requests` answers: newest first; `next` is set when there are more. */
export interface RequestList {
  v: 1;
  items: RequestListItem[];
  next?: string;
  /**
   * Partitions whose requests are missing from this page: the instance that owns them did not
   * answer, or none owns them right now (the orchestrators are rebalancing). Ask again.
   */
  unanswered?: number[];
}

/** The path and query of a list page. */
export function listPath(query: ListQuery): string {
  const params = new URLSearchParams();
  if (query.stage) params.set('stage', query.stage);
  if (query.repo !== undefined) params.set('repo', query.repo);
  if (query.requester !== undefined) params.set('requester', query.requester);
  if (query.since !== undefined) params.set('since', new Date(query.since).toISOString());
  if (query.limit !== undefined) params.set('limit', String(query.limit));
  if (query.cursor) params.set('cursor', query.cursor);
  const text = params.toString();
  return text ? `/requests?${text}` : '/requests';
}
