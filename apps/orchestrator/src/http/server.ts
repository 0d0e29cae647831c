import { Worker } from 'node:worker_threads';
import type { Logger } from '@pipeline/common';
import type { ListQuery } from '@pipeline/orchestrator-api';
import type { Registry } from 'prom-client';
import type { RequestRecord } from '../domain/request-record.js';
import { askEveryOwner, askOwner, FORWARD_TIMEOUT_MS, parsePartitions, type Routing } from './forward.js';
import { listRequests, mergeLists, parseListQuery } from './request-list.js';
import { toRequestView } from './request-view.js';

export interface HttpDeps {
  registry: Registry;
  /** Liveness: the process works (event loop turns, not shutting down). */
  live: () => boolean;
  /** Readiness: connected, in the group, every owned partition restored. */
  ready: () => { ready: boolean; detail: Record<string, unknown> };
  getRequest: (id: string) => RequestRecord | undefined;
  /**
   * The candidates of a page of GET /requests (filtered, newest first, after the cursor, at least one
   * more than the limit when there are more): listRequests judges and pages them.
   */
  listCandidates: (query: ListQuery, partitions?: readonly number[]) => Iterable<RequestRecord>;
  /**
   * Who owns which partition among the instances (runtime/peers.ts): when set, GET /requests/{id} is
   * answered by the request's owner and GET /requests by every owner (http/forward.ts).
   */
  routing?: Routing;
  /** When set, GET /requests/{id} needs `Authorization: Bearer <token>` (the other routes stay open). */
  token?: string | undefined;
  /** Where the HTTP thread's own failures are told (default: nowhere). */
  logger?: Logger;
}

export interface HttpServer {
  /** The address and port it listens on (the port the system chose for port 0). */
  readonly host: string;
  readonly port: number;
  /** Stops listening, closes the connections and ends the thread. Idempotent. */
  close(): Promise<void>;
}

/** How often the main thread tells the HTTP thread that it turns, whether it is live, and its readiness. */
const PUBLISH_MS = 100;
/** A main thread that has not turned for this long is not live (a stuck loop, not a busy one). */
const STALL_MS = 10_000;
/** How long /metrics and /requests/{id} wait for the main thread before answering 503. */
const ASK_TIMEOUT_MS = 10_000;
/** Connections waiting to be accepted: a burst of a thousand clients queues instead of being dropped. */
const BACKLOG = 4096;

type FromThread =
  | { type: 'listening'; address: string; port: number }
  | { type: 'failed'; message: string; code?: string }
  | { type: 'closed' }
  | {
      type: 'asked';
      route: 'request';
      outcome: 'answered' | 'unanswered';
      owner: string;
      requestId: string;
      why?: string;
    }
  | { type: 'ask'; id: number; what: 'metrics' }
  | { type: 'ask'; id: number; what: 'request'; requestId: string; forwarded: boolean }
  | { type: 'ask'; id: number; what: 'list'; search: string; forwarded: boolean; partitions?: string };

/**
 * The orchestrator's HTTP surface: /metrics (Prometheus), /healthz, /readyz, GET /requests/{id} and
 * GET /requests (a list),
 * served from a worker thread (http/thread.js), so that health answers stay fast however busy the
 * main thread is with batches. The main thread publishes its liveness (a heartbeat in shared memory,
 * every 100 ms) and its readiness; it is asked only for the metrics and for a request's view.
 * Resolves once listening; rejects when it cannot listen (e.g. the port is taken).
 */
