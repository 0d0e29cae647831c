import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DOC_PATH_FROM_PACKAGE, REGENERATE_COMMAND, renderStateMachineDoc, toMermaid } from '../src/index.js';

const packageDir = fileURLToPath(new URL('../', import.meta.url));
const docPath = resolve(packageDir, DOC_PATH_FROM_PACKAGE);

describe('diagram', () => {
  it('is a Mermaid state diagram with start, transitions and final states', () => {
    const mermaid = toMermaid();
    const lines = mermaid.trimEnd().split('\n');
    expect(lines[0]).toBe('stateDiagram-v2');
    expect(lines[1]).toBe('  [*] --> idle');
    expect(lines).toContain('  idle --> plan_phase : crq');
    expect(lines).toContain('  build2 --> done : build2_ok');
    expect(lines).toContain('  test_build --> regress : gt_fail');
    expect(lines.filter((l) => l.endsWith(': build_fail'))).toHaveLength(7);
    expect(lines.filter((l) => l.endsWith(': gt_fail'))).toHaveLength(1);
    expect(lines.filter((l) => l.endsWith(': cancel'))).toHaveLength(7);
    expect(lines.slice(-2)).toEqual(['  done --> [*]', '  regress --> [*]']);
    // 1 header + 1 start + 7 happy-path + 7 build_fail + 1 gt_fail + 7 cancel + 2 final
    expect(lines).toHaveLength(26);
  });

  it('is deterministic', () => {
    expect(toMermaid()).toBe(toMermaid());
    expect(renderStateMachineDoc()).toBe(renderStateMachineDoc());
  });

  it('docs/state-machine.md is up to date with the machine', () => {
    let committed = '';
    try {
      committed = readFileSync(docPath, 'utf8');
    } catch {
      // Missing file: fall through to the comparison, which fails with the instruction below.
    }
    expect(committed, `docs/state-machine.md is stale or missing: run \`${REGENERATE_COMMAND}\``).toBe(
      renderStateMachineDoc(),
    );
  });
});
