// The services a scenario runs, each a separate process started by its package's bin: orchestrator
// instances (killable, stoppable, freezable), the stub agents, and the operator CLI.

import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { packageBin, type ServiceProcess, startService } from '@pipeline/cli-kit';
import { freePort, pollUntil } from '@pipeline/common';

/** How long a service may take to start on a busy 2-core machine (a JVM-free Node process, but a join). */
const READY_TIMEOUT_MS = 120_000;

const rel = (path: string) => path;
const binOf = (name: string, bin: string) => packageBin(name, bin, { from: import.meta.url, rel });

/** One orchestrator process; `restart` starts a fresh process under the same name and port. */
export class OrchestratorInstance {
  private process: ServiceProcess;
  private starts = 0;
  private expectingExit = false;
  /** True when a process ended although nobody stopped or killed it. */
  exitedOnItsOwn = false;
  readonly url: string;

  private constructor(
    readonly name: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly logDir: string,
    readonly port: number,
  ) {
    this.url = `http://127.0.0.1:${port}`;
    this.process = this.spawn();
  }

  static async start(name: string, env: NodeJS.ProcessEnv, logDir: string): Promise<OrchestratorInstance> {
    const instance = new OrchestratorInstance(name, env, logDir, await freePort());
    instance.watch();
    return instance;
  }

  private spawn(): ServiceProcess {
    this.starts += 1;
    return startService({
      name: this.name,
      script: binOf('@pipeline/orchestrator', 'pipeline-orchestrator'),
      cwd: process.cwd(),
      env: { ...this.env, ORCH_HTTP_PORT: String(this.port), ORCH_HTTP_HOST: '127.0.0.1' },
      logFile: join(this.logDir, `${this.name}.${this.starts}.log`),
    });
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  /** Resolves once /readyz answers 200; fails at once if the process exits. */
  async ready(timeoutMs = READY_TIMEOUT_MS): Promise<void> {
    await pollUntil(
      async () => {
        if (this.process.hasExited()) {
          throw new Error(`${this.name} exited while starting:\n${this.process.logTail(15)}`);
        }
        return (await fetch(`${this.url}/readyz`).catch(() => undefined))?.ok === true;
      },
      { timeoutMs, intervalMs: 100, what: `${this.name} ready` },
    );
  }

  async isReady(): Promise<boolean> {
    return (await fetch(`${this.url}/readyz`).catch(() => undefined))?.ok === true;
  }

  /** SIGKILL, and wait until the process is gone. */
  async kill(): Promise<void> {
    this.expectingExit = true;
    if (this.process.pid !== undefined && !this.process.hasExited())
      process.kill(this.process.pid, 'SIGKILL');
    await this.process.exited;
  }

  /** SIGTERM with the service's own grace (then SIGKILL after `graceMs`). */
  async stop(graceMs = 30_000): Promise<'exited' | 'terminated' | 'killed'> {
    this.expectingExit = true;
    return this.process.stop(graceMs);
  }

  /** SIGSTOP: the process keeps its sockets but does nothing (a zombie). */
  freeze(): void {
    if (this.process.pid !== undefined) process.kill(this.process.pid, 'SIGSTOP');
  }

  thaw(): void {
    if (this.process.pid !== undefined) process.kill(this.process.pid, 'SIGCONT');
  }

  /** Starts a new process in place of the one that was killed or stopped. */
  restart(): void {
    if (!this.process.hasExited()) throw new Error(`${this.name} is still running`);
    this.expectingExit = false;
    this.process = this.spawn();
    this.watch();
  }

  /** Notes an exit nobody asked for (the orchestrator must never exit on its own). */
  watch(): void {
    const current = this.process;
    void current.exited.then(() => {
      if (!this.expectingExit && current === this.process) this.exitedOnItsOwn = true;
    });
  }

  /**
   * The value of a counter or gauge from /metrics, summed over its label sets, or over those that
   * contain `labels` (e.g. `reason="too_large"`); 0 when absent.
   */
  async metric(name: string, labels = ''): Promise<number> {
    const text = await fetch(`${this.url}/metrics`)
      .then((r) => r.text())
      .catch(() => '');
    let sum = 0;
    for (const line of text.split('\n')) {
      const ours = line.startsWith(`${name} `) || line.startsWith(`${name}{`);
      if (ours && line.includes(labels)) sum += Number(line.split(' ').at(-1));
    }
    return sum;
  }

  logTail(lines = 20): string {
    return this.process.logTail(lines);
  }
}

/** Starts the stub agents (all five roles in one process) and waits until every role consumes. */
export async function startAgents(env: NodeJS.ProcessEnv, logDir: string): Promise<ServiceProcess> {
  const agents = startService({
    name: 'stub agents',
    script: binOf('@pipeline/mock-agents', 'pipeline-mock-agents'),
    cwd: process.cwd(),
    env: { LOG_LEVEL: 'info', ...env },
    logFile: join(logDir, 'mock-agents.log'),
  });
  await pollUntil(
    () => {
      if (agents.hasExited()) throw new Error(`the stub agents exited:\n${agents.logTail(15)}`);
      return agents.logTail(200).includes('"msg":"mock agents running"');
    },
    { timeoutMs: READY_TIMEOUT_MS, intervalMs: 200, what: 'stub agents running' },
  );
  return agents;
}

/** Runs the operator CLI (`pipeline …`) to its end; resolves to its exit code and output. */
export function runCli(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [binOf('@pipeline/cli', 'pipeline'), ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise((resolve) => {
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.on('error', (error) => resolve({ code: 127, stdout, stderr: `${stderr}${error.message}` }));
  });
}
