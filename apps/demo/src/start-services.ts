import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  CliError,
  EXIT,
  fileContains,
  formatDuration,
  type ServiceProcess,
  startService,
} from '@pipeline/cli-kit';
import { freePort, isPortFree, pollUntil } from '@pipeline/common';
import { isReady } from '@pipeline/orchestrator-api';
import type { DemoContext } from './context.js';

/** How long the orchestrator and the agents may take to become ready. */
const READY_TIMEOUT_MS = 90_000;
const POLL_MS = 250;

export interface ServicesOptions {
  /** The services' environment (with the run's broker). */
  env: NodeJS.ProcessEnv;
  prefix: string;
  /** Wanted HTTP port of the orchestrator; 0 = any free one. */
  httpPort: number;
  thinkMs: number;
  logDir: string;
  bins: { orchestrator: string; agents: string };
}

/**
 * Starts the orchestrator and the stub agents as child processes (pushed to `services` at once, so
 * the caller stops them whatever happens next) and waits until both are ready. Resolves to the
 * orchestrator's URL.
 */
export async function startServices(
  ctx: DemoContext,
  services: ServiceProcess[],
  options: ServicesOptions,
): Promise<string> {
  const host = options.env.ORCH_HTTP_HOST?.trim() || '127.0.0.1';
  const port = await choosePort(options.httpPort, host, (text) => ctx.step('http', text));
  const url = `http://${urlHost(host)}:${port}`;
  mkdirSync(options.logDir, { recursive: true });
  const common = { ...options.env, PIPELINE_TOPIC_PREFIX: options.prefix };
  const orchestrator = startService({
    name: 'orchestrator',
    script: options.bins.orchestrator,
    cwd: ctx.root,
    logFile: join(options.logDir, 'orchestrator.log'),
    env: {
      ...common,
      ORCH_HTTP_PORT: String(port),
      ORCH_SESSION_TIMEOUT: '10s',
      // Its own consumer group and transactional ids per run: another demo on the same broker
      // (or a crashed earlier one) never takes part in this one's group.
      ORCH_GROUP_ID: `${options.prefix}orchestrator`,
      LOG_LEVEL: 'warn',
    },
  });
  services.push(orchestrator);
  ctx.step('orchestrator', `${url} (pid ${orchestrator.pid}, log ${ctx.rel(orchestrator.logFile)})`);
  const agents = startService({
    name: 'stub agents',
    script: options.bins.agents,
    cwd: ctx.root,
    logFile: join(options.logDir, 'mock-agents.log'),
    env: {
      ...common,
      MOCK_THINK_MS: String(options.thinkMs),
      MOCK_GROUP_PREFIX: `${options.prefix}mock-agents`,
      // info: the log says when every role consumes, which is when the demo may start.
      LOG_LEVEL: 'info',
    },
  });
  services.push(agents);
  const thinks = `think time ~${options.thinkMs} ms`;
  ctx.step('stub agents', `5 roles, ${thinks} (pid ${agents.pid}, log ${ctx.rel(agents.logFile)})`);
  await waitUntilReady(ctx, services, { url, orchestrator, agents });
  return url;
}

async function waitUntilReady(
  ctx: DemoContext,
  services: readonly ServiceProcess[],
  parts: { url: string; orchestrator: ServiceProcess; agents: ServiceProcess },
): Promise<void> {
  const { url, orchestrator, agents } = parts;
  const started = Date.now();
  const check = async () => {
    assertRunning(ctx, services);
    if (fileContains(agents.logFile, 'mock agents failed to start')) throw serviceFailed(ctx, agents);
    return (await isReady(url)) && fileContains(agents.logFile, '"msg":"mock agents running"');
  };
  try {
    await pollUntil(check, {
      timeoutMs: READY_TIMEOUT_MS,
      intervalMs: POLL_MS,
      what: 'the services',
      signal: ctx.signal,
    });
  } catch (error) {
    ctx.checkAbort();
    if (Date.now() - started <= READY_TIMEOUT_MS) throw error;
    throw new CliError(
      `the orchestrator or the stub agents were not ready after ${READY_TIMEOUT_MS / 1000} s: ` +
        `see ${ctx.rel(orchestrator.logFile)} and ${ctx.rel(agents.logFile)}`,
    );
  }
  ctx.step('ready', `in ${formatDuration(Date.now() - started)}`);
}

/** Throws the "stopped unexpectedly" error of the first service that has exited. */
export function assertRunning(ctx: DemoContext, services: readonly ServiceProcess[]): void {
  const dead = services.find((s) => s.hasExited());
  if (dead) throw serviceFailed(ctx, dead);
}

function serviceFailed(ctx: DemoContext, service: ServiceProcess): CliError {
  const log = service.logTail(15);
  return new CliError(
    `the ${service.name} stopped unexpectedly; last lines of ${ctx.rel(service.logFile)}:\n${log || '(empty)'}`,
  );
}

/** The asked-for port if free; otherwise (or for 0) one the kernel picks, saying so. */
async function choosePort(wanted: number, host: string, say: (text: string) => void): Promise<number> {
  // Checked on the interface the orchestrator binds (ORCH_HTTP_HOST, loopback by default).
  if (wanted !== 0 && (await isPortFree(wanted, host))) return wanted;
  const port = await freePort(host);
  if (wanted !== 0) say(`port ${wanted} is busy; the orchestrator uses ${port} instead`);
  return port;
}

/** Where to reach a server bound to `host`: not "localhost", which may resolve to ::1 first. */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

/** ORCH_HTTP_PORT, when set: the orchestrator's port unless an option says otherwise. */
export function envPort(env: NodeJS.ProcessEnv): number | undefined {
  const raw = env.ORCH_HTTP_PORT?.trim();
  if (!raw) return undefined;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port > 65535)
    throw new CliError(`ORCH_HTTP_PORT=${raw} is not a port`, EXIT.usage);
  return port;
}
