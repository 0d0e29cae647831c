// Everything about the broker JVM as an OS process: formatting storage, spawning it detached, waiting
// until it serves, finding it again by its command line, and stopping it (gracefully, then by force).

import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pollUntil } from '@pipeline/common';
import { probeApiVersions } from './probe.js';

// Small heap: a test broker holds little data; two of these plus a test run fit on a small CI box.
// A cluster node asks for more (cluster.ts: CLUSTER_HEAP).
export const SINGLE_NODE_HEAP: readonly string[] = ['-Xms256m', '-Xmx512m'];
const jvmArgs = (heap: readonly string[] | undefined): string[] => [
  ...(heap ?? SINGLE_NODE_HEAP),
  '-Djava.awt.headless=true',
];

/** What every JVM of one broker start is run with. */
export interface JvmOptions {
  java: string;
  /** The directory of the broker's jars (the classpath is `<libs>/*`). */
  libs: string;
  /** -D flags that point Kafka's logging at our config (config.ts). */
  loggingArgs: readonly string[];
  serverProperties: string;
  /** Where the JVM's stdout and stderr are appended. */
  logFile: string;
  /** -Xms/-Xmx flags; default SINGLE_NODE_HEAP. */
  heap?: readonly string[] | undefined;
}

function procRead(pid: number | 'self', file: string): string | null {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return null;
  }
}

let procFs: boolean | undefined;
function existsProcFs(): boolean {
  if (procFs === undefined) procFs = procRead('self', 'stat') !== null;
  return procFs;
}

/**
 * Whether pid is a live process. kill(pid, 0) alone is not enough: a JVM whose parent never reaps it
 * (e.g. PID 1 in a container that is not an init) stays a zombie that still "exists".
 */
export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const stat = procRead(pid, 'stat');
  // No /proc entry: gone on Linux; on systems without /proc, trust kill(0).
  if (stat === null) return !existsProcFs();
  // Field 3 (after the parenthesised command name) is the state letter.
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state !== 'Z' && state !== 'X';
}

/**
 * Whether pid is the broker started with this serverProperties file. Guards against pid reuse: we only
 * ever signal a process whose command line is `… kafka.Kafka <our server.properties>`. Without /proc
 * (macOS) we fall back to "alive".
 */
export function isOurBroker(pid: number, serverProperties: string): boolean {
  if (!isAlive(pid)) return false;
  if (!existsProcFs()) return true;
  const cmdline = procRead(pid, 'cmdline');
  if (cmdline === null) return false;
  const args = cmdline.split('\0');
  return args.includes('kafka.Kafka') && args.includes(serverProperties);
}

/**
 * Every live broker JVM using our serverProperties (or any of a list of them: the nodes of a cluster),
 * including ones the run state no longer knows. One pass over /proc.
 */
export function findOurBrokers(serverProperties: string | readonly string[]): number[] {
  if (!existsProcFs()) return [];
  const files = typeof serverProperties === 'string' ? [serverProperties] : serverProperties;
  if (files.length === 0) return [];
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid !== process.pid && files.some((file) => isOurBroker(pid, file))) pids.push(pid);
  }
  return pids;
}

/**
 * `kafka.tools.StorageTool format`: writes meta.properties and the bootstrap metadata into the (empty)
 * data dir. Output goes to the broker log so a failure is visible in the same place.
 */
export function formatStorage({ clusterId, ...jvm }: JvmOptions & { clusterId: string }): Promise<void> {
  const fd = openSync(jvm.logFile, 'a');
  try {
    const child = spawn(
      jvm.java,
      [
        ...jvmArgs(jvm.heap),
        '-cp',
        join(jvm.libs, '*'),
        ...jvm.loggingArgs,
        'kafka.tools.StorageTool',
        'format',
        '-t',
        clusterId,
        '-c',
        jvm.serverProperties,
      ],
      { stdio: ['ignore', fd, fd] },
    );
    return new Promise((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', (code, signal) =>
        code === 0 ? resolve() : reject(new Error(`storage format exited with ${code ?? signal}`)),
      );
    });
  } finally {
    closeSync(fd);
  }
}

