import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { provisionPipelineTopics } from '@pipeline/kafka';
import * as launcher from '@pipeline/kafka-launcher';
import { ALL_TOPICS, DEFAULT_TOPIC_OPTIONS, TopicNames } from '@pipeline/topics';
import type { ParsedArgs } from '../args.js';
import { type ChangeRequestSender, connectChangeRequestSender } from '../change-request.js';
import { type Io, processIo } from '../command.js';
import { CliError, EXIT, errorText } from '../errors.js';
import { formatDuration } from '../format.js';
import { cliClient, kafkaSettings, withBroker } from '../kafka.js';
import { fetchRequest, isReady, type RequestView } from '../orchestrator-client.js';
import { historySpanMs } from '../request-view.js';
import { runCommand } from '../run-command.js';
import { fileContains, type ServiceProcess, startService } from './children.js';
import { type ExpectedOutcome, type PlannedRequest, planRequests } from './plan.js';
import { freePort, isPortFree } from './ports.js';
import { LiveRegion, type ProgressState, renderProgressFrame, renderProgressLine } from './progress.js';
import { repoRoot } from './repo.js';
import { demoArgs, demoSpec } from './spec.js';
import { percentile } from './stats.js';
import { renderSummary } from './summary.js';

export const DEMO_DEFAULTS = {
  count: 8,
  httpPort: 9300,
  thinkMs: 200,
  timeoutMs: 120_000,
} as const;

/** How long the orchestrator and the agents may take to become ready. */
const READY_TIMEOUT_MS = 90_000;
const POLL_MS = 250;
const POLL_CONCURRENCY = 16;
/** The orchestrator not answering for this long (while its process lives) ends the run. */
const UNREACHABLE_LIMIT_MS = 15_000;

export interface DemoOptions {
  /** Change requests to submit (default 8). */
  count?: number;
  /** Stop everything after the summary and report by exit code (default: --ci, CI=true or stdin not a TTY). */
  nonInteractive?: boolean;
  /** Plain progress lines instead of redrawing in place (default: CI=true or output not a TTY). */
  ci?: boolean;
  /** Broker to use; default KAFKA_BOOTSTRAP, else one started with @pipeline/kafka-launcher. */
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

export interface DemoOutcome {
  id: string;
  expected: ExpectedOutcome;
  /** `waiting` when the orchestrator never reported the request. */
  actual: { stage: string; reason?: string; failedStage?: string };
  /** First to last stage change, as the orchestrator recorded them. */
  latencyMs: number | undefined;
  /** Final, and as expected. */
  ok: boolean;
}

export interface DemoTotals {
  submitted: number;
  done: number;
  regressed: number;
  unfinished: number;
  unexpected: number;
  p50Ms: number | undefined;
  p99Ms: number | undefined;
  /** From the first submission until every request was final (or the timeout). */
  elapsedMs: number;
}

export interface DemoResult {
  prefix: string;
  bootstrap: string;
  orchestratorUrl: string;
  outcomes: DemoOutcome[];
  totals: DemoTotals;
  /** Every request final and as expected. */
  ok: boolean;
  /** Stopped by the signal before the summary. */
  interrupted: boolean;
  /** 0 ok, 1 an unexpected or unfinished request, 130 interrupted before the summary. */
  exitCode: number;
}

class Interrupted extends Error {
  constructor() {
    super('interrupted');
  }
}

/**
 * The end-to-end demo: a broker (the given one, or a local one), the topics under a fresh prefix,
 * the orchestrator and the stub agents as child processes, N change requests (some failing on
 * purpose), live progress, a summary; then either waits for Ctrl-C (interactive) or stops
 * everything and reports (non-interactive). Everything it started is stopped on the way out.
 */
export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const env = options.env ?? process.env;
  const write = options.write ?? ((text: string) => void process.stdout.write(text));
  const signal = options.signal ?? new AbortController().signal;
  const count = options.count ?? DEMO_DEFAULTS.count;
  const timeoutMs = options.timeoutMs ?? DEMO_DEFAULTS.timeoutMs;
  const thinkMs = options.thinkMs ?? DEMO_DEFAULTS.thinkMs;
  const ciOutput = options.ci ?? env.CI === 'true';
  const nonInteractive = options.nonInteractive ?? (ciOutput || process.stdin.isTTY !== true);
  const tty = !ciOutput && (options.tty ?? process.stdout.isTTY === true);
  const root = repoRoot();
  const rel = (path: string) => relative(process.cwd(), path) || '.';
  const step = (label: string, text: string) => write(`▶ ${label.padEnd(12)} ${text}\n`);
  const sleep = (ms: number) =>
    delay(ms, undefined, { signal }).catch((error: unknown) => {
      throw signal.aborted ? new Interrupted() : error;
    });
  const checkAbort = () => {
    if (signal.aborted) throw new Interrupted();
  };

