// @ts-check
/**
 * The orchestrator's HTTP server, in a worker thread of its own (see server.ts for the main thread's
 * side). Plain JavaScript so that the same file runs from `src/` under the tests and from `dist/`.
 *
 * Whatever the main thread is doing (a batch of ten thousand poison messages, a rebalance), this
 * thread parses every request, answers /healthz and /readyz from what the main thread last published
 * (shared memory and a message), checks the bearer token and the path, and only then asks the main
 * thread, for /metrics, GET /requests/{id} and GET /requests.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import { partitionFor } from '@pipeline/kafka/murmur2';
import { fetchRequest } from '@pipeline/orchestrator-api';

/**
 * @typedef {{ host: string, port: number, token: string | undefined, shared: SharedArrayBuffer,
 *   stallMs: number, askTimeoutMs: number, forwardTimeoutMs: number, backlog: number }} ThreadOptions
 * @typedef {{ type: 'answer', id: number, status: number, contentType?: string, body: unknown }} Answer
 * @typedef {{ type: 'readiness', body: Record<string, unknown> }} Readiness
 * @typedef {import('./forward.js').KnownOwners} KnownOwners
 * @typedef {Answer | Readiness | { type: 'owners', body: KnownOwners | null } | { type: 'close' }} FromMain
 */

if (!parentPort) throw new Error('thread.js runs as a worker thread of the orchestrator');
const port = parentPort;
const options = /** @type {ThreadOptions} */ (workerData);
// [0]: when the main thread last turned (epoch ms); [1]: 1 when it says it is live.
const shared = new Float64Array(options.shared);
const ROUTES = ['/metrics', '/healthz', '/readyz', '/requests', '/requests/{id}'];

/** The main thread's last readiness; not ready until it has said otherwise. */
/** @type {Record<string, unknown>} */
let readiness = { ready: false, state: 'starting' };
/** Who owns which partition among the other instances, as the main thread last published. */
/** @type {KnownOwners | null} */
let owners = null;
/** @type {Map<number, (answer: Answer) => void>} */
const waiting = new Map();
let nextId = 1;

/**
 * The token as a digest: comparing digests of equal length in constant time says nothing about how
 * much of a wrong token was right, nor how long the real one is.
 */
const expected = options.token === undefined ? undefined : sha256(options.token);

/** @param {string} text */
function sha256(text) {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** @param {string | undefined} header */
function authorized(header) {
  if (expected === undefined) return true;
  const match = /^Bearer +(\S+) *$/i.exec(header ?? '');
  const given = sha256(match?.[1] ?? '');
  return timingSafeEqual(given, expected) && match !== null;
}

/** The main thread turned recently and says it is live. */
function live() {
  return shared[1] === 1 && Date.now() - (shared[0] ?? 0) < options.stallMs;
}

/**
 * Asks the main thread; an answer that does not come in time is a 503.
 * @param {{ what: 'metrics' } | { what: 'request', requestId: string, forwarded: boolean } | { what: 'list', search: string, forwarded: boolean, partitions?: string }} question
 * @returns {Promise<Answer>}
 */
function ask(question) {
  const id = nextId++;
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      waiting.delete(id);
      resolve({
        type: 'answer',
        id,
        status: 503,
        body: { error: `the orchestrator did not answer within ${options.askTimeoutMs} ms` },
      });
    }, options.askTimeoutMs);
    waiting.set(id, (answer) => {
      clearTimeout(timer);
      waiting.delete(id);
      resolve(answer);
    });
    port.postMessage({ type: 'ask', id, ...question });
  });
}

/**
 * @param {import('node:http').ServerResponse} res
 * @param {number} status
 * @param {unknown} body
 * @param {Record<string, string>} [headers]
 */
function send(res, status, body, headers = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(`${JSON.stringify(body)}\n`);
}

/**
 * @param {import('node:http').IncomingMessage} req
 * @param {import('node:http').ServerResponse} res
 */
