/** A small Dockerfile reader: enough to check this repository's Dockerfiles, not a full parser. */

export interface Instruction {
  /** Upper-cased: FROM, RUN, COPY, ... */
  keyword: string;
  /** Everything after the keyword, continuation lines joined with a space. */
  args: string;
  /** 1-based line where the instruction starts. */
  line: number;
}

export interface Stage {
  /** The FROM image (or earlier stage) reference. */
  image: string;
  /** `AS name`, lower-cased as Docker treats it; undefined when unnamed. */
  name: string | undefined;
  index: number;
  instructions: Instruction[];
}

/**
 * Splits a Dockerfile into instructions. A line ending in a backslash continues on the next one;
 * comment lines (first non-blank character `#`) are dropped, also inside a continuation, as Docker does.
 */
export function parseDockerfile(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let pending: { parts: string[]; line: number } | undefined;
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const trimmed = raw.trim();
    // Blank lines are skipped, inside a continuation too (Docker warns there but accepts them).
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const continues = trimmed.endsWith('\\');
    const part = continues ? trimmed.slice(0, -1).trim() : trimmed;
    if (pending === undefined) pending = { parts: [], line: index + 1 };
    pending.parts.push(part);
    if (continues) continue;
    const joined = pending.parts.join(' ');
    const match = /^(\S+)\s*(.*)$/s.exec(joined);
    if (match?.[1] === undefined) throw new Error(`cannot read the instruction at line ${pending.line}`);
    instructions.push({ keyword: match[1].toUpperCase(), args: (match[2] ?? '').trim(), line: pending.line });
    pending = undefined;
  }
  if (pending !== undefined)
    throw new Error(`the instruction at line ${pending.line} continues past the end`);
  return instructions;
}

/** Groups instructions by FROM; instructions before the first FROM (ARG) are left out. */
export function stages(instructions: Instruction[]): Stage[] {
  const result: Stage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const words = instruction.args.split(/\s+/).filter((word) => !word.startsWith('--'));
      const [image, as, name] = words;
      if (image === undefined) throw new Error(`FROM without an image at line ${instruction.line}`);
      if (as !== undefined && (as.toUpperCase() !== 'AS' || name === undefined)) {
        throw new Error(`cannot read FROM at line ${instruction.line}`);
      }
      result.push({ image, name: name?.toLowerCase(), index: result.length, instructions: [] });
    } else {
      result.at(-1)?.instructions.push(instruction);
    }
  }
  return result;
}

export interface CopyArgs {
  /** --from=, --chown=, ... by name without the dashes. */
  flags: Record<string, string>;
  sources: string[];
  destination: string;
}

/** Reads COPY/ADD arguments, in shell form (`a b dest`) or exec form (`["a", "b", "dest"]`). */
export function parseCopy(args: string): CopyArgs {
  const flags: Record<string, string> = {};
  let rest = args;
  const flagPattern = /^--([\w-]+)(?:=(\S*))?\s+/;
  for (let flag = flagPattern.exec(rest); flag; flag = flagPattern.exec(rest)) {
    flags[flag[1] as string] = flag[2] ?? 'true';
    rest = rest.slice(flag[0].length);
  }
  const paths = rest.startsWith('[') ? (JSON.parse(rest) as string[]) : rest.split(/\s+/);
  const destination = paths.pop();
  if (destination === undefined || paths.length === 0)
    throw new Error(`COPY needs a source and a destination: ${args}`);
  return { flags, sources: paths, destination };
}

/** CMD / ENTRYPOINT / HEALTHCHECK CMD in exec form, as its argument list; undefined for the shell form. */
export function execForm(args: string): string[] | undefined {
  if (!args.startsWith('[')) return undefined;
  const parsed: unknown = JSON.parse(args);
  if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === 'string')) return undefined;
  return parsed;
}
