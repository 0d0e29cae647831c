import { toMermaid } from '@pipeline/state-machine';
import { describe, expect, it } from 'vitest';
import { mermaidBlock, mermaidFence, sectionLines } from './support/markdown.js';
import { ROOT, readRepoFile } from './support/repo.js';
import { loadWorkspace, type WorkspacePackage } from './support/workspace.js';
import { dependencyFlowchart } from './support/workspace-graph.js';

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

  it("the Layout section's flowchart is the one generated from the workspace's package.json files", () => {
    const expected = dependencyFlowchart(loadWorkspace(ROOT));
    const layout = sectionLines(readme, 'Layout');
    expect(layout, 'README.md has no "## Layout" section').toBeDefined();
    const block = mermaidBlock(readme, 'flowchart', layout);
    const where = `README.md:${block?.line ?? layout?.from ?? 1}`;
    expect(
      block?.body,
      [
        `${where}: the workspace dependency flowchart of the Layout section is not the one generated from the package.json files.`,
        'Fix: put this block in the "## Layout" section of README.md, in place of the ```mermaid flowchart block there',
        '(the output of dependencyFlowchart() in tests/support/workspace-graph.ts; only `dependencies` count):',
        '',
        mermaidFence(expected),
        '',
      ].join('\n'),
    ).toBe(expected);
  });

  it('the flowchart generator draws runtime dependencies only, from the dependent to its dependency', () => {
    const made = (
      dir: string,
      name: string,
      deps: Partial<WorkspacePackage['pkg']> = {},
    ): WorkspacePackage => ({
      name,
      dir,
      pkg: { name, ...deps },
      packageJsonText: '{}',
    });
    const flowchart = dependencyFlowchart([
      made('packages/lib', '@x/lib', { dependencies: { zod: '4.0.0' } }),
      made('apps/app', '@x/app', {
        dependencies: { '@x/lib': 'workspace:*' },
        devDependencies: { '@x/kit': 'workspace:*' },
      }),
      made('packages/kit', '@x/kit'),
      made('tools', '@x/tools', { dependencies: { '@x/kit': 'workspace:*' } }),
    ]);
    expect(flowchart.split('\n')).toEqual([
      'flowchart TD',
      '  subgraph apps ["apps/"]',
      '    x_app["@x/app"]',
      '  end',
      '  subgraph packages ["packages/"]',
      '    x_kit["@x/kit"]',
      '    x_lib["@x/lib"]',
      '  end',
      '  x_tools["@x/tools"]',
      '  x_app --> x_lib',
      '  x_tools --> x_kit',
    ]);
  });
});
