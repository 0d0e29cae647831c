import type { OptionSpec } from './args.js';
import { CliError, orchestratorUnreachable, UsageError } from './errors.js';

export const DEFAULT_ORCHESTRATOR_URL = 'http://localhost:9300';

/** The `--url` option and its environment variable, shared by every command that asks the orchestrator. */
export const URL_OPTION: OptionSpec = {
  type: 'string',
  placeholder: '<url>',
  description: "the orchestrator's HTTP address",
  defaultText: `$ORCH_URL or ${DEFAULT_ORCHESTRATOR_URL}`,
};
export const URL_ENV: [name: string, description: string] = [
  'ORCH_URL',
  `the orchestrator's HTTP address (default ${DEFAULT_ORCHESTRATOR_URL})`,
];

/** What `GET /requests/{id}` answers (the orchestrator's public RequestView). */
export interface RequestView {
  id: string;
  stage: string;
  final: boolean;
  change: { requester?: string; repo?: string; branch?: string; description?: string };
  ids: {
    plan?: string;
    tasks: Array<{ id: string; status?: string; commit?: string }>;
    build?: string;
    spec?: string;
    testsCommit?: string;
  };
  failure?: { stage: string; reason: string; detail: string };
  history: Array<{ stage: string; at: string }>;
  createdAt: string;
  updatedAt: string;
}

const REQUEST_TIMEOUT_MS = 5000;

/** `--url`, else ORCH_URL, else http://localhost:9300; without a trailing slash. */
export function orchestratorUrl(flag: string | undefined, env: NodeJS.ProcessEnv, command?: string): string {
  const raw = flag ?? (env.ORCH_URL?.trim() || DEFAULT_ORCHESTRATOR_URL);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`${raw} is not a URL: use e.g. ${DEFAULT_ORCHESTRATOR_URL}`, command);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${raw} is not an http(s) URL: use e.g. ${DEFAULT_ORCHESTRATOR_URL}`, command);
  }
  return url.href.replace(/\/+$/, '');
}

async function get(baseUrl: string, path: string): Promise<Response> {
  try {
    return await fetch(`${baseUrl}${path}`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  } catch (error) {
    throw orchestratorUnreachable(baseUrl, fetchFailureCause(error));
  }
}

/** The request's view, or undefined when the orchestrator does not know the id (404). */
export async function fetchRequest(baseUrl: string, id: string): Promise<RequestView | undefined> {
  const response = await get(baseUrl, `/requests/${encodeURIComponent(id)}`);
  if (response.status === 404) {
    await response.body?.cancel();
    return undefined;
  }
  if (!response.ok) {
    const text = (await response.text().catch(() => '')).trim();
    throw new CliError(`the orchestrator at ${baseUrl} answered HTTP ${response.status}: ${text}`);
  }
  return (await response.json()) as RequestView;
}

/** True when `/readyz` answers 200; false for any other answer or no answer. */
export async function isReady(baseUrl: string): Promise<boolean> {
  try {
    const response = await fetch(`${baseUrl}/readyz`, { signal: AbortSignal.timeout(2000) });
    await response.body?.cancel();
    return response.status === 200;
  } catch {
    return false;
  }
}

/** fetch() says only "fetch failed"; the reason (ECONNREFUSED, a timeout…) is in its cause. */
function fetchFailureCause(error: unknown): string | undefined {
  const e = error as { name?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError') return `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`;
  return e?.cause?.code ?? e?.cause?.message;
}
