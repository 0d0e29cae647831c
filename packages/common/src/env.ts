import { ConfigError } from './errors.js';
import { formatDurationSetting, parseDuration, parseWholeNumber } from './parse.js';

/** What reading one variable gave: its value, or a problem that names the variable and the fix. */
export type EnvResult<T> = { ok: true; value: T } | { ok: false; problem: string };

/**
 * One environment variable: how it is documented and how it is read. Build them with `env.*`.
 * `read` gets the value trimmed, undefined when unset or blank.
 */
export interface EnvVar<T> {
  readonly description: string;
  /** The default as the docs show it; undefined when the variable has none. */
  readonly defaultText: string | undefined;
  /** The values it accepts as the docs show them (`1–1000`, `6s–30m`); undefined when not a range. */
  readonly range?: string | undefined;
  /** The value used while other problems are reported (the caller throws before using it). */
  readonly fallback: T;
  read(raw: string | undefined, name: string): EnvResult<T>;
}

export type EnvSpec = Readonly<Record<string, EnvVar<unknown>>>;
export type EnvValues<S extends EnvSpec> = {
  -readonly [K in keyof S]: S[K] extends EnvVar<infer T> ? T : never;
};

/**
 * The longest duration any setting may have: Node's timers take at most 2^31−1 ms (about 24.8 days)
 * and fire after 1 ms when given more, so a 30-day shutdown grace would end at once.
 */
export const MAX_DURATION_MS = 2 ** 31 - 1;

/** A duration bound as the docs show it: `30s`, `2147483647ms (~24.8d)`. */
function formatBound(ms: number): string {
  return ms === MAX_DURATION_MS ? `${ms}ms (~24.8d)` : formatDurationSetting(ms);
}

/** The same in a problem, saying why the longest duration is what it is. */
function formatUpperBound(ms: number): string {
  return ms === MAX_DURATION_MS
    ? `${ms}ms (~24.8d, the longest a Node timer can wait)`
    : formatDurationSetting(ms);
}

const ok = <T>(value: T): EnvResult<T> => ({ ok: true, value });
const fail = <T>(problem: string): EnvResult<T> => ({ ok: false, problem });

interface Common<T> {
  description: string;
  default?: T;
  /** Shown instead of the default value in docs (e.g. the name of the variable it falls back to). */
  defaultText?: string;
}

function variable<T>(
  o: Common<T>,
  shown: (value: T) => string,
  fallback: T,
  parse: (raw: string, name: string) => EnvResult<T>,
  missing?: (name: string) => string,
  range?: string,
): EnvVar<T> {
  return {
    description: o.description,
    defaultText: o.defaultText ?? (o.default === undefined ? undefined : shown(o.default)),
    range,
    fallback: o.default ?? fallback,
    read(raw, name) {
      if (raw !== undefined) return parse(raw, name);
      if (o.default !== undefined) return ok(o.default);
      return missing ? fail(missing(name)) : ok(fallback);
    },
  };
}

