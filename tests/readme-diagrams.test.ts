import { toMermaid } from '@pipeline/state-machine';
import { describe, expect, it } from 'vitest';
import { mermaidBlock, mermaidFence } from './support/markdown.js';
import { readRepoFile } from './support/repo.js';

// The README's pictures are copies of generated text: these checks fail when a copy goes stale and
// print the block to paste in its place.
describe('README diagrams', () => {
  const readme = readRepoFile('README.md');

  it("the state diagram is the one generated from the machine (@pipeline/state-machine's toMermaid())", () => {
    const expected = toMermaid().trimEnd();
    const block = mermaidBlock(readme, 'stateDiagram-v2');
    const where = block ? `README.md:${block.line}` : 'README.md';
    expect(
      block?.body,
      [
        `${where}: the state diagram is not the one generated from the machine.`,
        'Fix: replace the ```mermaid stateDiagram-v2 block of README.md with this block',
        '(the output of toMermaid() from @pipeline/state-machine; docs/state-machine.md has the same):',
        '',
        mermaidFence(expected),
        '',
      ].join('\n'),
    ).toBe(expected);
  });
});
