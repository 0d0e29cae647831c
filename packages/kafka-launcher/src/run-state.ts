// The run-state folder of this checkout's broker (<repo>/.kafka, or PIPELINE_KAFKA_HOME): where each
// file lives, broker.json (what was started, and whether it got ready), the bootstrap file that users
// and tests read, and forgetting a broker that is gone.

import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { repoRoot } from './paths.js';

/** Run-state directory: <repo>/.kafka unless PIPELINE_KAFKA_HOME says otherwise. */
export function kafkaHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.PIPELINE_KAFKA_HOME ? resolve(env.PIPELINE_KAFKA_HOME) : join(repoRoot(), '.kafka');
}

/** Every file the launcher writes under the run-state directory. */
export interface StatePaths {
  home: string;
  /** log.dirs: wiped and re-formatted on every fresh start. */
  dataDir: string;
  configDir: string;
  serverProperties: string;
  logsDir: string;
  /**
   * stdout+stderr of the JVM; our log4j config sends everything to the console, so this one file is
   * the whole broker log.
   */
  logFile: string;
  brokerJson: string;
  /** Just `127.0.0.1:PORT`, written once the broker answers. */
  bootstrapFile: string;
  /** Held while `up` or `down` runs (lock.ts). */
  lockFile: string;
}

export function statePaths(home: string = kafkaHome()): StatePaths {
  return {
    home,
    dataDir: join(home, 'data'),
    configDir: join(home, 'config'),
    serverProperties: join(home, 'config', 'server.properties'),
    logsDir: join(home, 'logs'),
    logFile: join(home, 'logs', 'broker.log'),
    brokerJson: join(home, 'broker.json'),
    bootstrapFile: join(home, 'bootstrap'),
    lockFile: join(home, 'up.lock'),
  };
}

/** broker.json: written when the JVM is spawned (`starting`) and again when it answers (`running`). */
export interface BrokerRecord {
  bootstrap: string;
  pid: number;
  version: string;
  port: number;
  controllerPort: number;
  clusterId: string;
  logFile: string;
  dataDir: string;
  state: 'starting' | 'running';
  startedAt: string;
  readyAt?: string;
}

/** broker.json, or null when there is none or it is not a record of a broker (no integer pid and port). */
export function readBrokerJson(paths: StatePaths): BrokerRecord | null {
  try {
    const record: unknown = JSON.parse(readFileSync(paths.brokerJson, 'utf8'));
    if (typeof record !== 'object' || record === null) return null;
    const { pid, port } = record as { pid?: unknown; port?: unknown };
    return Number.isInteger(pid) && Number.isInteger(port) ? (record as BrokerRecord) : null;
  } catch {
    return null;
  }
}

export function writeBrokerJson(paths: StatePaths, record: BrokerRecord): void {
  writeJsonAtomic(paths.brokerJson, record);
}

/** The bootstrap file users read (`export KAFKA_BOOTSTRAP=$(cat .kafka/bootstrap)`). */
export function writeBootstrapFile(paths: StatePaths, bootstrap: string): void {
  writeFileSync(paths.bootstrapFile, `${bootstrap}\n`);
}

/** The address in the bootstrap file, or undefined when there is none. */
export function readBootstrapFile(paths: StatePaths): string | undefined {
  try {
    return readFileSync(paths.bootstrapFile, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Removes what says a broker runs (broker.json and the bootstrap file); the logs stay. */
export function forgetBroker(paths: StatePaths): void {
  rmSync(paths.brokerJson, { force: true });
  rmSync(paths.bootstrapFile, { force: true });
}

/** Keep the previous broker's log (one generation) for post-mortems; each start gets a fresh file. */
export function rotateLog(logFile: string): void {
  try {
    renameSync(logFile, logFile.replace(/\.log$/, '.prev.log'));
  } catch {
    // no previous log
  }
}

function writeJsonAtomic(file: string, value: unknown): void {
  writeFileSync(`${file}.tmp`, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}
