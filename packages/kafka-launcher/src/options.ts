// The launcher's settings (options, then KAFKA_* environment variables, then defaults), checked before
// anything starts, and the progress-line plumbing shared by the API and the CLI.

import { EXIT_CONFIG, LauncherError } from './errors.js';

/** 3.9.x is the line kafkajs is known to work with; 4.1.x is also tested. */
export const DEFAULT_KAFKA_VERSION = '3.9.1';
export const DEFAULT_START_TIMEOUT_MS = 90_000;

/** Where progress lines go: a function, or false for silence. Default: stderr with a `[kafka]` prefix. */
export type Log = ((line: string) => void) | false;

export const defaultLog = (line: string): void => {
  process.stderr.write(`[kafka] ${line}\n`);
};

export function toLogger(log: Log | undefined): (line: string) => void {
  if (log === false) return () => {};
  return typeof log === 'function' ? log : defaultLog;
}

export const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)}s`;

/** A Kafka version this launcher can run: x.y.z, 3.3 or newer (KRaft without ZooKeeper). */
export function validateVersion(v: string): string {
  if (!/^\d+\.\d+\.\d+$/.test(String(v))) {
    throw new LauncherError(
      `invalid Kafka version "${v}" (expected e.g. ${DEFAULT_KAFKA_VERSION} or 4.1.2).`,
      { exitCode: EXIT_CONFIG },
    );
  }
  const [major = 0, minor = 0] = v.split('.').map(Number);
  // Combined-mode KRaft without ZooKeeper became production-ready in 3.3; older versions need ZooKeeper.
  if (major < 3 || (major === 3 && minor < 3)) {
    throw new LauncherError(`Kafka ${v} is too old: this launcher needs KRaft (3.3 or newer).`, {
      exitCode: EXIT_CONFIG,
    });
  }
  return v;
}

/** The client port asked for (--port / KAFKA_PORT), or undefined for "pick a free one". */
export function parsePort(p: number | string | undefined | null): number | undefined {
  if (p === undefined || p === null || p === '') return undefined;
  const n = Number(p);
  if (!Number.isInteger(n) || n < 1 || n > 65535) {
    throw new LauncherError(`invalid port "${p}" (KAFKA_PORT / --port must be 1–65535).`, {
      exitCode: EXIT_CONFIG,
    });
  }
  return n;
}

/** Per-attempt readiness deadline in ms (KAFKA_START_TIMEOUT_MS), default 90 s. */
export function parseTimeout(t: number | string | undefined | null): number {
  if (t === undefined || t === null || t === '') return DEFAULT_START_TIMEOUT_MS;
  const n = Number(t);
  if (!Number.isFinite(n) || n <= 0) {
    throw new LauncherError(
      `invalid start timeout "${t}" (KAFKA_START_TIMEOUT_MS must be a positive number of ms).`,
      { exitCode: EXIT_CONFIG },
    );
  }
  return n;
}

/**
 * The number of brokers (`--brokers`): 1 (a single node) or a cluster of 3 to 5. Not 2: a quorum of two
 * controllers needs both of them, so it survives no node loss and costs twice the single node.
 * undefined when nothing is asked for.
 */
export function parseBrokers(b: number | string | undefined | null): number | undefined {
  if (b === undefined || b === null || b === '') return undefined;
  const n = Number(b);
  if (!Number.isInteger(n) || !(n === 1 || (n >= 3 && n <= 5))) {
    throw new LauncherError(
      `invalid broker count "${b}" (--brokers must be 1, or 3 to 5 for a cluster: 2 could not lose a node).`,
      { exitCode: EXIT_CONFIG },
    );
  }
  return n;
}
