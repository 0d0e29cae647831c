import { type DestinationStream, type Logger as PinoLogger, pino } from 'pino';

/**
 * The logging seam of the workspace: pino's call shape (`logger.info({ fields }, 'message')`), so
 * libraries log structured lines without knowing who writes them. Services get one from
 * `createLogger`; libraries default to `noopLogger`, so they never print unless asked to.
 */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const noop = (): void => {};

/** Discards everything. */
export const noopLogger: Logger = {
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  child: () => noopLogger,
};

export interface LoggerOptions {
  /** Entries below this level are dropped. Default `info`. */
  level?: LogLevel;
  /** Fields on every line, e.g. `{ service: 'orchestrator' }`. */
  bindings?: Record<string, unknown>;
  /** Where the JSON lines go. Default stdout. */
  destination?: DestinationStream;
}

/**
 * A JSON-lines logger (pino): `level` as a name, `time` as ISO text, `msg`, the fields; errors under
 * `err` with their type, message, stack and code.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? 'info';
  if (!LOG_LEVELS.includes(level)) {
    throw new RangeError(`log level must be one of ${LOG_LEVELS.join(', ')}, got ${String(level)}`);
  }
  const root = pino(
    {
      level,
      base: null,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination ?? pino.destination(1),
  );
  return adapt(root, options.bindings ?? {});
}

/**
 * Children are made from the root with the merged bindings: pino appends a child's bindings to its
 * parent's, so a key bound twice (a component inside a component) would appear twice on each line.
 */
function adapt(root: PinoLogger, bindings: Record<string, unknown>): Logger {
  const logger = Object.keys(bindings).length === 0 ? root : root.child(bindings);
  return {
    debug: (obj, msg) => logger.debug(obj, msg),
    info: (obj, msg) => logger.info(obj, msg),
    warn: (obj, msg) => logger.warn(obj, msg),
    error: (obj, msg) => logger.error(obj, msg),
    child: (more) => adapt(root, { ...bindings, ...more }),
  };
}

export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && (LOG_LEVELS as readonly string[]).includes(value);
}
