import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { CliError, EXIT } from '@pipeline/cli-kit';
import { envPort } from './start-services.js';

export const DEMO_DEFAULTS = {
  count: 8,
  httpPort: 9300,
  thinkMs: 200,
  timeoutMs: 120_000,
} as const;

export interface DemoOptions {
  /** Change requests to submit (default 8). */
  count?: number;
  /** Stop everything after the summary and report by exit code (default: --ci, CI=true or stdin not a TTY). */
  nonInteractive?: boolean;
  /** Plain progress lines instead of redrawing in place (default: CI=true or output not a TTY). */
  ci?: boolean;
  /** Broker to use; default KAFKA_BOOTSTRAP, else one started with the local launcher. */
  bootstrap?: string;
  /** Orchestrator HTTP port (default ORCH_HTTP_PORT, else 9300; a busy one is replaced); 0 = any free port. */
  httpPort?: number;
  /** Mean think time of the stub agents, ms (default 200). */
  thinkMs?: number;
  /** Every request must be final this long after submission (default 120 s). */
  timeoutMs?: number;
  /** Leave a broker the demo started running at the end. */
  keepBroker?: boolean;
  /** Topic prefix (default a new `demo-<time>-<random>.` per run). */
  prefix?: string;
  /** Where the children's logs go (default `<repo>/.demo/logs`). */
  logDir?: string;
  env?: NodeJS.ProcessEnv;
  /** Output (default stdout). */
  write?: (text: string) => void;
  /** Output is a terminal: the progress is redrawn in place. */
  tty?: boolean;
  /** Aborting (Ctrl-C) stops everything. */
  signal?: AbortSignal;
}

/** The options of one run with every default applied. */
export interface DemoSettings {
  count: number;
  timeoutMs: number;
  thinkMs: number;
  httpPort: number;
  nonInteractive: boolean;
  tty: boolean;
  keepBroker: boolean;
  bootstrap: string | undefined;
  runTag: string;
  prefix: string;
  logDir: string;
}

export function demoSettings(options: DemoOptions, env: NodeJS.ProcessEnv, root: string): DemoSettings {
  const count = options.count ?? DEMO_DEFAULTS.count;
  if (!Number.isInteger(count) || count < 1)
    throw new CliError('count must be a whole number >= 1', EXIT.usage);
  const ciOutput = options.ci ?? env.CI === 'true';
  const runTag = timeTag();
  return {
    count,
    timeoutMs: options.timeoutMs ?? DEMO_DEFAULTS.timeoutMs,
    thinkMs: options.thinkMs ?? DEMO_DEFAULTS.thinkMs,
    httpPort: options.httpPort ?? envPort(env) ?? DEMO_DEFAULTS.httpPort,
    nonInteractive: options.nonInteractive ?? (ciOutput || process.stdin.isTTY !== true),
    tty: !ciOutput && (options.tty ?? process.stdout.isTTY === true),
    keepBroker: options.keepBroker ?? false,
    bootstrap: options.bootstrap,
    runTag,
    prefix: options.prefix ?? `demo-${runTag}.`,
    logDir: options.logDir ?? join(root, '.demo', 'logs'),
  };
}

/** `20261124-160501-3fa2`: when the run started, plus a little randomness for parallel runs. */
export function timeTag(now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const date = `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}`;
  const time = `${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`;
  return `${date}-${time}-${randomBytes(2).toString('hex')}`;
}