export async function startHttpServer(
  deps: HttpDeps,
  options: { host: string; port: number },
): Promise<HttpServer> {
  const shared = new SharedArrayBuffer(2 * Float64Array.BYTES_PER_ELEMENT);
  const heartbeat = new Float64Array(shared);
  const worker = new Worker(new URL('./thread.js', import.meta.url), {
    workerData: {
      host: options.host,
      port: options.port,
      token: deps.token,
      shared,
      stallMs: STALL_MS,
      askTimeoutMs: ASK_TIMEOUT_MS,
      forwardTimeoutMs: FORWARD_TIMEOUT_MS,
      backlog: BACKLOG,
    },
  });
  let lastReadiness = '';
  let lastOwners = '';
  const publish = () => {
    heartbeat[0] = Date.now();
    heartbeat[1] = deps.live() ? 1 : 0;
    const { ready, detail } = deps.ready();
    const text = JSON.stringify({ ready, ...detail });
    if (text !== lastReadiness) {
      lastReadiness = text;
      worker.postMessage({ type: 'readiness', body: JSON.parse(text) });
    }
    // Who owns what, so that the thread forwards a lookup itself (a busy main thread is not crossed).
    const owners = JSON.stringify(deps.routing?.known?.() ?? null);
    if (owners !== lastOwners) {
      lastOwners = owners;
      worker.postMessage({ type: 'owners', body: JSON.parse(owners) });
    }
  };
  publish();
  const timer = setInterval(publish, PUBLISH_MS);
  timer.unref();

  const answer = (id: number, status: number, body: unknown, contentType?: string) =>
    worker.postMessage({ type: 'answer', id, status, body, ...(contentType ? { contentType } : {}) });
  const { routing } = deps;
  const forwarding = (r: Routing) => ({ routing: r, token: deps.token, logger: deps.logger });

  const onAsk = (message: Extract<FromThread, { type: 'ask' }>) => {
    if (message.what === 'metrics') {
      deps.registry
        .metrics()
        .then((text) => answer(message.id, 200, text, deps.registry.contentType))
        .catch((error: unknown) => answer(message.id, 500, { error: String(error) }));
      return;
    }
    if (message.what === 'list') {
      const parsed = parseListQuery(message.search);
      if (!parsed.ok) return answer(message.id, 400, { error: parsed.problem });
      const { query } = parsed;
      const listHere = (partitions?: readonly number[]) =>
        listRequests(deps.listCandidates(query, partitions), query);
      if (!routing || message.forwarded)
        return answer(message.id, 200, listHere(parsePartitions(message.partitions)));
      askEveryOwner(forwarding(routing), query, listHere, (pages) => mergeLists(pages, query))
        .then((page) => answer(message.id, 200, page))
        .catch((error: unknown) => answer(message.id, 500, { error: String(error) }));
      return;
    }
    const answerHere = () => {
      const record = deps.getRequest(message.requestId);
      if (!record) answer(message.id, 404, { error: `no change request ${message.requestId}` });
      else answer(message.id, 200, toRequestView(record));
    };
    if (!routing || message.forwarded) return answerHere();
    askOwner(forwarding(routing), message.requestId)
      .then((owner) => {
        if (owner.kind === 'here') answerHere();
        else if (owner.kind === 'view') answer(message.id, 200, owner.view);
        else if (owner.kind === 'unknown')
          answer(message.id, 404, { error: `no change request ${message.requestId}` });
        else answer(message.id, 503, { error: `request ${message.requestId}: ${owner.why}; try again` });
      })
      .catch((error: unknown) => answer(message.id, 500, { error: String(error) }));
  };

  let closed: (() => void) | undefined;
  const listening = new Promise<{ address: string; port: number }>((resolve, reject) => {
    worker.on('message', (message: FromThread) => {
      switch (message.type) {
        case 'listening':
          resolve(message);
          break;
        case 'failed': {
          const error = Object.assign(new Error(`HTTP server: ${message.message}`), { code: message.code });
          reject(error);
          deps.logger?.error({ err: error }, 'http server failed');
          break;
        }
        case 'closed':
          closed?.();
          break;
        case 'ask':
          onAsk(message);
          break;
        case 'asked':
          routing?.asked(message.route, message.outcome);
          if (message.outcome === 'unanswered')
            deps.logger?.warn(
              { requestId: message.requestId, owner: message.owner, why: message.why },
              'the owner of a request did not answer',
            );
          break;
      }
    });
    worker.on('error', (error) => {
      reject(error);
      deps.logger?.error({ err: error }, 'http thread failed');
    });
    worker.on('exit', (code) => reject(new Error(`HTTP thread exited with ${code} before listening`)));
  });

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      clearInterval(timer);
      const done = new Promise<void>((resolve) => {
        closed = resolve;
      });
      worker.postMessage({ type: 'close' });
      // Connections are closed at once; a thread that does not confirm within 5 s is ended anyway.
      await Promise.race([done, new Promise((r) => setTimeout(r, 5000).unref())]);
      await worker.terminate();
    })();
    return closing;
  };

  try {
    const address = await listening;
    return { host: address.address, port: address.port, close };
  } catch (error) {
    clearInterval(timer);
    await worker.terminate();
    throw error;
  }
}
