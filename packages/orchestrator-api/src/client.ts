import {
  OrchestratorApiError,
  OrchestratorHttpError,
  OrchestratorUnauthorizedError,
  OrchestratorUnreachableError,
} from './errors.js';
import { type ListQuery, listPath, type RequestList } from './request-list.js';
import { type RequestView, requestPath } from './request-view.js';

/** Where the orchestrator's HTTP server listens by default (ORCH_HTTP_PORT 9300). */
export const DEFAULT_ORCHESTRATOR_URL = 'http://localhost:9300';
/** The environment variable clients read the orchestrator's address from. */
export const ORCHESTRATOR_URL_ENV = 'ORCH_URL';
/**
 * The environment variable of the bearer token GET /requests/{id} may need: the same name as the
 * orchestrator's own setting, so one `export ORCH_HTTP_TOKEN=…` serves both.
 */
export const ORCHESTRATOR_TOKEN_ENV = 'ORCH_HTTP_TOKEN';
/** How long one `fetchRequest` waits for an answer. */
export const REQUEST_TIMEOUT_MS = 5000;
/** How long one `isReady` waits for an answer. */
export const READY_TIMEOUT_MS = 2000;

/**
 * The base URL of the orchestrator: `given` (a flag), else `env.ORCH_URL`, else
 * http://localhost:9300; checked to be http(s), without a trailing slash. Throws an
 * OrchestratorApiError `INVALID_URL` whose message says what to write instead.
 */
export function orchestratorUrl(given: string | undefined, env: NodeJS.ProcessEnv = {}): string {
  const raw = given ?? (env[ORCHESTRATOR_URL_ENV]?.trim() || DEFAULT_ORCHESTRATOR_URL);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new OrchestratorApiError(
      'INVALID_URL',
      raw,
      `${raw} is not a URL: use e.g. ${DEFAULT_ORCHESTRATOR_URL}`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new OrchestratorApiError(
      'INVALID_URL',
      raw,
      `${raw} is not an http(s) URL: use e.g. ${DEFAULT_ORCHESTRATOR_URL}`,
    );
  }
  return url.href.replace(/\/+$/, '');
}

/** The bearer token: `given` (a flag), else `env.ORCH_HTTP_TOKEN`, else none. */
export function orchestratorToken(
  given: string | undefined,
  env: NodeJS.ProcessEnv = {},
): string | undefined {
  const token = given ?? env[ORCHESTRATOR_TOKEN_ENV];
  return token?.trim() || undefined;
}

type AskOptions = {
  timeoutMs?: number;
  token?: string | undefined;
  /** More request headers (an orchestrator forwarding a question to another instance marks it so). */
  headers?: Record<string, string>;
};

/**
 * GETs `path` as JSON, with the bearer token when there is one; `undefined` for a 404 when
 * `notFound` allows it. Throws OrchestratorUnreachableError when it does not answer,
 * OrchestratorUnauthorizedError for a 401, OrchestratorHttpError for any other failing status.
 */
async function getJson<T>(
  baseUrl: string,
  path: string,
  options: AskOptions,
  notFound: 'undefined' | 'error',
): Promise<T | undefined> {
  const timeoutMs = options.timeoutMs ?? REQUEST_TIMEOUT_MS;
  const headers: Record<string, string> = {
    ...options.headers,
    ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
  };
  let response: Response;
  try {
    response = await fetch(`${baseUrl}${path}`, { headers, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw new OrchestratorUnreachableError(baseUrl, fetchFailureReason(error, timeoutMs), { cause: error });
  }
  if (response.status === 401 || (response.status === 404 && notFound === 'undefined')) {
    await response.body?.cancel();
    if (response.status === 401) throw new OrchestratorUnauthorizedError(baseUrl, Boolean(options.token));
    return undefined;
  }
  if (!response.ok) {
    const text = (await response.text().catch(() => '')).trim();
    throw new OrchestratorHttpError(baseUrl, response.status, text);
  }
  return (await response.json()) as T;
}

/**
 * The request's view (`GET /requests/{id}`), or undefined when the orchestrator does not know the id
 * (404). `token` is sent as `Authorization: Bearer`. Throws as getJson says.
 */
export function fetchRequest(
  baseUrl: string,
  id: string,
  options: AskOptions = {},
): Promise<RequestView | undefined> {
  return getJson<RequestView>(baseUrl, requestPath(id), options, 'undefined');
}

/** One page of `GET /requests`; a query the orchestrator refuses (400) throws with its reason. */
export async function fetchRequestList(
  baseUrl: string,
  query: ListQuery,
  options: AskOptions = {},
): Promise<RequestList> {
  return (await getJson<RequestList>(baseUrl, listPath(query), options, 'error')) as RequestList;
}

/** True when `/readyz` answers 200; false for any other answer or no answer. */
export async function isReady(baseUrl: string, options: { timeoutMs?: number } = {}): Promise<boolean> {
  try {
    const response = await fetch(`${baseUrl}/readyz`, {
      signal: AbortSignal.timeout(options.timeoutMs ?? READY_TIMEOUT_MS),
    });
    await response.body?.cancel();
    return response.status === 200;
  } catch {
    return false;
  }
}

/** fetch() says only "fetch failed"; the reason (ECONNREFUSED, a timeout…) is in its cause. */
function fetchFailureReason(error: unknown, timeoutMs: number): string | undefined {
  const e = error as { name?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError') return `no answer within ${timeoutMs / 1000} s`;
  return e?.cause?.code ?? e?.cause?.message;
}
