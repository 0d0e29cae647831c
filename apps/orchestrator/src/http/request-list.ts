// `GET /requests?stage=&repo=&requester=&since=&limit=&cursor=`: the requests an instance knows,
// newest first, a page at a time (pure: the HTTP server hands the query and the records in).

import {
  DEFAULT_LIST_LIMIT,
  type ListQuery,
  MAX_LIST_LIMIT,
  type RequestList,
  type RequestListItem,
} from '@pipeline/orchestrator-api';
import { isStage, STAGES } from '@pipeline/state-machine';
import { attemptOf, failureOf, isFinished, type RequestRecord, stageOf } from '../domain/request-record.js';

export type ParsedListQuery = { ok: true; query: ListQuery } | { ok: false; problem: string };

const KNOWN = ['stage', 'repo', 'requester', 'since', 'limit', 'cursor'];

/** Reads the query string of a list request; a bad value is refused with what to fix. */
export function parseListQuery(search: string): ParsedListQuery {
  const params = new URLSearchParams(search);
  const query: ListQuery = {};
  for (const name of params.keys())
    if (!KNOWN.includes(name))
      return { ok: false, problem: `unknown parameter ${name} (known: ${KNOWN.join(', ')})` };
  const stage = params.get('stage');
  if (stage !== null) {
    if (!isStage(stage))
      return { ok: false, problem: `stage=${stage} is not a stage (${STAGES.join(', ')})` };
    query.stage = stage;
  }
  const repo = params.get('repo');
  if (repo !== null) query.repo = repo;
  const requester = params.get('requester');
  if (requester !== null) query.requester = requester;
  const since = params.get('since');
  if (since !== null) {
    const at = /^\d+$/.test(since) ? Number(since) : Date.parse(since);
    if (!Number.isFinite(at))
      return { ok: false, problem: `since=${since}: an ISO 8601 time or epoch milliseconds` };
    query.since = at;
  }
  const limit = params.get('limit');
  if (limit !== null) {
    const n = Number(limit);
    if (!Number.isInteger(n) || n < 1 || n > MAX_LIST_LIMIT)
      return { ok: false, problem: `limit=${limit}: a whole number from 1 to ${MAX_LIST_LIMIT}` };
    query.limit = n;
  }
  const cursor = params.get('cursor');
  if (cursor !== null) {
    if (decodeCursor(cursor) === undefined)
      return { ok: false, problem: 'cursor: not one a page of this list gave' };
    query.cursor = cursor;
  }
  return { ok: true, query };
}

/** The position after an item: newest first, then by id. Opaque to clients. */
function encodeCursor(item: { createdAt: number; requestId: string }): string {
  return Buffer.from(JSON.stringify([item.createdAt, item.requestId])).toString('base64url');
}

export function decodeCursor(cursor: string): [number, string] | undefined {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && typeof value[0] === 'number' && typeof value[1] === 'string')
      return [value[0], value[1]];
  } catch {
    // not a cursor of ours
  }
  return undefined;
}

/** Newest first; requests created at the same millisecond by id. */
function before(a: RequestRecord, b: RequestRecord): number {
  return b.createdAt - a.createdAt || (a.requestId < b.requestId ? -1 : a.requestId > b.requestId ? 1 : 0);
}

function matches(record: RequestRecord, query: ListQuery, after: [number, string] | undefined): boolean {
  if (query.stage !== undefined && stageOf(record) !== query.stage) return false;
  if (query.repo !== undefined && record.change.repo !== query.repo) return false;
  if (query.requester !== undefined && record.change.requester !== query.requester) return false;
  if (query.since !== undefined && record.createdAt < query.since) return false;
  if (after) {
    const [createdAt, id] = after;
    if (record.createdAt > createdAt || (record.createdAt === createdAt && record.requestId <= id))
      return false;
  }
  return true;
}

/** One page of the requests that match, newest first. */
export function listRequests(records: Iterable<RequestRecord>, query: ListQuery): RequestList {
  const limit = query.limit ?? DEFAULT_LIST_LIMIT;
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  const found: RequestRecord[] = [];
  for (const record of records) if (matches(record, query, after)) found.push(record);
  found.sort(before);
  const page = found.slice(0, limit);
  const last = page.at(-1);
  return {
    v: 1,
    items: page.map(toListItem),
    ...(found.length > limit && last ? { next: encodeCursor(last) } : {}),
  };
}

/**
 * One page out of the pages several instances gave for the same query (each for the partitions it
 * owns, each newest first and at most `limit` long): newest first, a request given twice (an owner
 * that changed between two answers) once, `next` when any instance has more or more are left over.
 * The cursor is a position in the one order all instances share, so the next page asks them all again.
 */
export function mergeLists(pages: readonly RequestList[], query: ListQuery): RequestList {
  const limit = query.limit ?? DEFAULT_LIST_LIMIT;
  const byId = new Map<string, RequestListItem>();
  for (const page of pages) for (const item of page.items) byId.set(item.id, item);
  const at = (item: RequestListItem) => Date.parse(item.createdAt);
  const items = [...byId.values()].sort((a, b) => at(b) - at(a) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const page = items.slice(0, limit);
  const last = page.at(-1);
  const more = items.length > limit || pages.some((p) => p.next !== undefined);
  const unanswered = [...new Set(pages.flatMap((p) => p.unanswered ?? []))].sort((a, b) => a - b);
  return {
    v: 1,
    items: page,
    ...(more && last ? { next: encodeCursor({ createdAt: at(last), requestId: last.id }) } : {}),
    ...(unanswered.length > 0 ? { unanswered } : {}),
  };
}

function toListItem(record: RequestRecord): RequestListItem {
  const failure = failureOf(record);
  return {
    id: record.requestId,
    stage: stageOf(record),
    final: isFinished(record),
    repo: record.change.repo,
    branch: record.change.branch,
    requester: record.change.requester,
    createdAt: new Date(record.createdAt).toISOString(),
    updatedAt: new Date(record.updatedAt).toISOString(),
    attempt: attemptOf(record),
    ...(failure ? { failure } : {}),
  };
}