  if (!Number.isInteger(count) || count < 1)
    throw new CliError(`count must be a whole number >= 1`, EXIT.usage);
  const orchestratorMain = join(root, 'apps', 'orchestrator', 'dist', 'main.js');
  const agentsMain = join(root, 'apps', 'mock-agents', 'dist', 'main.js');
  for (const file of [orchestratorMain, agentsMain]) {
    if (!existsSync(file))
      throw new CliError(`${rel(file)} is missing: run \`pnpm build\` first`, EXIT.usage);
  }

  const runTag = timeTag();
  const prefix = options.prefix ?? `demo-${runTag}.`;
  const logDir = options.logDir ?? join(root, '.demo', 'logs');
  const services: ServiceProcess[] = [];
  let stopBroker: (() => Promise<unknown>) | undefined;
  let sender: ChangeRequestSender | undefined;
  let bootstrap = '';
  let orchestratorUrl = '';
  let result: DemoResult | undefined;
  let summaryShown = false;

  write(
    `pipeline demo: ${count} change request${count === 1 ? '' : 's'} through the orchestrator and the stub agents\n\n`,
  );
  try {
    // --- Broker
    const given = options.bootstrap ?? env.KAFKA_BOOTSTRAP?.trim();
    if (given) {
      bootstrap = given;
      step('broker', `using ${options.bootstrap ? '' : 'KAFKA_BOOTSTRAP='}${bootstrap}`);
    } else {
      step(
        'broker',
        'starting a local Kafka (@pipeline/kafka-launcher, as pnpm kafka:up; set KAFKA_BOOTSTRAP to use yours)',
      );
      const broker = await launcher
        .up({ log: (line) => write(`  [kafka] ${line}\n`) })
        .catch((error: unknown) => {
          throw launcherFailure(error);
        });
      bootstrap = broker.bootstrap;
      if (!broker.alreadyRunning && !options.keepBroker) {
        stopBroker = () => launcher.down({ log: (line) => write(`  [kafka] ${line}\n`) });
      }
      step(
        'broker',
        broker.alreadyRunning
          ? `reusing the running Kafka at ${bootstrap} (left running)`
          : `Kafka ${broker.version} at ${bootstrap}${options.keepBroker ? ' (left running)' : ' (stopped at the end)'}`,
      );
    }
    checkAbort();

    // --- Topics
    const kafkaEnv = { ...env, KAFKA_BOOTSTRAP: bootstrap };
    const { config } = kafkaSettings(kafkaEnv, 'pipeline-demo');
    const names = TopicNames.prefixed(prefix);
    const client = cliClient(config, env);
    await withBroker(config, () => provisionPipelineTopics(client, { names }));
    step(
      'topics',
      `prefix ${prefix} (${ALL_TOPICS.length} topics, ${DEFAULT_TOPIC_OPTIONS.partitions} partitions each; ` +
        'a new prefix per run, so runs never mix)',
    );
    checkAbort();

    // --- Orchestrator and stub agents
    const port = await choosePort(options.httpPort ?? envPort(env) ?? DEMO_DEFAULTS.httpPort, (text) =>
      step('http', text),
    );
    orchestratorUrl = `http://localhost:${port}`;
    mkdirSync(logDir, { recursive: true });
    const common = { ...kafkaEnv, PIPELINE_TOPIC_PREFIX: prefix };
    const orchestrator = startService({
      name: 'orchestrator',
      script: orchestratorMain,
      cwd: root,
      logFile: join(logDir, 'orchestrator.log'),
      env: {
        ...common,
        ORCH_HTTP_PORT: String(port),
        ORCH_SESSION_TIMEOUT: '10s',
        // Its own consumer group and transactional ids per run: another demo on the same broker
        // (or a crashed earlier one) never takes part in this one's group.
        ORCH_GROUP_ID: `${prefix}orchestrator`,
        LOG_LEVEL: 'warn',
      },
    });
    services.push(orchestrator);
    step('orchestrator', `${orchestratorUrl} (pid ${orchestrator.pid}, log ${rel(orchestrator.logFile)})`);
    const agents = startService({
      name: 'stub agents',
      script: agentsMain,
      cwd: root,
      logFile: join(logDir, 'mock-agents.log'),
      env: {
        ...common,
        MOCK_THINK_MS: String(thinkMs),
        MOCK_GROUP_PREFIX: `${prefix}mock-agents`,
        // info: the log says when every role consumes, which is when the demo may start.
        LOG_LEVEL: 'info',
      },
    });
    services.push(agents);
    step('stub agents', `5 roles, think time ~${thinkMs} ms (pid ${agents.pid}, log ${rel(agents.logFile)})`);

    const readyStart = Date.now();
    await waitUntil(
      async () => {
        assertRunning(services, rel);
        if (fileContains(agents.logFile, 'mock agents failed to start')) throw serviceFailed(agents, rel);
        return (
          (await isReady(orchestratorUrl)) && fileContains(agents.logFile, '"msg":"mock agents running"')
        );
      },
      READY_TIMEOUT_MS,
      sleep,
      () =>
        new CliError(
          `the orchestrator or the stub agents were not ready after ${READY_TIMEOUT_MS / 1000} s: ` +
            `see ${rel(orchestrator.logFile)} and ${rel(agents.logFile)}`,
        ),
    );
    step('ready', `in ${formatDuration(Date.now() - readyStart)}`);

    // --- Submit
    const planned = planRequests(count, runTag);
    const failing = planned.filter((p) => p.fail);
    step(
      'submit',
      `${count} change request${count === 1 ? '' : 's'}` +
        (failing.length > 0
          ? `, ${failing.length} set to fail (${[...new Set(failing.map((p) => `fail-${p.fail}`))].join(', ')}; understood by the stub agents only)`
          : ''),
    );
    sender = await withBroker(config, () => connectChangeRequestSender(client, names));
    const submittedAt = Date.now();
    await sender.send(
      ...planned.map((p) => ({
        id: p.id,
        repo: 'demo/shop',
        branch: 'main',
        description: p.fail ? `demo change that fails at ${p.fail}` : 'demo change',
        requester: 'pipeline-demo',
      })),
    );
    await sender.close();
    sender = undefined;
    write('\n');

    // --- Progress
    const views = new Map<string, RequestView>();
    const region = new LiveRegion(write);
    const state = (): ProgressState => ({
      total: count,
      counts: countByStage(planned, views),
      elapsedMs: Date.now() - submittedAt,
    });
    let lastLine = 0;
    let unreachableSince: number | undefined;
    const deadline = submittedAt + timeoutMs;
    for (;;) {
      assertRunning(services, rel);
      const open = planned.filter((p) => !views.get(p.id)?.final);
      try {
        await mapLimit(open, POLL_CONCURRENCY, async (p) => {
          const view = await fetchRequest(orchestratorUrl, p.id);
          if (view) views.set(p.id, view);
        });
        unreachableSince = undefined;
      } catch (error) {
        checkAbort();
        assertRunning(services, rel);
        unreachableSince ??= Date.now();
        if (Date.now() - unreachableSince > UNREACHABLE_LIMIT_MS) throw error;
      }
      if (planned.every((p) => views.get(p.id)?.final) || Date.now() >= deadline) break;
      if (tty) region.update(renderProgressFrame(state()));
      else if (Date.now() - lastLine >= 1000) {
        write(renderProgressLine(state()));
        lastLine = Date.now();
      }
      await sleep(POLL_MS);
    }
    const elapsedMs = Date.now() - submittedAt;
    if (tty) region.update(renderProgressFrame({ ...state(), elapsedMs }));
    else write(renderProgressLine({ ...state(), elapsedMs }));
    region.done();

    // --- Summary
    const outcomes = planned.map((p) => outcomeOf(p, views.get(p.id)));
    result = buildResult({ prefix, bootstrap, orchestratorUrl, outcomes, elapsedMs });
    write(
      `\n${renderSummary(result, {
        timeoutMs,
        interactive: !nonInteractive,
        logFiles: services.map((s) => rel(s.logFile)),
      })}`,
    );
    summaryShown = true;

    if (!nonInteractive) {
      write('\nPress Ctrl-C to stop.\n');
      // Ctrl-C reaches the children too (same terminal), so a child that exits is only "on its own"
      // if no signal arrived shortly after.
      const ended = await new Promise<'signal' | ServiceProcess>((resolve) => {
        if (signal.aborted) return resolve('signal');
        signal.addEventListener('abort', () => resolve('signal'), { once: true });
        for (const s of services) void s.exited.then(() => setTimeout(() => resolve(s), 500));
      });
      if (ended !== 'signal' && !signal.aborted) {
        write(`\nthe ${ended.name} stopped on its own; stopping everything (log ${rel(ended.logFile)}).\n`);
        result.exitCode = 1;
      } else {
        result.exitCode = 0;
      }
    }
    return result;
  } catch (error) {
    if (error instanceof Interrupted || signal.aborted) {
      const interrupted = !summaryShown;
      const base = result ?? buildResult({ prefix, bootstrap, orchestratorUrl, outcomes: [], elapsedMs: 0 });
      return { ...base, interrupted, exitCode: interrupted ? 130 : 0 };
    }
    throw error;
  } finally {
    if (signal.aborted) write('\nstopping… (Ctrl-C again to quit at once)\n');
    await sender?.close().catch(() => {});
    const stopped = await Promise.all(services.map(async (s) => [s.name, await s.stop()] as const));
    const killed = stopped.filter(([, how]) => how === 'killed').map(([name]) => name);
    if (killed.length > 0) write(`${killed.join(' and ')} did not stop within 10 s: killed\n`);
    if (stopBroker) {
      write('stopping the broker the demo started…\n');
      await stopBroker().catch((error: unknown) => write(`could not stop the broker: ${errorText(error)}\n`));
    }
  }
}

