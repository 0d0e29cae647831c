// The launcher's public functions: up (start or reuse this checkout's broker), down (stop it), status
// (is it running and answering?) and runningBootstrap (its address, for tests and tools). The pieces:
// start.ts (one start attempt), resolve-jars.ts (Maven -> jar cache), config.ts (server.properties +
// logging), process.ts (spawn / wait / stop), probe.ts (Kafka ApiVersions readiness check), lock.ts
// (concurrent callers), prereqs.ts (java/mvn lookup), run-state.ts and paths.ts (where files live).

import { mkdirSync } from 'node:fs';
import { EXIT_CONFIG, EXIT_START_FAILED, LauncherError } from './errors.js';
import { acquireLock } from './lock.js';
import {
  DEFAULT_KAFKA_VERSION,
  type Log,
  parsePort,
  parseTimeout,
  seconds,
  toLogger,
  validateVersion,
} from './options.js';
import { checkPrereqs } from './prereqs.js';
import { probeApiVersions } from './probe.js';
import { findOurBrokers, isOurBroker, stopProcess } from './process.js';
import { cachedLibs, resolveJars } from './resolve-jars.js';
import {
  type BrokerRecord,
  forgetBroker,
  kafkaHome,
  readBootstrapFile,
  readBrokerJson,
  type StatePaths,
  statePaths,
} from './run-state.js';
import { LOG_TAIL_LINES, StartAttemptFailed, startOnce } from './start.js';

// Kafka's own test harnesses retry a broker start once on slow/loaded CI machines; so do we.
const START_ATTEMPTS = 2;

export interface UpOptions {
  /** Kafka version; default env KAFKA_VERSION, then DEFAULT_KAFKA_VERSION. */
  version?: string | undefined;
  /** Client port (a string is read like KAFKA_PORT); default env KAFKA_PORT, then a free port. */
  port?: number | string | undefined;
  /** Progress output; default stderr, false = silent. */
  log?: Log | undefined;
  /** Per-attempt readiness deadline; default env KAFKA_START_TIMEOUT_MS, then 90 s. */
  timeoutMs?: number | undefined;
  /** Run-state directory; default env PIPELINE_KAFKA_HOME, then <repo>/.kafka. */
  home?: string | undefined;
}

export interface UpResult {
  bootstrap: string;
  pid: number;
  version: string;
  startedInMs: number;
  /** true when this checkout's broker was already running and was reused. */
  alreadyRunning: boolean;
}

export interface DownOptions {
  log?: Log | undefined;
  home?: string | undefined;
}

export interface StatusResult {
  /** The recorded JVM is alive AND answers ApiVersions. */
  running: boolean;
  bootstrap?: string;
  pid?: number;
  version?: string;
  port?: number;
  logFile?: string;
  /** broker.json's state when not running (`starting`, or `running` when it stopped answering). */
  state?: string;
  reason?: string;
}

const pathsFor = (home: string | undefined): StatePaths => statePaths(home ?? kafkaHome());

/** Starts a fresh single-node broker, or reuses the one already running for this checkout. */
export async function up({ version, port, log, timeoutMs, home }: UpOptions = {}): Promise<UpResult> {
  const t0 = Date.now();
  const say = toLogger(log);
  const env = process.env;

  // "Explicit" = the caller asked for something specific; only then does a running broker of another
  // version/port count as a conflict rather than something to reuse.
  const explicitVersion = version ?? (env.KAFKA_VERSION || undefined);
  const wantVersion = validateVersion(explicitVersion ?? DEFAULT_KAFKA_VERSION);
  const explicitPort = parsePort(port ?? (env.KAFKA_PORT || undefined));
  const startTimeoutMs = parseTimeout(timeoutMs ?? (env.KAFKA_START_TIMEOUT_MS || undefined));

  // Prerequisites before touching anything. Maven only matters on a cold jar cache.
  const { java, mvn } = checkPrereqs({ needMaven: !cachedLibs(wantVersion, env) });

  const paths = pathsFor(home);
  mkdirSync(paths.home, { recursive: true });
  const release = await acquireLock(paths.lockFile, { log: say });
  try {
    // --- Reuse, or clean up what a previous run left behind.
    const current = await inspect(paths);
    if (current.serving) {
      const b = current.broker;
      if (explicitVersion && b.version !== wantVersion) {
        throw new LauncherError(
          `Kafka ${b.version} is already running at ${b.bootstrap}, but ${wantVersion} was asked for; run \`kafka:down\` first.`,
          { exitCode: EXIT_CONFIG },
        );
      }
      if (explicitPort && b.port !== explicitPort) {
        throw new LauncherError(
          `Kafka is already running at ${b.bootstrap}, but port ${explicitPort} was asked for; run \`kafka:down\` first.`,
          { exitCode: EXIT_CONFIG },
        );
      }
      say(`Kafka ${b.version} already running at ${b.bootstrap} (pid ${b.pid}); reusing it`);
      return {
        bootstrap: b.bootstrap,
        pid: b.pid,
        version: b.version,
        startedInMs: Date.now() - t0,
        alreadyRunning: true,
      };
    }
    if (current.broker && current.alive) {
      say(`${current.reason}; stopping it`);
      await stopProcess(current.broker.pid, { graceMs: 10_000 });
    } else if (current.broker) {
      say(`removing stale broker.json (pid ${current.broker.pid} is gone)`);
    }
    forgetBroker(paths);
    for (const pid of findOurBrokers(paths.serverProperties)) {
      say(`stopping stray broker JVM pid ${pid} that uses ${paths.serverProperties}`);
      await stopProcess(pid, { graceMs: 10_000 });
    }

    // --- Jars (Maven runs only on a cold cache).
    const libs = await resolveJars({ version: wantVersion, mvn, log: say, env });

    // --- Start, with one retry on a fresh data dir.
    for (let attempt = 1; ; attempt++) {
      try {
        const broker = await startOnce({
          paths,
          java,
          libs,
          version: wantVersion,
          explicitPort,
          startTimeoutMs,
          say,
        });
        const startedInMs = Date.now() - t0;
        say(
          `Kafka ${wantVersion} ready at ${broker.bootstrap} in ${seconds(startedInMs)} (pid ${broker.pid}, log ${paths.logFile})`,
        );
        return {
          bootstrap: broker.bootstrap,
          pid: broker.pid,
          version: wantVersion,
          startedInMs,
          alreadyRunning: false,
        };
      } catch (err) {
        const cause = err instanceof StartAttemptFailed ? err.reason : err;
        if (cause instanceof LauncherError && cause.exitCode === EXIT_CONFIG) throw cause;
        const message = err instanceof Error ? err.message : String(err);
        const tail = err instanceof StartAttemptFailed ? err.logTail : '';
        if (attempt < START_ATTEMPTS) {
          say(`start attempt ${attempt} failed: ${message}`);
          if (tail) say(`last lines of ${paths.logFile}:\n${tail}`);
          say('retrying once with a fresh data dir…');
          continue;
        }
        throw new LauncherError(
          `Kafka ${wantVersion} failed to start after ${attempt} attempts: ${message}`,
          {
            exitCode: EXIT_START_FAILED,
            details: tail ? `last ${LOG_TAIL_LINES} lines of ${paths.logFile}:\n${tail}` : undefined,
            cause,
          },
        );
      }
    }
  } finally {
    release();
  }
}

