#!/usr/bin/env node
// Local Apache Kafka (KRaft, single node) for tests and development, without Docker.
//
//   node scripts/kafka/launcher.mjs up|down|status [--version X] [--port N] [--json]
//
// Also a module: up(), down(), status() — e.g. for a vitest globalSetup. Plain Node ESM with no
// dependencies, so it runs before `pnpm install` and needs no build. See docs/kafka-launcher.md.
//
// The pieces: resolve-jars.mjs (Maven -> jar cache), config.mjs (server.properties + logging),
// process.mjs (spawn / wait / stop), probe.mjs (Kafka ApiVersions readiness check), lock.mjs
// (concurrent callers), prereqs.mjs (java/mvn lookup), paths.mjs (where files live).

import {
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { fileURLToPath } from 'node:url';
import { newClusterId, writeBrokerConfig } from './config.mjs';
import { EXIT_CONFIG, EXIT_START_FAILED, LauncherError } from './errors.mjs';
import { acquireLock, releaseLock } from './lock.mjs';
import { kafkaHome, statePaths } from './paths.mjs';
import { checkPrereqs } from './prereqs.mjs';
import { probeApiVersions } from './probe.mjs';
import {
  findOurBrokers,
  formatStorage,
  freePort,
  isOurBroker,
  isPortFree,
  spawnBroker,
  stopProcess,
  waitUntilServing,
} from './process.mjs';
import { cachedLibs, majorVersion, resolveJars } from './resolve-jars.mjs';

export { LauncherError } from './errors.mjs';

/** 3.9.x is the line kafkajs is known to work with; 4.1.x is also tested. */
export const DEFAULT_KAFKA_VERSION = '3.9.1';
const DEFAULT_START_TIMEOUT_MS = 90_000;
// Kafka's own test harnesses retry a broker start once on slow/loaded CI machines; so do we.
const START_ATTEMPTS = 2;
const LOG_TAIL_LINES = 40;

const defaultLog = (line) => process.stderr.write(`[kafka] ${line}\n`);
const toLogger = (log) => (log === false ? () => {} : typeof log === 'function' ? log : defaultLog);
const seconds = (ms) => `${(ms / 1000).toFixed(1)}s`;

/**
 * Starts a fresh single-node broker, or reuses the one already running for this checkout.
 *
 * @param {object} [options]
 * @param {string} [options.version]  Kafka version; default env KAFKA_VERSION, then DEFAULT_KAFKA_VERSION.
 * @param {number} [options.port]     Client port; default env KAFKA_PORT, then a free port.
 * @param {((line: string) => void) | false} [options.log]  Progress output; default stderr, false = silent.
 * @param {number} [options.timeoutMs] Per-attempt readiness deadline; default env KAFKA_START_TIMEOUT_MS, then 90 s.
 * @returns {Promise<{ bootstrap: string, pid: number, version: string, startedInMs: number, alreadyRunning: boolean }>}
 */
export async function up({ version, port, log, timeoutMs } = {}) {
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

  const paths = statePaths(kafkaHome(env));
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
        if (err instanceof LauncherError && err.exitCode === EXIT_CONFIG) throw err;
        const tail = err.logTail ?? '';
        if (attempt < START_ATTEMPTS) {
          say(`start attempt ${attempt} failed: ${err.message}`);
          if (tail) say(`last lines of ${paths.logFile}:\n${tail}`);
          say('retrying once with a fresh data dir…');
          continue;
        }
        throw new LauncherError(
          `Kafka ${wantVersion} failed to start after ${attempt} attempts: ${err.message}`,
          {
            exitCode: EXIT_START_FAILED,
            details: tail ? `last ${LOG_TAIL_LINES} lines of ${paths.logFile}:\n${tail}` : undefined,
          },
        );
      }
    }
  } finally {
    release();
  }
}

