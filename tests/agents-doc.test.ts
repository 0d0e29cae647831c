import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');

describe('docs/agents.md', () => {
  const example = read('apps/example-agent/src/builder.ts');

  it('shows the example agent as it is in apps/example-agent', () => {
    expect(read('docs/agents.md')).toContain(`\`\`\`ts\n${example}\`\`\``);
  });

  it('keeps the complete agent under 30 lines', () => {
    expect(example.trimEnd().split('\n').length).toBeLessThan(30);
  });
});