/** A spawned broker JVM and what became of it while we wait for it. */
export interface BrokerProcess {
  readonly child: ChildProcess;
  /** Set when the JVM exits, so waitUntilServing can fail at once instead of at the deadline. */
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  /** Set when java could not be started at all. */
  spawnError: Error | undefined;
}

/**
 * Starts `java … kafka.Kafka server.properties` detached: its own session (so Ctrl-C in the terminal
 * that ran `kafka:up` does not kill it), stdout/stderr appended to logFile, no pipes back to us (so
 * this Node process can exit while the broker keeps running).
 */
export function spawnBroker(jvm: JvmOptions): BrokerProcess {
  const fd = openSync(jvm.logFile, 'a');
  try {
    const child = spawn(
      jvm.java,
      [
        ...jvmArgs(jvm.heap),
        '-cp',
        join(jvm.libs, '*'),
        ...jvm.loggingArgs,
        'kafka.Kafka',
        jvm.serverProperties,
      ],
      { detached: true, stdio: ['ignore', fd, fd] },
    );
    const broker: BrokerProcess = { child, exit: undefined, spawnError: undefined };
    child.on('exit', (code, signal) => {
      broker.exit = { code, signal };
    });
    child.on('error', (err) => {
      broker.spawnError = err;
    });
    return broker;
  } finally {
    closeSync(fd);
  }
}

/** Polls ApiVersions until the broker answers; rejects with a human-readable reason when it dies or the deadline passes. */
export async function waitUntilServing({
  broker,
  port,
  timeoutMs,
}: {
  broker: BrokerProcess;
  port: number;
  timeoutMs: number;
}): Promise<void> {
  let last = 'not probed yet';
  const check = async (): Promise<boolean> => {
    if (broker.spawnError) throw new StartupFailure(`could not start java: ${broker.spawnError.message}`);
    if (broker.exit) {
      const { code, signal } = broker.exit;
      throw new StartupFailure(
        `broker process exited during startup (${signal ? `signal ${signal}` : `exit code ${code}`})`,
      );
    }
    const result = await probeApiVersions({ port, timeoutMs: 2000 });
    if (!result.ok) last = result.reason;
    return result.ok;
  };
  try {
    await pollUntil(check, { timeoutMs, intervalMs: 250, what: `ApiVersions on 127.0.0.1:${port}` });
  } catch (err) {
    if (err instanceof StartupFailure) throw err;
    throw new Error(
      `broker did not answer ApiVersions on 127.0.0.1:${port} within ${timeoutMs} ms (last: ${last})`,
    );
  }
}

/** The broker process failed for good (as opposed to: not ready yet). */
class StartupFailure extends Error {}

export type StopOutcome = 'terminated' | 'killed' | 'not-running';

/** SIGTERM, wait up to graceMs for Kafka's controlled shutdown, then SIGKILL. */
export async function stopProcess(pid: number, { graceMs = 20_000 } = {}): Promise<StopOutcome> {
  if (!isAlive(pid)) return 'not-running';
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return 'not-running';
  }
  if (await exits(pid, graceMs)) return 'terminated';
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // exited between the check and the kill
  }
  await exits(pid, 5_000);
  return 'killed';
}

/** SIGKILL (a crash: no controlled shutdown, no flush) and wait until the process is gone. */
export async function killProcess(pid: number): Promise<StopOutcome> {
  if (!isAlive(pid)) return 'not-running';
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return 'not-running';
  }
  await exits(pid, 10_000);
  return 'killed';
}

/** Whether pid is gone within ms (checked every 100 ms). */
async function exits(pid: number, ms: number): Promise<boolean> {
  return pollUntil(() => !isAlive(pid), { timeoutMs: ms, intervalMs: 100, what: `pid ${pid} to exit` }).then(
    () => true,
    () => false,
  );
}
