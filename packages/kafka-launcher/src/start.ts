// One start attempt of a fresh broker: ports, an empty data dir, the config, `storage format`, the
// detached JVM, and the wait until it answers. It leaves no process behind when it fails.

import { mkdirSync, rmSync } from 'node:fs';
import { freePort, isPortFree, tailFile } from '@pipeline/common';
import { newClusterId, writeBrokerConfig } from './config.js';
import { EXIT_CONFIG, EXIT_START_FAILED, LauncherError } from './errors.js';
import { type BrokerProcess, formatStorage, spawnBroker, stopProcess, waitUntilServing } from './process.js';
import {
  type BrokerRecord,
  forgetBroker,
  rotateLog,
  type StatePaths,
  writeBootstrapFile,
  writeBrokerJson,
} from './run-state.js';

export const LOG_TAIL_LINES = 40;

// Kafka's own test harnesses retry a broker start once on slow/loaded CI machines; so do we.
const START_ATTEMPTS = 2;

/**
 * Runs `attempt` (a fresh start: new data dir, new ports) and retries it once when it fails after it
 * began; a configuration error (exit code 2) is thrown at once. `what` names it in the final error
 * (`Kafka 3.9.1`), `logs` says where the printed tail comes from.
 */
export async function startWithRetry<T>({
  what,
  logs,
  tailLines = LOG_TAIL_LINES,
  say,
  attempt,
}: {
  what: string;
  logs: string;
  /** How many lines of each log the tail holds (for the message). */
  tailLines?: number;
  say: (line: string) => void;
  attempt: () => Promise<T>;
}): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      const cause = err instanceof StartAttemptFailed ? err.reason : err;
      if (cause instanceof LauncherError && cause.exitCode === EXIT_CONFIG) throw cause;
      const message = err instanceof Error ? err.message : String(err);
      const tail = err instanceof StartAttemptFailed ? err.logTail : '';
      if (n < START_ATTEMPTS) {
        say(`start attempt ${n} failed: ${message}`);
        if (tail) say(`last lines of ${logs}:\n${tail}`);
        say('retrying once with a fresh data dir…');
        continue;
      }
      throw new LauncherError(`${what} failed to start after ${n} attempts: ${message}`, {
        exitCode: EXIT_START_FAILED,
        details: tail ? `last ${tailLines} lines of ${logs}:\n${tail}` : undefined,
        cause,
      });
    }
  }
}

/** A start attempt that failed after it began; `logTail` is the end of the broker log. */
export class StartAttemptFailed extends Error {
  constructor(
    readonly reason: unknown,
    readonly logTail: string,
  ) {
    super(reason instanceof Error ? reason.message : String(reason));
    this.name = 'StartAttemptFailed';
  }
}

export interface StartOptions {
  paths: StatePaths;
  java: string;
  libs: string;
  version: string;
  /** The client port asked for; undefined picks a free one. */
  explicitPort: number | undefined;
  startTimeoutMs: number;
  say: (line: string) => void;
}

/**
 * Starts a broker and returns once it answers ApiVersions. Throws a LauncherError (exit code 2) when
 * the asked-for port is busy, StartAttemptFailed for anything after that.
 */
export async function startOnce({
  paths,
  java,
  libs,
  version,
  explicitPort,
  startTimeoutMs,
  say,
}: StartOptions): Promise<{ bootstrap: string; pid: number }> {
  // Ports: the asked-for one must be free (a clear error beats a bind failure deep in the log);
  // otherwise let the kernel pick. The controller port is always picked.
  let port: number;
  if (explicitPort) {
    if (!(await isPortFree(explicitPort))) {
      throw new LauncherError(`port ${explicitPort} on 127.0.0.1 is already in use (KAFKA_PORT / --port).`, {
        exitCode: EXIT_CONFIG,
      });
    }
    port = explicitPort;
  } else {
    port = await freePort();
  }
  let controllerPort = await freePort();
  while (controllerPort === port) controllerPort = await freePort();

  // A broker is scratch state: every fresh start gets an empty data dir and a new cluster id.
  rmSync(paths.dataDir, { recursive: true, force: true });
  mkdirSync(paths.dataDir, { recursive: true });
  mkdirSync(paths.logsDir, { recursive: true });
  rotateLog(paths.logFile);

  const { serverProperties, loggingArgs } = writeBrokerConfig({ paths, version, port, controllerPort });
  const jvm = { java, libs, loggingArgs, serverProperties, logFile: paths.logFile };
  const clusterId = newClusterId();
  let broker: BrokerProcess | undefined;
  try {
    await formatStorage({ ...jvm, clusterId });
    broker = spawnBroker(jvm);
    const pid = broker.child.pid;
    if (pid === undefined) {
      // java vanished between the prerequisite check and now; the 'error' event says why.
      await new Promise((resolve) => setImmediate(resolve));
      throw new Error(`could not start java: ${broker.spawnError?.message ?? 'no process id'}`);
    }
    const bootstrap = `127.0.0.1:${port}`;
    const record: BrokerRecord = {
      bootstrap,
      pid,
      version,
      port,
      controllerPort,
      clusterId,
      logFile: paths.logFile,
      dataDir: paths.dataDir,
      state: 'starting',
      startedAt: new Date().toISOString(),
    };
    // Written before the wait, so an interrupted `up` (Ctrl-C) leaves a record `down` can act on.
    writeBrokerJson(paths, record);
    say(`starting Kafka ${version} (pid ${pid}) on ${bootstrap}, controller 127.0.0.1:${controllerPort}…`);
    await waitUntilServing({ broker, port, timeoutMs: startTimeoutMs });
    writeBrokerJson(paths, { ...record, state: 'running', readyAt: new Date().toISOString() });
    writeBootstrapFile(paths, bootstrap);
    // Let this Node process exit while the broker keeps running.
    broker.child.unref();
    return { bootstrap, pid };
  } catch (err) {
    const pid = broker?.child.pid;
    if (pid) await stopProcess(pid, { graceMs: 5_000 });
    forgetBroker(paths);
    throw new StartAttemptFailed(err, tailFile(paths.logFile, LOG_TAIL_LINES));
  }
}