function buildResult(parts: {
  prefix: string;
  bootstrap: string;
  orchestratorUrl: string;
  outcomes: DemoOutcome[];
  elapsedMs: number;
}): DemoResult {
  const { outcomes } = parts;
  const latencies = outcomes
    .filter((o) => o.actual.stage === 'done' || o.actual.stage === 'regress')
    .map((o) => o.latencyMs)
    .filter((ms): ms is number => ms !== undefined);
  const totals: DemoTotals = {
    submitted: outcomes.length,
    done: outcomes.filter((o) => o.actual.stage === 'done').length,
    regressed: outcomes.filter((o) => o.actual.stage === 'regress').length,
    unfinished: outcomes.filter((o) => o.actual.stage !== 'done' && o.actual.stage !== 'regress').length,
    unexpected: outcomes.filter((o) => !o.ok).length,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    elapsedMs: parts.elapsedMs,
  };
  const ok = totals.unexpected === 0;
  return {
    prefix: parts.prefix,
    bootstrap: parts.bootstrap,
    orchestratorUrl: parts.orchestratorUrl,
    outcomes,
    totals,
    ok,
    interrupted: false,
    exitCode: ok ? 0 : 1,
  };
}

/** Compares what happened to a request with what its failure marker promised. */
export function outcomeOf(planned: PlannedRequest, view: RequestView | undefined): DemoOutcome {
  const actual: DemoOutcome['actual'] = { stage: view?.stage ?? 'waiting' };
  if (view?.failure) {
    actual.reason = view.failure.reason;
    actual.failedStage = view.failure.stage;
  }
  const expected = planned.expected;
  const ok =
    view?.final === true &&
    actual.stage === expected.stage &&
    actual.reason === expected.reason &&
    actual.failedStage === expected.failedStage;
  return { id: planned.id, expected, actual, latencyMs: view ? historySpanMs(view) : undefined, ok };
}