/**
 * Stops the broker of this checkout: SIGTERM, up to 20 s for Kafka's controlled shutdown, then SIGKILL.
 * Also stops any stray broker JVM using this checkout's config. Safe to call when nothing runs.
 */
export async function down({ log, home }: DownOptions = {}): Promise<{ stopped: boolean }> {
  const say = toLogger(log);
  const paths = pathsFor(home);
  mkdirSync(paths.home, { recursive: true });
  const release = await acquireLock(paths.lockFile, { log: say });
  try {
    return await stopAll(paths, say);
  } finally {
    release();
  }
}

/** Stops every broker JVM of this run-state folder and forgets it (down without the lock: the CLI's Ctrl-C). */
export async function stopAll(paths: StatePaths, say: (line: string) => void): Promise<{ stopped: boolean }> {
  const broker = readBrokerJson(paths);
  const pids = new Set(findOurBrokers(paths.serverProperties));
  if (broker && isOurBroker(broker.pid, paths.serverProperties)) pids.add(broker.pid);
  if (pids.size === 0) {
    forgetBroker(paths);
    say(broker ? `no broker running (removed stale broker.json for pid ${broker.pid})` : 'no broker running');
    return { stopped: false };
  }
  for (const pid of pids) {
    const label =
      broker?.pid === pid
        ? `Kafka ${broker.version} (pid ${pid}, ${broker.bootstrap})`
        : `broker JVM pid ${pid}`;
    say(`stopping ${label}…`);
    const t = Date.now();
    const how = await stopProcess(pid, { graceMs: 20_000 });
    say(
      how === 'killed'
        ? `${label} did not exit within 20 s; killed`
        : `stopped in ${seconds(Date.now() - t)}`,
    );
  }
  forgetBroker(paths);
  return { stopped: true };
}

/** Whether this checkout's broker is running and answering; never starts or stops anything. */
export async function status({ home }: { home?: string | undefined } = {}): Promise<StatusResult> {
  const current = await inspect(pathsFor(home));
  if (!current.broker) return { running: false, reason: 'no broker.json' };
  const { bootstrap, pid, version, port, logFile, state } = current.broker;
  if (current.serving) return { running: true, bootstrap, pid, version, port, logFile };
  return { running: false, bootstrap, pid, version, port, logFile, state, reason: current.reason };
}

/**
 * The bootstrap address (`127.0.0.1:PORT`) of this checkout's broker when it got ready and its JVM is
 * still alive, from the run state; undefined otherwise. Synchronous and cheap: it does not ask the
 * broker (status() does).
 */
export function runningBootstrap({ home }: { home?: string | undefined } = {}): string | undefined {
  let paths: StatePaths;
  try {
    paths = pathsFor(home);
  } catch {
    return undefined; // not in a checkout and no PIPELINE_KAFKA_HOME: no broker of ours
  }
  const bootstrap = readBootstrapFile(paths);
  const broker = readBrokerJson(paths);
  if (!bootstrap || !broker || !isOurBroker(broker.pid, paths.serverProperties)) return undefined;
  return bootstrap;
}

type Inspection =
  | { broker: null; alive: false; serving: false; reason?: undefined }
  | { broker: BrokerRecord; alive: boolean; serving: false; reason: string }
  | { broker: BrokerRecord; alive: true; serving: true; reason?: undefined };

/** What broker.json says, and whether that process is alive, ours, and serving. */
async function inspect(paths: StatePaths): Promise<Inspection> {
  const broker = readBrokerJson(paths);
  if (!broker) return { broker: null, alive: false, serving: false };
  if (!isOurBroker(broker.pid, paths.serverProperties)) {
    return { broker, alive: false, serving: false, reason: `pid ${broker.pid} is not running` };
  }
  const probe = await probeApiVersions({ port: broker.port, timeoutMs: 2000 });
  if (probe.ok) return { broker, alive: true, serving: true };
  return {
    broker,
    alive: true,
    serving: false,
    reason: `pid ${broker.pid} is alive but does not answer ApiVersions (${probe.reason})`,
  };
}
