import { parseArgs } from 'node:util';
import { UsageError } from './errors.js';

/** One option of a command: what `--help` shows and what the parser accepts. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** Shown in help after the option name, e.g. `<n>`. */
  placeholder?: string;
  description: string;
  /** Shown in help only; commands apply their own defaults (some come from the environment). */
  defaultText?: string;
}

export interface PositionalSpec {
  name: string;
  description: string;
  required: boolean;
}

/** Everything a command says about itself: parsing and `--help` come from it. */
export interface CommandSpec {
  name: string;
  summary: string;
  positionals: PositionalSpec[];
  options: Record<string, OptionSpec>;
  /** Environment variables the command reads, with what they do. */
  env?: Array<[name: string, description: string]>;
  /** Free text after the options (examples, notes). */
  notes?: string[];
}

export interface ParsedArgs {
  help: boolean;
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

const HELP: OptionSpec = { type: 'boolean', short: 'h', description: 'show this help' };

/**
 * Parses a command's arguments strictly: an unknown option, a missing value or a surplus
 * positional is a UsageError (exit 2) naming the problem and pointing to `--help`.
 * `--help` wins over everything else, so it works even next to bad arguments.
 */
export function parseCommandArgs(spec: CommandSpec, argv: readonly string[]): ParsedArgs {
  if (argv.includes('--help') || argv.includes('-h')) return { help: true, values: {}, positionals: [] };
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const [name, o] of Object.entries({ ...spec.options, help: HELP })) {
    options[name] = o.short ? { type: o.type, short: o.short } : { type: o.type };
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${cleanParseError(error)}`, spec.name);
  }
  const positionals = parsed.positionals;
  const max = spec.positionals.length;
  if (positionals.length > max) {
    const extra = positionals.slice(max).join(' ');
    throw new UsageError(
      `unexpected argument${positionals.length - max > 1 ? 's' : ''}: ${extra}`,
      spec.name,
    );
  }
  for (const [index, p] of spec.positionals.entries()) {
    if (p.required && positionals[index] === undefined)
      throw new UsageError(`missing <${p.name}>`, spec.name);
  }
  const values: ParsedArgs['values'] = {};
  for (const [name, value] of Object.entries(parsed.values)) {
    values[name] = Array.isArray(value) ? String(value.at(-1)) : value;
  }
  return { help: false, values, positionals };
}

/** node:util's messages mention its own API (`parseArgs`, `'--x'` quoting); keep the useful part. */
function cleanParseError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const unknown = /Unknown option '([^']+)'/.exec(message);
  if (unknown) return `unknown option ${unknown[1]}`;
  const missing = /Option '([^']+?)(?: <value>)?' argument missing/.exec(message);
  if (missing) return `option ${missing[1]?.replace(/^-\w, /, '')} needs a value`;
  const ambiguous = /Option '([^']+)' argument is ambiguous/.exec(message);
  if (ambiguous) {
    const name = ambiguous[1]?.replace(/^-\w, /, '');
    return `option ${name} needs a value (write ${name}=<value> for a value that starts with -)`;
  }
  const unexpected = /Unexpected argument '([^']+)'/.exec(message);
  if (unexpected) return `unexpected argument ${unexpected[1]}`;
  return message.split('\n')[0] ?? message;
}

/** A string option's value, or undefined. */
export function stringValue(args: ParsedArgs, name: string): string | undefined {
  const value = args.values[name];
  return typeof value === 'string' ? value : undefined;
}

export function booleanValue(args: ParsedArgs, name: string): boolean {
  return args.values[name] === true;
}

/** A whole-number option within [min, max]; `fallback` when absent. */
export function intValue(
  args: ParsedArgs,
  command: string,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = stringValue(args, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || value < min || value > max) {
    throw new UsageError(`--${name} ${raw} is not a whole number from ${min} to ${max}`, command);
  }
  return value;
}

/** The `--help` text of a command. */
export function renderHelp(spec: CommandSpec): string {
  const usageParts = [`pipeline ${spec.name}`];
  for (const p of spec.positionals) usageParts.push(p.required ? `<${p.name}>` : `[<${p.name}>]`);
  if (Object.keys(spec.options).length > 0) usageParts.push('[options]');
  const lines = [`${spec.summary}`, '', `Usage: ${usageParts.join(' ')}`];
  if (spec.positionals.length > 0) {
    lines.push('', 'Arguments:');
    lines.push(...table(spec.positionals.map((p) => [`<${p.name}>`, p.description])));
  }
  lines.push('', 'Options:');
  const rows = Object.entries({ ...spec.options, help: HELP }).map(([name, o]): [string, string] => {
    const flag = `${o.short ? `-${o.short}, ` : ''}--${name}${o.type === 'string' ? ` ${o.placeholder ?? '<value>'}` : ''}`;
    return [flag, o.defaultText ? `${o.description} (default: ${o.defaultText})` : o.description];
  });
  lines.push(...table(rows));
  if (spec.env && spec.env.length > 0) {
    lines.push('', 'Environment:');
    lines.push(...table(spec.env));
  }
  if (spec.notes && spec.notes.length > 0) lines.push('', ...spec.notes);
  return `${lines.join('\n')}\n`;
}

/** Two aligned columns, indented by two spaces. */
export function table(rows: ReadonlyArray<readonly [string, string]>): string[] {
  const width = Math.max(0, ...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`.trimEnd());
}
