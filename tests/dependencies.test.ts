import { describe, expect, it } from 'vitest';
import { checkDependencyRules, formatViolation, loadPackageSources } from './support/dependency-rules.js';
import { ROOT } from './support/repo.js';
import { loadWorkspace } from './support/workspace.js';

// The workspace's dependency discipline, over every package pnpm-workspace.yaml names:
//  a. a file imports only node builtins and packages its package.json declares (src/: dependencies;
//     tests, benchmarks, scripts, configs: dependencies or devDependencies);
//  b. no import leaves the package's folder, by a relative path or by a computed one (unless a
//     `// dynamic import allowed: <reason>` comment stands on the line above);
//  c. arrows point one way: @pipeline/common depends on no workspace package, @pipeline/contracts
//     only on it, packages never on apps, an app never imports another app, and there is no cycle.
// The rules and the import scanner have their own tests in dependency-rules.test.ts.
describe('dependency discipline of the workspace packages', () => {
  const workspace = loadWorkspace(ROOT);

  it('finds the workspace packages from pnpm-workspace.yaml', () => {
    const dirs = workspace.map((pkg) => pkg.dir);
    expect(dirs.some((dir) => dir.startsWith('packages/'))).toBe(true);
    expect(dirs.some((dir) => dir.startsWith('apps/'))).toBe(true);
    expect(dirs).toContain('tests');
  });

  it('every import and every declared dependency keeps to the rules', () => {
    const violations = checkDependencyRules(loadPackageSources(ROOT, workspace)).map(formatViolation);
    expect(
      violations,
      `${violations.length} dependency rule violation(s):\n${violations.join('\n')}\n`,
    ).toEqual([]);
  });
});