function countByStage(
  planned: readonly PlannedRequest[],
  views: Map<string, RequestView>,
): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const p of planned) {
    const stage = views.get(p.id)?.stage ?? 'waiting';
    counts[stage] = (counts[stage] ?? 0) + 1;
  }
  return counts;
}

/** The asked-for port if free; otherwise (or for 0) one the kernel picks, saying so. */
async function choosePort(wanted: number, say: (text: string) => void): Promise<number> {
  if (wanted !== 0 && (await isPortFree(wanted))) return wanted;
  const port = await freePort();
  if (wanted !== 0) say(`port ${wanted} is busy; the orchestrator uses ${port} instead`);
  return port;
}

function envPort(env: NodeJS.ProcessEnv): number | undefined {
  const raw = env.ORCH_HTTP_PORT?.trim();
  if (!raw) return undefined;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port > 65535)
    throw new CliError(`ORCH_HTTP_PORT=${raw} is not a port`, EXIT.usage);
  return port;
}

/** The launcher's own errors are written for humans: keep their text and exit code, drop the stack. */
function launcherFailure(error: unknown): unknown {
  if (!(error instanceof launcher.LauncherError)) return error;
  const details = error.details ? `\n${error.details}` : '';
  return new CliError(
    `could not start a local Kafka: ${error.message}${details}\n(or set KAFKA_BOOTSTRAP to a broker you run yourself)`,
    error.exitCode,
  );
}