async function handle(req, res) {
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { error: 'only GET' });
  /** @type {URL} */
  let url;
  try {
    url = new URL(req.url ?? '/', 'http://localhost');
  } catch {
    return send(res, 400, { error: 'malformed path' });
  }
  switch (url.pathname) {
    case '/healthz': {
      const isLive = live();
      return send(res, isLive ? 200 : 503, { live: isLive });
    }
    case '/readyz': {
      const ready = readiness.ready === true && live();
      return send(res, ready ? 200 : 503, { ...readiness, ready });
    }
    case '/metrics': {
      const answer = await ask({ what: 'metrics' });
      if (answer.status !== 200) return send(res, answer.status, answer.body);
      res.writeHead(200, { 'content-type': answer.contentType ?? 'text/plain' });
      res.end(answer.body);
      return;
    }
  }
  const match = /^\/requests\/([^/]+)$/.exec(url.pathname);
  const list = url.pathname === '/requests';
  if (!match?.[1] && !list) return send(res, 404, { error: 'not found', routes: ROUTES });
  // Before anything else about the request: without the token, not even whether the id is known.
  if (!authorized(req.headers.authorization)) {
    return send(res, 401, { error: 'missing or wrong bearer token' }, { 'www-authenticate': 'Bearer' });
  }
  // Asked by another instance (http/forward.ts): answered from this one's own state, not passed on.
  const forwarded = req.headers['x-pipeline-forwarded'] !== undefined;
  if (list || !match?.[1]) {
    const partitions = req.headers['x-pipeline-partitions'];
    const answer = await ask({
      what: 'list',
      search: url.search,
      forwarded,
      ...(typeof partitions === 'string' ? { partitions } : {}),
    });
    return send(res, answer.status, answer.body);
  }
  /** @type {string} */
  let requestId;
  try {
    requestId = decodeURIComponent(match[1]);
  } catch {
    return send(res, 400, { error: `malformed path: ${match[1]} is not a valid %-escaped id` });
  }
  const owner = forwarded || !owners ? undefined : owners.owners[partitionFor(requestId, owners.partitions)];
  if (owner !== undefined && owners) return forwardLookup(res, requestId, owner, owners.self);
  const answer = await ask({ what: 'request', requestId, forwarded });
  send(res, answer.status, answer.body);
}

/**
 * Asks the instance that owns the request, from this thread: a lookup of another instance's
 * request does not wait for this one's main thread (http/forward.ts askOwner does the same there).
 * @param {import('node:http').ServerResponse} res
 * @param {string} requestId
 * @param {string} owner
 * @param {string} self
 */
async function forwardLookup(res, requestId, owner, self) {
  /** @param {'answered' | 'unanswered'} outcome @param {string} [why] */
  const told = (outcome, why) =>
    port.postMessage({ type: 'asked', route: 'request', outcome, owner, requestId, ...(why ? { why } : {}) });
  try {
    const view = await fetchRequest(owner, requestId, {
      timeoutMs: options.forwardTimeoutMs,
      token: options.token,
      headers: { 'x-pipeline-forwarded': self },
    });
    told('answered');
    if (view) return send(res, 200, view);
    return send(res, 404, { error: `no change request ${requestId}` });
  } catch (error) {
    told('unanswered', error instanceof Error ? error.message : String(error));
    return send(res, 503, {
      error: `request ${requestId}: the instance that owns it (${owner}) did not answer; try again`,
    });
  }
}

const server = createServer((req, res) => {
  handle(req, res).catch((/** @type {unknown} */ error) => {
    send(res, 500, { error: error instanceof Error ? error.message : String(error) });
  });
});

port.on('message', (/** @type {FromMain} */ message) => {
  switch (message.type) {
    case 'answer':
      waiting.get(message.id)?.(message);
      break;
    case 'readiness':
      readiness = message.body;
      break;
    case 'owners':
      owners = message.body;
      break;
    case 'close':
      server.close(() => port.postMessage({ type: 'closed' }));
      server.closeAllConnections();
      break;
  }
});

server.on('error', (/** @type {NodeJS.ErrnoException} */ error) => {
  port.postMessage({ type: 'failed', message: error.message, code: error.code });
});
server.listen({ host: options.host, port: options.port, backlog: options.backlog }, () => {
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  port.postMessage({ type: 'listening', address: address.address, port: address.port });
});
