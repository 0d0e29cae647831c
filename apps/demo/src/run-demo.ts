import { packageBin, type ServiceProcess } from '@pipeline/cli-kit';
import { errorMessage } from '@pipeline/common';
import { createContext, type DemoContext, Interrupted } from './context.js';
import { followProgress } from './follow-progress.js';
import { operate } from './operate.js';
import { type DemoOptions, type DemoSettings, demoSettings } from './options.js';
import { buildResult, type DemoResult, outcomeOf } from './outcomes.js';
import { provisionTopics } from './provision-topics.js';
import { repoRoot } from './repo.js';
import { startBroker } from './start-broker.js';
import { startServices } from './start-services.js';
import { submitRequests } from './submit-requests.js';
import { renderSummary } from './summary.js';
import { waitForCtrlC } from './wait-for-ctrl-c.js';

/** The services the demo runs, each by its package's bin (the packages are dependencies of this one). */
export const SERVICE_BINS = {
  orchestrator: { packageName: '@pipeline/orchestrator', bin: 'pipeline-orchestrator' },
  agents: { packageName: '@pipeline/mock-agents', bin: 'pipeline-mock-agents' },
} as const;

/** What a run has started so far (to stop on the way out) and learned (for the result). */
interface RunState {
  services: ServiceProcess[];
  stopBroker?: (() => Promise<unknown>) | undefined;
  bootstrap: string;
  orchestratorUrl: string;
  result?: DemoResult;
}

/**
 * The end-to-end demo: a broker (the given one, or a local one), the topics under a fresh prefix,
 * the orchestrator and the stub agents as child processes (by their package bins), N change
 * requests (some failing on purpose), live progress, a summary; then either waits for Ctrl-C
 * (interactive) or stops everything and reports (non-interactive). Everything it started is stopped
 * on the way out.
 */
export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const env = options.env ?? process.env;
  const root = repoRoot();
  const write = options.write ?? ((text: string) => void process.stdout.write(text));
  const signal = options.signal ?? new AbortController().signal;
  const ctx = createContext({ env, write, signal, root });
  const settings = demoSettings(options, env, root);
  const bin = { from: import.meta.url, rel: ctx.rel };
  const bins = {
    orchestrator: packageBin(SERVICE_BINS.orchestrator.packageName, SERVICE_BINS.orchestrator.bin, bin),
    agents: packageBin(SERVICE_BINS.agents.packageName, SERVICE_BINS.agents.bin, bin),
  };
  const run: RunState = { services: [], bootstrap: '', orchestratorUrl: '' };
  const { count } = settings;
  write(
    `pipeline demo: ${count} change request${count === 1 ? '' : 's'} through the orchestrator and the stub agents\n\n`,
  );
  try {
    return await runSteps(ctx, settings, bins, run);
  } catch (error) {
    if (!(error instanceof Interrupted || signal.aborted)) throw error;
    const base = run.result ?? buildResult({ ...run, prefix: settings.prefix, outcomes: [], elapsedMs: 0 });
    const interrupted = run.result === undefined;
    return { ...base, interrupted, exitCode: interrupted ? 130 : 0 };
  } finally {
    await stopEverything(ctx, run);
  }
}

async function runSteps(
  ctx: DemoContext,
  settings: DemoSettings,
  bins: { orchestrator: string; agents: string },
  run: RunState,
): Promise<DemoResult> {
  const { prefix } = settings;
  const broker = await startBroker(ctx, settings);
  run.bootstrap = broker.bootstrap;
  run.stopBroker = broker.stop;
  ctx.checkAbort();
  const kafka = await provisionTopics(ctx, run.bootstrap, prefix);
  ctx.checkAbort();
  const { httpPort, thinkMs, logDir } = settings;
  const serviceOptions = { env: kafka.env, prefix, httpPort, thinkMs, logDir, bins };
  run.orchestratorUrl = await startServices(ctx, run.services, serviceOptions);
  const { planned, submittedAt } = await submitRequests(ctx, kafka, settings);
  const { views, elapsedMs } = await followProgress(ctx, {
    orchestratorUrl: run.orchestratorUrl,
    planned,
    submittedAt,
    timeoutMs: settings.timeoutMs,
    tty: settings.tty,
    services: run.services,
  });
  const outcomes = planned.map((p) => outcomeOf(p, views.get(p.id)));
  const result = buildResult({ ...run, prefix, outcomes, elapsedMs });
  const logFiles = run.services.map((s) => ctx.rel(s.logFile));
  const summaryContext = { timeoutMs: settings.timeoutMs, interactive: !settings.nonInteractive, logFiles };
  ctx.write(`\n${renderSummary(result, summaryContext)}`);
  ctx.write('\noperator controls (orchestrator.control.in):\n');
  result.operations = await operate(ctx, kafka, {
    orchestratorUrl: run.orchestratorUrl,
    outcomes,
    runTag: settings.runTag,
  });
  const operated = (result.operations.redrive?.ok ?? true) && result.operations.cancel.ok;
  if (!operated) {
    result.ok = false;
    result.exitCode = 1;
  }
  run.result = result;
  if (!settings.nonInteractive) result.exitCode = await waitForCtrlC(ctx, run.services);
  return result;
}

/** Stops the services (SIGTERM, then SIGKILL after 10 s) and the broker the demo started. */
async function stopEverything(ctx: DemoContext, run: RunState): Promise<void> {
  if (ctx.signal.aborted) ctx.write('\nstopping… (Ctrl-C again to quit at once)\n');
  const stopped = await Promise.all(run.services.map(async (s) => [s.name, await s.stop()] as const));
  const killed = stopped.filter(([, how]) => how === 'killed').map(([name]) => name);
  if (killed.length > 0) ctx.write(`${killed.join(' and ')} did not stop within 10 s: killed\n`);
  if (run.stopBroker) {
    ctx.write('stopping the broker the demo started…\n');
    await run
      .stopBroker()
      .catch((error: unknown) => ctx.write(`could not stop the broker: ${errorMessage(error)}\n`));
  }
}