function assertRunning(services: readonly ServiceProcess[], rel: (path: string) => string): void {
  const dead = services.find((s) => s.hasExited());
  if (dead) throw serviceFailed(dead, rel);
}

function serviceFailed(service: ServiceProcess, rel: (path: string) => string): CliError {
  const log = service.logTail(15);
  return new CliError(
    `the ${service.name} stopped unexpectedly; last lines of ${rel(service.logFile)}:\n${log || '(empty)'}`,
  );
}

async function waitUntil(
  check: () => Promise<boolean>,
  timeoutMs: number,
  sleep: (ms: number) => Promise<unknown>,
  onTimeout: () => Error,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() >= deadline) throw onTimeout();
    await sleep(POLL_MS);
  }
}

/** Runs `fn` over `items`, at most `limit` at a time; rejects with the first error. */
async function mapLimit<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** `20261124-160501-3fa2`: when the run started, plus a little randomness for parallel runs. */
function timeTag(now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const date = `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}`;
  const time = `${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`;
  return `${date}-${time}-${randomBytes(2).toString('hex')}`;
}

/**
 * `pnpm demo` (scripts/demo.mjs) and `pipeline demo`: arguments as on the command line; resolves to
 * the exit code. Ctrl-C (or SIGTERM) stops everything the demo started; a second one exits at once.
 */
export function main(argv: readonly string[] = process.argv.slice(2), io: Io = processIo()): Promise<number> {
  return runCommand({ spec: demoSpec, run: runDemoWithArgs }, argv, io);
}

export async function runDemoWithArgs(args: ParsedArgs, io: Io): Promise<number> {
  const parsed = demoArgs(args);
  const controller = new AbortController();
  let signals = 0;
  const onSignal = () => {
    signals += 1;
    if (signals === 1) {
      controller.abort();
    } else {
      process.exit(130);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const ci = parsed.ci || io.env.CI === 'true';
    const result = await runDemo({
      count: parsed.count,
      ci,
      nonInteractive: ci || io.stdinIsTTY !== true,
      timeoutMs: parsed.timeoutMs,
      thinkMs: parsed.thinkMs,
      keepBroker: parsed.keepBroker,
      ...(parsed.httpPort === undefined ? {} : { httpPort: parsed.httpPort }),
      env: io.env,
      write: io.out,
      tty: io.stdout?.isTTY === true,
      signal: controller.signal,
    });
    return result.exitCode;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
