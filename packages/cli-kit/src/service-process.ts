import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { tailFile } from '@pipeline/common';

/** A service the demo runs as a child process, its output in a log file. */
export interface ServiceProcess {
  name: string;
  pid: number | undefined;
  logFile: string;
  /** Resolves when the process has ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  hasExited(): boolean;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs?: number): Promise<'exited' | 'terminated' | 'killed'>;
  /** The last lines of its log, for error messages. */
  logTail(lines?: number): string;
}

export const STOP_GRACE_MS = 10_000;

/** What a service runs: a Node script (a package's bin), or another program (a JVM application). */
export type ServiceCommand =
  | {
      script: string;
      /** Options for node before the script (e.g. --cpu-prof, which NODE_OPTIONS does not take). */
      nodeArgs?: readonly string[];
    }
  | {
      /** The executable (e.g. `java`), found on PATH when it has no slash. */
      program: string;
      args: readonly string[];
    };

/**
 * Starts `node <script>` (a package's bin), or `program args…`, with `env`, stdout and stderr
 * appended to `logFile` (truncated first). The process started is the service itself (its pid is
 * the one to measure), not a shell. Not detached: a Ctrl-C in the terminal reaches it too, so it
 * stops even if the demo is stuck.
 */
export function startService(
  options: {
    name: string;
    cwd: string;
    env: NodeJS.ProcessEnv;
    logFile: string;
  } & ServiceCommand,
): ServiceProcess {
  const fd = openSync(options.logFile, 'w');
  let child: ChildProcess;
  try {
    const [file, args] =
      'program' in options
        ? [options.program, options.args]
        : [process.execPath, [...(options.nodeArgs ?? []), options.script]];
    child = spawn(file, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', fd, fd],
    });
  } finally {
    closeSync(fd);
  }
  let done = false;
  // Last resort: if the demo itself dies without stopping its children, they die with it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      done = true;
      process.off('exit', killOnExit);
      resolve({ code, signal });
    };
    child.once('exit', finish);
    child.once('error', () => finish(127, null));
  });
  const logTail = (lines = 20) => tailFile(options.logFile, lines);
  return {
    name: options.name,
    pid: child.pid,
    logFile: options.logFile,
    exited,
    hasExited: () => done,
    logTail,
    async stop(graceMs = STOP_GRACE_MS) {
      if (done) return 'exited';
      child.kill('SIGTERM');
      const timer = new Promise<'timeout'>((resolve) =>
        setTimeout(() => resolve('timeout'), graceMs).unref(),
      );
      if ((await Promise.race([exited.then(() => 'exited' as const), timer])) === 'exited')
        return 'terminated';
      child.kill('SIGKILL');
      await exited;
      return 'killed';
    },
  };
}

/** True once `file` contains `text` (read whole: the logs of a demo run are small). */
export function fileContains(file: string, text: string): boolean {
  try {
    return readFileSync(file, 'utf8').includes(text);
  } catch {
    return false;
  }
}