/** One start attempt: fresh data dir, config, format, spawn, wait. Leaves no process behind on failure. */
async function startOnce({ paths, java, libs, version, explicitPort, startTimeoutMs, say }) {
  // Ports: the asked-for one must be free (a clear error beats a bind failure deep in the log);
  // otherwise let the kernel pick. The controller port is always picked.
  let port = explicitPort;
  if (port) {
    if (!(await isPortFree(port))) {
      throw new LauncherError(`port ${port} on 127.0.0.1 is already in use (KAFKA_PORT / --port).`, {
        exitCode: EXIT_CONFIG,
      });
    }
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
  const clusterId = newClusterId();
  let child;
  try {
    await formatStorage({ java, libs, loggingArgs, clusterId, serverProperties, logFile: paths.logFile });
    child = spawnBroker({ java, libs, loggingArgs, serverProperties, logFile: paths.logFile });
    const bootstrap = `127.0.0.1:${port}`;
    const record = {
      bootstrap,
      pid: child.pid,
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
    writeJsonAtomic(paths.brokerJson, record);
    say(
      `starting Kafka ${version} (pid ${child.pid}) on ${bootstrap}, controller 127.0.0.1:${controllerPort}…`,
    );
    await waitUntilServing({ child, port, timeoutMs: startTimeoutMs });
    writeJsonAtomic(paths.brokerJson, { ...record, state: 'running', readyAt: new Date().toISOString() });
    writeFileSync(paths.bootstrapFile, `${bootstrap}\n`);
    // Let this Node process exit while the broker keeps running.
    child.unref();
    return { bootstrap, pid: child.pid };
  } catch (err) {
    if (child?.pid) await stopProcess(child.pid, { graceMs: 5_000 });
    forgetBroker(paths);
    err.logTail = tailOf(paths.logFile, LOG_TAIL_LINES);
    throw err;
  }
}

/**
 * Stops the broker of this checkout: SIGTERM, up to 20 s for Kafka's controlled shutdown, then SIGKILL.
 * Also stops any stray broker JVM using this checkout's config. Safe to call when nothing runs.
 * @param {{ log?: ((line: string) => void) | false }} [options]
 * @returns {Promise<{ stopped: boolean }>}
 */
export async function down({ log } = {}) {
  const say = toLogger(log);
  const paths = statePaths(kafkaHome());
  mkdirSync(paths.home, { recursive: true });
  const release = await acquireLock(paths.lockFile, { log: say });
  try {
    return await stopAll(paths, say);
  } finally {
    release();
  }
}

async function stopAll(paths, say) {
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

/**
 * @returns {Promise<{ running: boolean, bootstrap?: string, pid?: number, version?: string,
 *   port?: number, state?: string, reason?: string, logFile?: string }>}
 *   running = the recorded JVM is alive AND answers ApiVersions.
 */
export async function status() {
  const paths = statePaths(kafkaHome());
  const current = await inspect(paths);
  if (!current.broker) return { running: false, reason: 'no broker.json' };
  const { bootstrap, pid, version, port, logFile, state } = current.broker;
  if (current.serving) return { running: true, bootstrap, pid, version, port, logFile };
  return { running: false, bootstrap, pid, version, port, logFile, state, reason: current.reason };
}

/** What broker.json says, and whether that process is alive, ours, and serving. */
async function inspect(paths) {
  const broker = readBrokerJson(paths);
  if (!broker) return { broker: null, alive: false, serving: false };
  if (!isOurBroker(broker.pid, paths.serverProperties)) {
    return { broker, alive: false, serving: false, reason: `pid ${broker.pid} is not running` };
  }
  const probe = await probeApiVersions({ port: broker.port, timeoutMs: 2000 });
  return {
    broker,
    alive: true,
    serving: probe.ok,
    reason: probe.ok
      ? undefined
      : `pid ${broker.pid} is alive but does not answer ApiVersions (${probe.reason})`,
  };
}

function readBrokerJson(paths) {
  try {
    const b = JSON.parse(readFileSync(paths.brokerJson, 'utf8'));
    return Number.isInteger(b.pid) && Number.isInteger(b.port) ? b : null;
  } catch {
    return null;
  }
}

function forgetBroker(paths) {
  rmSync(paths.brokerJson, { force: true });
  rmSync(paths.bootstrapFile, { force: true });
}

function writeJsonAtomic(file, value) {
  writeFileSync(`${file}.tmp`, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

/** Keep the previous broker's log (one generation) for post-mortems; each start gets a fresh file. */
function rotateLog(logFile) {
  try {
    renameSync(logFile, logFile.replace(/\.log$/, '.prev.log'));
  } catch {
    // no previous log
  }
}

/** Last n lines of a file (reads at most the last 64 KiB). */
function tailOf(file, n) {
  try {
    const size = statSync(file).size;
    const start = Math.max(0, size - 64 * 1024);
    const buf = Buffer.alloc(size - start);
    const fd = openSync(file, 'r');
    try {
      readSync(fd, buf, 0, buf.length, start);
    } finally {
      closeSync(fd);
    }
    return buf.toString('utf8').trimEnd().split('\n').slice(-n).join('\n');
  } catch {
    return '';
  }
}

function validateVersion(v) {
  if (!/^\d+\.\d+\.\d+$/.test(String(v))) {
    throw new LauncherError(
      `invalid Kafka version "${v}" (expected e.g. ${DEFAULT_KAFKA_VERSION} or 4.1.2).`,
      {
        exitCode: EXIT_CONFIG,
      },
    );
  }
  const [major, minor] = v.split('.').map(Number);
  // Combined-mode KRaft without ZooKeeper became production-ready in 3.3; older versions need ZooKeeper.
  if (major < 3 || (major === 3 && minor < 3)) {
    throw new LauncherError(`Kafka ${v} is too old: this launcher needs KRaft (3.3 or newer).`, {
      exitCode: EXIT_CONFIG,
    });
  }
  return v;
}

function parsePort(p) {
  if (p === undefined || p === null || p === '') return undefined;
  const n = Number(p);
  if (!Number.isInteger(n) || n < 1 || n > 65535) {
    throw new LauncherError(`invalid port "${p}" (KAFKA_PORT / --port must be 1–65535).`, {
      exitCode: EXIT_CONFIG,
    });
  }
  return n;
}

function parseTimeout(t) {
  if (t === undefined || t === null || t === '') return DEFAULT_START_TIMEOUT_MS;
  const n = Number(t);
  if (!Number.isFinite(n) || n <= 0) {
    throw new LauncherError(
      `invalid start timeout "${t}" (KAFKA_START_TIMEOUT_MS must be a positive number of ms).`,
      {
        exitCode: EXIT_CONFIG,
      },
    );
  }
  return n;
}

// ---------------------------------------------------------------------------------------------- CLI

const USAGE = `usage: node scripts/kafka/launcher.mjs <up|down|status> [--version X] [--port N] [--json]

  up       start a fresh single-node Kafka (or reuse the running one); prints the bootstrap address
  down     stop it (SIGTERM, up to 20 s, then SIGKILL)
  status   exit 0 when a broker is running and answering, 1 when not

  --version X   Kafka version (env KAFKA_VERSION, default ${DEFAULT_KAFKA_VERSION})
  --port N      client port on 127.0.0.1 (env KAFKA_PORT, default: a free port)
  --json        print the result as JSON on stdout (progress goes to stderr)

Exit codes: 0 ok, 1 start/stop failed (or status: not running), 2 configuration or missing prerequisite.`;

function parseArgs(argv) {
  const opts = { command: undefined, json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] =
      a.startsWith('--') && a.includes('=')
        ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]
        : [a, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined)
        throw new LauncherError(`${flag} needs a value\n\n${USAGE}`, { exitCode: EXIT_CONFIG });
      return v;
    };
    if (flag === '--version') opts.version = value();
    else if (flag === '--port') opts.port = value();
    else if (flag === '--json') opts.json = true;
    else if (flag === '-h' || flag === '--help') opts.command = 'help';
    else if (!a.startsWith('-') && !opts.command) opts.command = a;
    else throw new LauncherError(`unknown argument "${a}"\n\n${USAGE}`, { exitCode: EXIT_CONFIG });
  }
  return opts;
}

async function main(argv) {
  const opts = parseArgs(argv);
  // Human mode: everything on stdout. JSON mode: only the JSON on stdout, progress on stderr.
  const say = opts.json ? defaultLog : (line) => process.stdout.write(`[kafka] ${line}\n`);
  const print = (result, human) =>
    opts.json ? process.stdout.write(`${JSON.stringify(result)}\n`) : human && say(human);

  switch (opts.command) {
    case 'up': {
      // The broker is detached from this terminal, so Ctrl-C during startup would orphan it; stop it instead.
      const onSignal = async () => {
        say('interrupted; stopping the broker that was starting…');
        const paths = statePaths(kafkaHome());
        await stopAll(paths, say).catch(() => {});
        releaseLock(paths.lockFile);
        process.exit(130);
      };
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      const result = await up({ version: opts.version, port: opts.port, log: say });
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      print(result, `export KAFKA_BOOTSTRAP=${result.bootstrap}`);
      return 0;
    }
    case 'down': {
      const result = await down({ log: say });
      print(result);
      return 0;
    }
    case 'status': {
      const s = await status();
      print(
        s,
        s.running
          ? `Kafka ${s.version} running at ${s.bootstrap} (pid ${s.pid}, log ${s.logFile})`
          : `no broker running${s.pid ? ` (broker.json: Kafka ${s.version}, ${s.state}; ${s.reason})` : ''}`,
      );
      return s.running ? 0 : 1;
    }
    case 'help':
      process.stdout.write(`${USAGE}\n`);
      return 0;
    default:
      throw new LauncherError(opts.command ? `unknown command "${opts.command}"\n\n${USAGE}` : USAGE, {
        exitCode: EXIT_CONFIG,
      });
  }
}

function isMain() {
  if (!process.argv[1]) return false;
  try {
    return realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      if (err instanceof LauncherError) {
        process.stderr.write(`[kafka] error: ${err.message}\n`);
        if (err.details) process.stderr.write(`${err.details}\n`);
        process.exitCode = err.exitCode;
      } else {
        process.stderr.write(`[kafka] unexpected error: ${err?.stack ?? err}\n`);
        process.exitCode = EXIT_START_FAILED;
      }
    },
  );
}

// Re-exported for callers that want to react to version differences (e.g. skip 4.x-only tests).
export { majorVersion };
