/**
 * The logging seam of this package. The shape is pino's (`logger.info({ fields }, 'message')`), so
 * the app can hand in a pino instance as it is, while this package and its tests need no logging
 * library at all.
 */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const LEVEL_RANK: Record<LogLevel, number> = { debug: 20, info: 30, warn: 40, error: 50 };
const LOG_LEVELS = Object.keys(LEVEL_RANK) as LogLevel[];

const noop = (): void => {};

/** Discards everything: the default, so that a library never prints unless the app asks it to. */
export const noopLogger: Logger = {
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  child: () => noopLogger,
};

export interface JsonLoggerOptions {
  /** Entries below this level are dropped. Default `info`. */
  level?: LogLevel;
  /** Receives each entry as one JSON line, without the trailing newline. Default: stdout. */
  write?: (line: string) => void;
  /** Fields added to every entry (as `child()` does). */
  bindings?: Record<string, unknown>;
}

/**
 * A minimal structured logger: one JSON object per line with `level`, `time` (ISO), `msg` and the
 * fields. Enough for tools and tests; services wire pino instead.
 */
export function jsonLogger(options: JsonLoggerOptions = {}): Logger {
  const level = options.level ?? 'info';
  if (!LOG_LEVELS.includes(level)) {
    throw new RangeError(`jsonLogger level must be one of ${LOG_LEVELS.join(', ')}, got ${String(level)}`);
  }
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  return makeJsonLogger(LEVEL_RANK[level], write, options.bindings ?? {});
}

function makeJsonLogger(
  minRank: number,
  write: (line: string) => void,
  bindings: Record<string, unknown>,
): Logger {
  const log =
    (level: LogLevel) =>
    (obj: object, msg?: string): void => {
      if (LEVEL_RANK[level] < minRank) return;
      // Fixed keys last, so a field named `level` or `msg` cannot disguise the entry.
      const entry = { ...bindings, ...obj, level, time: new Date().toISOString(), msg: msg ?? '' };
      write(stringify(entry));
    };
  return {
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    child: (more) => makeJsonLogger(minRank, write, { ...bindings, ...more }),
  };
}

/** JSON.stringify that keeps what logs need: Error details (normally `{}`), bigints, cycles. */
function stringify(entry: object): string {
  const seen = new WeakSet<object>();
  return JSON.stringify(entry, (_key, value: unknown) => {
    if (typeof value === 'bigint') return value.toString();
    if (value instanceof Error) {
      const { name, message, stack } = value;
      const code = (value as { code?: unknown }).code;
      return code === undefined ? { name, message, stack } : { name, message, code, stack };
    }
    if (typeof value === 'object' && value !== null) {
      if (seen.has(value)) return '[Circular]';
      seen.add(value);
    }
    return value;
  });
}
