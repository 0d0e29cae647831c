/** A fenced code block of a Markdown document (```lang … ```), with where it starts. */
export interface FencedBlock {
  /** The info string after the opening fence, e.g. `mermaid`. */
  lang: string;
  /** The lines between the fences, joined with \n, without a trailing newline. */
  body: string;
  /** 1-based line of the opening fence. */
  line: number;
}

/** The fenced code blocks (``` fences, not indented ones) of a Markdown text, in order. */
export function fencedBlocks(markdown: string): FencedBlock[] {
  const blocks: FencedBlock[] = [];
  const lines = markdown.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,})\s*(\S*)/.exec(lines[i] ?? '');
    if (!open) continue;
    const fence = open[1] ?? '```';
    let end = i + 1;
    while (end < lines.length && !(lines[end] ?? '').startsWith(fence)) end++;
    blocks.push({ lang: open[2] ?? '', body: lines.slice(i + 1, end).join('\n'), line: i + 1 });
    i = end;
  }
  return blocks;
}

/**
 * The one ```mermaid block whose first line starts with `kind` (e.g. `stateDiagram-v2`), among the
 * lines from `from` (1-based, inclusive) to `to` (exclusive); undefined when there is none.
 * Throws when there are several, since a check could not tell which one is meant.
 */
export function mermaidBlock(
  markdown: string,
  kind: string,
  range: { from?: number; to?: number } = {},
): FencedBlock | undefined {
  const { from = 1, to = Number.POSITIVE_INFINITY } = range;
  const found = fencedBlocks(markdown).filter(
    (block) =>
      block.lang === 'mermaid' && block.body.startsWith(kind) && block.line >= from && block.line < to,
  );
  if (found.length > 1)
    throw new Error(`${found.length} mermaid ${kind} blocks (lines ${found.map((b) => b.line).join(', ')})`);
  return found[0];
}

/** The 1-based lines a `## title` section spans: from its heading to the next heading of level ≤ 2. */
export function sectionLines(markdown: string, title: string): { from: number; to: number } | undefined {
  const lines = markdown.split(/\r?\n/);
  const start = lines.findIndex((line) => line.trim() === `## ${title}`);
  if (start === -1) return undefined;
  let end = start + 1;
  let inFence = false;
  for (; end < lines.length; end++) {
    const line = lines[end] ?? '';
    if (line.startsWith('```')) inFence = !inFence;
    if (!inFence && /^#{1,2} /.test(line)) break;
  }
  return { from: start + 1, to: end + 1 };
}

/** A ```mermaid block as it is written in Markdown, for messages that say what to paste. */
export function mermaidFence(body: string): string {
  return ['```mermaid', body, '```'].join('\n');
}