/** Builders of variables, each with its accepted range in the problem it reports. */
export const env = {
  /** A whole number within [min, max]. */
  int(o: Common<number> & { min: number; max: number }): EnvVar<number> {
    return variable(
      o,
      String,
      o.min,
      (raw, name) => {
        const value = parseWholeNumber(raw, o.min, o.max);
        return value === undefined
          ? fail(`${name}=${raw} is not a whole number from ${o.min} to ${o.max}`)
          : ok(value);
      },
      undefined,
      `${o.min}–${o.max}`,
    );
  },

  /** A decimal number within [min, max]; `what` names it in the problem (default "a number"). */
  number(o: Common<number> & { min: number; max: number; what?: string }): EnvVar<number> {
    return variable(
      o,
      String,
      o.min,
      (raw, name) => {
        const value = Number(raw);
        return /^\d*\.?\d+$/.test(raw) && value >= o.min && value <= o.max
          ? ok(value)
          : fail(`${name}=${raw} is not ${o.what ?? 'a number'} from ${o.min} to ${o.max}`);
      },
      undefined,
      `${o.min}–${o.max}`,
    );
  },

  /**
   * A duration (`500ms`, `30s`, `15m`, `2h`, `7d`, or ms) in ms, within [min, max]: min defaults to 0,
   * max to MAX_DURATION_MS, above which no duration may go (Node's timers overflow). With `off: true`,
   * `off` reads as undefined (no limit).
   */
  duration<Off extends boolean = false>(
    o: Omit<Common<number>, 'default'> & { default?: string; min?: number; max?: number; off?: Off },
  ): EnvVar<Off extends true ? number | undefined : number> {
    const min = o.min ?? 0;
    const max = o.max ?? MAX_DURATION_MS;
    if (max > MAX_DURATION_MS || min > max)
      throw new RangeError(`a duration range must lie within 0–${MAX_DURATION_MS} ms, got ${min}–${max}`);
    const accepted = `from ${formatDurationSetting(min)} to ${formatUpperBound(max)}`;
    const parse = (raw: string, name: string): EnvResult<number | undefined> => {
      const ms = parseDuration(raw);
      if (ms === 'off' && o.off) return ok(undefined);
      if (typeof ms !== 'number') {
        return fail(
          `${name}=${raw} is not a duration${o.off ? ' or off' : ''} (e.g. 500ms, 30s, 15m, 2h, 7d)`,
        );
      }
      if (ms >= min && ms <= max) return ok(ms);
      return fail(`${name}=${raw} is not a duration ${accepted}`);
    };
    const initial = o.default === undefined ? ok(min) : parse(o.default, 'the default');
    if (!initial.ok) throw new RangeError(initial.problem);
    return {
      description: o.description,
      defaultText: o.defaultText ?? o.default,
      range: `${formatDurationSetting(min)}–${formatBound(max)}${o.off ? ', or off' : ''}`,
      fallback: initial.value,
      read: (raw, name) => (raw === undefined ? initial : parse(raw, name)),
    } as EnvVar<Off extends true ? number | undefined : number>;
  },

  /** true or false (also 1 or 0), any case. */
  boolean(o: Common<boolean>): EnvVar<boolean> {
    return variable(o, String, false, (raw, name) => {
      const lower = raw.toLowerCase();
      if (lower === 'true' || lower === '1') return ok(true);
      if (lower === 'false' || lower === '0') return ok(false);
      return fail(`${name}=${raw} is not true or false`);
    });
  },

  /** One of a fixed list of words. */
  oneOf<const V extends string>(values: readonly V[], o: Common<V>): EnvVar<V> {
    return variable(o, String, o.default ?? (values[0] as V), (raw, name) =>
      (values as readonly string[]).includes(raw)
        ? ok(raw as V)
        : fail(`${name}=${raw} is not one of ${values.join(', ')}`),
    );
  },

  /**
   * Text. `pattern` with `patternHint` says what it may contain; `required` makes an unset variable a
   * problem, with `required` as the hint of how to set it.
   */
  string(o: Common<string> & { pattern?: RegExp; patternHint?: string; required?: string }): EnvVar<string> {
    return variable(
      o,
      (value) => value,
      '',
      (raw, name) =>
        o.pattern && !o.pattern.test(raw)
          ? fail(`${name}=${raw} ${o.patternHint ?? `does not match ${o.pattern}`}`)
          : ok(raw),
      o.required === undefined ? undefined : (name) => `${name} is not set: ${o.required}`,
    );
  },

  /** Text that may be absent (undefined), e.g. a file path. */
  optional(o: { description: string }): EnvVar<string | undefined> {
    return {
      description: o.description,
      defaultText: undefined,
      fallback: undefined,
      read: (raw) => ok(raw),
    };
  },

  /** Anything else: `parse` returns the value or the problem. */
  custom<T>(o: Common<T> & { fallback: T; parse: (raw: string, name: string) => EnvResult<T> }): EnvVar<T> {
    return variable(o, String, o.fallback, o.parse);
  },
} as const;

/**
 * Reads variables from an environment, collecting every problem instead of stopping at the first,
 * so that one failed start tells the operator everything to fix. Several specs (the Kafka layer's,
 * the topic prefix, the app's own) are read into one reader; `finish` throws one ConfigError.
 */
export class EnvReader {
  readonly problems: string[] = [];

  constructor(private readonly source: NodeJS.ProcessEnv = process.env) {}

  /** The value of a variable as set: trimmed, undefined when unset or blank. */
  raw(name: string): string | undefined {
    const value = this.source[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  }

  /** The variable untrimmed (e.g. a password, whose spaces count); undefined when unset or blank. */
  untrimmed(name: string): string | undefined {
    return this.raw(name) === undefined ? undefined : this.source[name];
  }

  read<S extends EnvSpec>(spec: S): EnvValues<S> {
    const values: Record<string, unknown> = {};
    for (const [name, variable] of Object.entries(spec)) {
      const result = variable.read(this.raw(name), name);
      if (result.ok) values[name] = result.value;
      else {
        this.problems.push(result.problem);
        values[name] = variable.fallback;
      }
    }
    return values as EnvValues<S>;
  }

  problem(text: string): void {
    this.problems.push(text);
  }

  /** Every set variable whose name starts with `prefix` but is not in `known`: most likely a typo. */
  rejectUnknown(prefix: string, known: Iterable<string>, hint: string): void {
    const names = new Set(known);
    for (const name of Object.keys(this.source).sort()) {
      if (name.startsWith(prefix) && !names.has(name))
        this.problems.push(`${name} is not a setting of ${hint}`);
    }
  }

  /** `value` when nothing was wrong; otherwise one ConfigError listing every problem. */
  finish<T>(subject: string, value: T): T {
    if (this.problems.length > 0) throw new ConfigError(this.problems, subject);
    return value;
  }
}

/** Reads one spec on its own; throws ConfigError with every problem. */
export function loadEnv<S extends EnvSpec>(
  spec: S,
  source: NodeJS.ProcessEnv,
  subject: string,
): EnvValues<S> {
  const reader = new EnvReader(source);
  return reader.finish(subject, reader.read(spec));
}

/** Name, default and description of each variable: the rows of a README table or a `--help`. */
export function describeEnv(
  spec: EnvSpec,
): Array<{ name: string; default: string | undefined; description: string }> {
  return Object.entries(spec).map(([name, v]) => ({
    name,
    default: v.defaultText,
    description: v.description,
  }));
}
