import { parseWholeNumber } from '@pipeline/common';
import { Command, CommanderError, Option } from 'commander';
import { CliError, EXIT, UsageError } from './errors.js';
import type { Io } from './io.js';

export { Command, Option } from 'commander';

/** What a command's action answers: its exit code. */
export type Run = (positionals: string[], options: Record<string, unknown>) => Promise<number>;

/**
 * The conventions every command-line tool of the pipeline follows, on top of commander:
 *
 * - bad usage (unknown option, missing value, surplus or missing argument, a value out of range)
 *   is one line `<bin>: <problem>` plus a hint where the help is, and exit 2;
 * - `--help` / `-h` prints the help (options with defaults, the environment variables the command
 *   reads, notes) on stdout and exits 0, even next to bad arguments;
 * - a failure the user can act on (CliError) is its message alone, no stack; anything else is its
 *   message (the stack with LOG_LEVEL=debug), exit 1.
 *
 * One instance per run: it records the exit code the action resolved to.
 */
export class CommandLine {
  private code: number = EXIT.ok;

  constructor(
    readonly io: Io,
    /** The program's name, in messages and hints: `pipeline`, `pipeline-demo`. */
    readonly bin: string,
    /** How the user runs the program, for hints (default `bin`): e.g. `pnpm demo`. */
    readonly invocation: string = bin,
  ) {}

  /**
   * A command that follows the conventions; `name` is a subcommand's name, none for the program.
   * `hintEnd` ends the hint of its usage errors: `run \`<bin> [name] --help\` <hintEnd>`.
   */
  command(name?: string, hintEnd = 'for usage'): Command {
    const command = new Command(name ?? this.bin);
    const hint = `run \`${[this.invocation, name, '--help'].filter(Boolean).join(' ')}\` ${hintEnd}`;
    return (
      command
        .helpOption('-h, --help', 'show this help')
        .allowExcessArguments(true)
        .showSuggestionAfterError(true)
        // No wrapping: the help reads the same in a terminal, a pipe and a test.
        .configureHelp({ helpWidth: 1000 })
        .configureOutput({
          writeOut: (text) => this.io.out(text),
          writeErr: (text) => this.io.err(text),
          outputError: () => {},
        })
        .exitOverride((error) => {
          // Help shown (exit 0) ends the run; everything else is bad usage in our own words.
          if (error.exitCode === 0) throw error;
          throw new UsageError(usageProblem(error), hint);
        })
    );
  }

  /**
   * The action of `command`: checks that no argument is left over, then runs `run` with the
   * positionals and the option values; its exit code becomes the program's.
   */
  action(command: Command, run: Run): Command {
    return command.action(async () => {
      const expected = command.registeredArguments.length;
      const surplus = command.args.slice(expected);
      if (surplus.length > 0) {
        throw new UsageError(
          `unexpected argument${surplus.length > 1 ? 's' : ''}: ${surplus.join(' ')}`,
          hintOf(command, this),
        );
      }
      this.code = await run(command.args.slice(0, expected), command.opts());
    });
  }

  /**
   * An option whose value is a whole number within [min, max]; `fallback` (shown in the help) when
   * absent. A bad value is a UsageError naming the option, the value and the range. The value is
   * checked just before the action (not while parsing), so that `--help` still wins over it.
   */
  wholeNumberOption(
    command: Command,
    flags: string,
    description: string,
    range: { min: number; max: number; fallback?: number },
  ): Command {
    const option = new Option(flags, description);
    if (range.fallback !== undefined) option.default(range.fallback);
    const key = option.attributeName();
    return command.addOption(option).hook('preAction', () => {
      if (command.getOptionValueSource(key) !== 'cli') return;
      const raw = String(command.getOptionValue(key));
      const value = parseWholeNumber(raw, range.min, range.max);
      if (value === undefined) {
        throw new UsageError(
          `--${option.name()} ${raw} is not a whole number from ${range.min} to ${range.max}`,
          hintOf(command, this),
        );
      }
      command.setOptionValueWithSource(key, value, 'cli');
    });
  }

  /** Parses `argv` (without node and the script) and runs the action; resolves to the exit code. */
  async run(program: Command, argv: readonly string[]): Promise<number> {
    this.code = EXIT.ok;
    try {
      await program.parseAsync([...argv], { from: 'user' });
      return this.code;
    } catch (error) {
      if (error instanceof CommanderError && error.exitCode === 0) return EXIT.ok;
      return this.report(error);
    }
  }

  /** Writes an error as the conventions say; returns its exit code. */
  report(error: unknown): number {
    if (error instanceof UsageError) {
      this.io.err(`${this.bin}: ${error.message}\n${error.hint}\n`);
      return error.exitCode;
    }
    if (error instanceof CliError) {
      this.io.err(`${this.bin}: ${error.message}\n`);
      return error.exitCode;
    }
    const message = error instanceof Error ? error.message : String(error);
    this.io.err(`${this.bin}: ${message}\n`);
    if (this.io.env.LOG_LEVEL === 'debug' && error instanceof Error && error.stack) {
      this.io.err(`${error.stack}\n`);
    }
    return EXIT.failure;
  }

  /** A UsageError with the hint of `command` (for checks an action makes itself). */
  usageError(command: Command, message: string): UsageError {
    return new UsageError(message, hintOf(command, this));
  }
}

function hintOf(command: Command, line: CommandLine): string {
  const name = command.parent ? command.name() : undefined;
  return `run \`${[line.invocation, name, '--help'].filter(Boolean).join(' ')}\` for usage`;
}

/**
 * Commander's messages in the project's words: `unknown option --x`, `option --url needs a value`,
 * `missing <id>`, `unknown command x`; anything else its first line without `error: `.
 */
export function usageProblem(error: CommanderError): string {
  const [first = '', ...rest] = error.message.replace(/^error: /, '').split('\n');
  const suggestion = /\(Did you mean (.+)\?\)/.exec(rest.join(' '))?.[1];
  const also = suggestion ? ` (did you mean ${suggestion}?)` : '';
  const unknown = /^unknown option '([^']+)'/.exec(first);
  if (unknown) return `unknown option ${unknown[1]}${also}`;
  const command = /^unknown command '([^']+)'/.exec(first);
  if (command) return `unknown command ${command[1]}${also}`;
  const missingValue = /^option '(?:-\w, )?(--[^ ']+)[^']*' argument missing/.exec(first);
  if (missingValue) return `option ${missingValue[1]} needs a value`;
  const missingArgument = /^missing required argument '([^']+)'/.exec(first);
  if (missingArgument) return `missing <${missingArgument[1]}>`;
  return first;
}

/**
 * Adds what follows the options in `command`'s help: the environment variables it reads (each with
 * what it does) and free notes (examples, exit status).
 */
export function helpAfterOptions(
  command: Command,
  parts: { environment?: ReadonlyArray<readonly [name: string, description: string]>; notes?: string[] },
): Command {
  const lines: string[] = [];
  if (parts.environment && parts.environment.length > 0) {
    lines.push('', 'Environment:', ...table(parts.environment));
  }
  if (parts.notes && parts.notes.length > 0) lines.push('', ...parts.notes);
  return lines.length === 0 ? command : command.addHelpText('after', lines.join('\n'));
}

/** Two aligned columns, indented by two spaces. */
export function table(rows: ReadonlyArray<readonly [string, string]>): string[] {
  const width = Math.max(0, ...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`.trimEnd());
}
