// Everything about the broker JVM as an OS process: picking ports, formatting storage, spawning it
// detached, waiting until it serves, and stopping it (gracefully, then by force).

import { spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { probeApiVersions } from './probe.mjs';

// Small heap: a test broker holds little data; two of these plus a test run fit on a small CI box.
const JVM_ARGS = ['-Xms256m', '-Xmx512m', '-Djava.awt.headless=true'];

/** A currently free TCP port on 127.0.0.1 (the kernel picks it when we bind port 0). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** True when nothing listens on 127.0.0.1:port right now. */
export function isPortFree(port) {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.on('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function procRead(pid, file) {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return null;
  }
}

/**
 * Whether pid is a live process. kill(pid, 0) alone is not enough: a JVM whose parent never reaps it
 * (e.g. PID 1 in a container that is not an init) stays a zombie that still "exists".
 */
export function isAlive(pid) {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if (err.code !== 'EPERM') return false;
  }
  const stat = procRead(pid, 'stat');
  // No /proc entry: gone on Linux; on systems without /proc, trust kill(0).
  if (stat === null) return !existsProcFs();
  // Field 3 (after the parenthesised command name) is the state letter.
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state !== 'Z' && state !== 'X';
}

let procFs;
function existsProcFs() {
  if (procFs === undefined) procFs = procRead('self', 'stat') !== null;
  return procFs;
}

/**
 * Whether pid is the broker started with this serverProperties file. Guards against pid reuse: we only
 * ever signal a process whose command line is `… kafka.Kafka <our server.properties>`. Without /proc
 * (macOS) we fall back to "alive".
 */
export function isOurBroker(pid, serverProperties) {
  if (!isAlive(pid)) return false;
  if (!existsProcFs()) return true;
  const cmdline = procRead(pid, 'cmdline');
  if (cmdline === null) return false;
  const args = cmdline.split('\0');
  return args.includes('kafka.Kafka') && args.includes(serverProperties);
}

/** Every live broker JVM using our serverProperties, including ones broker.json no longer knows. */
export function findOurBrokers(serverProperties) {
  if (!existsProcFs()) return [];
  const pids = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid !== process.pid && isOurBroker(pid, serverProperties)) pids.push(pid);
  }
  return pids;
}

/**
 * `kafka.tools.StorageTool format`: writes meta.properties and the bootstrap metadata into the (empty)
 * data dir. Output goes to the broker log so a failure is visible in the same place.
 */
export function formatStorage({ java, libs, loggingArgs, clusterId, serverProperties, logFile }) {
  const fd = openSync(logFile, 'a');
  try {
    const child = spawn(
      java,
      [
        ...JVM_ARGS,
        '-cp',
        join(libs, '*'),
        ...loggingArgs,
        'kafka.tools.StorageTool',
        'format',
        '-t',
        clusterId,
        '-c',
        serverProperties,
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

/**
 * Starts `java … kafka.Kafka server.properties` detached: its own session (so Ctrl-C in the terminal
 * that ran `kafka:up` does not kill it), stdout/stderr appended to logFile, no pipes back to us (so
 * this Node process can exit while the broker keeps running).
 */
export function spawnBroker({ java, libs, loggingArgs, serverProperties, logFile }) {
  const fd = openSync(logFile, 'a');
  try {
    const child = spawn(
      java,
      [...JVM_ARGS, '-cp', join(libs, '*'), ...loggingArgs, 'kafka.Kafka', serverProperties],
      {
        detached: true,
        stdio: ['ignore', fd, fd],
      },
    );
    // Record an early exit so waitUntilServing can fail at once instead of at the deadline.
    child.exitInfo = null;
    child.on('exit', (code, signal) => {
      child.exitInfo = { code, signal };
    });
    child.spawnError = null;
    child.on('error', (err) => {
      child.spawnError = err;
    });
    return child;
  } finally {
    closeSync(fd);
  }
}

/**
 * Polls ApiVersions until the broker answers, the process dies, or the deadline passes.
 * @returns {Promise<void>} rejects with a human-readable reason
 */
export async function waitUntilServing({ child, port, timeoutMs }) {
  const deadline = Date.now() + timeoutMs;
  let last = 'not probed yet';
  for (;;) {
    if (child.spawnError) throw new Error(`could not start java: ${child.spawnError.message}`);
    if (child.exitInfo) {
      const { code, signal } = child.exitInfo;
      throw new Error(
        `broker process exited during startup (${signal ? `signal ${signal}` : `exit code ${code}`})`,
      );
    }
    const result = await probeApiVersions({ port, timeoutMs: 2000 });
    if (result.ok) return;
    last = result.reason;
    if (Date.now() >= deadline) {
      throw new Error(
        `broker did not answer ApiVersions on 127.0.0.1:${port} within ${timeoutMs} ms (last: ${last})`,
      );
    }
    await sleep(250);
  }
}

/**
 * SIGTERM, wait up to graceMs for Kafka's controlled shutdown, then SIGKILL.
 * @returns {Promise<'terminated' | 'killed' | 'not-running'>}
 */
export async function stopProcess(pid, { graceMs = 20_000 } = {}) {
  if (!isAlive(pid)) return 'not-running';
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return 'not-running';
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return 'terminated';
    await sleep(100);
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // exited between the check and the kill
  }
  for (let i = 0; i < 50 && isAlive(pid); i++) await sleep(100);
  return 'killed';
}
