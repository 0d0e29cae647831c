import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  checkDependencyRules,
  formatViolation,
  type PackageSources,
  type SourceFile,
} from './support/dependency-rules.js';
import { isBareSpecifier, packageOf, scanImports } from './support/imports.js';
import type { PackageJson } from './support/repo.js';
import { workspacePackageDirs } from './support/workspace.js';

// The import scanner and the dependency rules of dependencies.test.ts, on made-up sources and
// packages: every form of import is found, and each rule flags the case it exists for.

describe('scanImports', () => {
  it('finds every form of import with its line, and only real code', () => {
    const source = [
      "import a from 'pkg-default';", // 1
      "import { b } from '@scope/named/sub';", // 2
      "import * as c from 'node:fs';", // 3
      "import type { D } from 'types-only';", // 4
      "import './side-effect.js';", // 5
      "export { e } from './re-export.js';", // 6
      "export * from 'star-export';", // 7
      "const f = await import('dynamic-literal');", // 8
      'const g = await import(`template-literal`);', // 9
      "const h = require('required');", // 10
      "import i = require('import-equals');", // 11
      "type J = import('type-import').J;", // 12
      "// import fake from 'in-a-comment';", // 13
      'const s = "import fake from \'in-a-string\'";', // 14
      "const t = `import('in-a-template')`;", // 15
      '/* require("in-a-block-comment") */', // 16
    ].join('\n');
    expect(scanImports(source, 'example.ts')).toEqual([
      { kind: 'import', line: 1, specifier: 'pkg-default' },
      { kind: 'import', line: 2, specifier: '@scope/named/sub' },
      { kind: 'import', line: 3, specifier: 'node:fs' },
      { kind: 'import', line: 4, specifier: 'types-only' },
      { kind: 'side-effect', line: 5, specifier: './side-effect.js' },
      { kind: 'export', line: 6, specifier: './re-export.js' },
      { kind: 'export', line: 7, specifier: 'star-export' },
      { kind: 'dynamic', line: 8, specifier: 'dynamic-literal' },
      { kind: 'dynamic', line: 9, specifier: 'template-literal' },
      { kind: 'require', line: 10, specifier: 'required' },
      { kind: 'require', line: 11, specifier: 'import-equals' },
      { kind: 'type', line: 12, specifier: 'type-import' },
    ]);
  });

  it('reads .mjs and .js files as JavaScript', () => {
    const source = "import { up } from './launcher.mjs';\nconst x = require('cjs-dep');\n";
    expect(scanImports(source, 'script.mjs').map((ref) => ref.specifier)).toEqual([
      './launcher.mjs',
      'cjs-dep',
    ]);
  });

  it('reports a computed specifier with its expression, allowed only by the comment on the line above', () => {
    const source = [
      "const a = await import(pathToFileURL(join(root, 'scripts', 'x.mjs')).href);", // 1
      '// dynamic import allowed: plugins are found at run time', // 2
      'const b = await import(pluginPath);', // 3
      '// dynamic import allowed: too far above', // 4
      '', // 5
      "const c = await import('./plugins/' + name);", // 6
      'const d = require(name);', // 7
    ].join('\n');
    expect(scanImports(source, 'x.ts')).toEqual([
      { kind: 'dynamic', line: 1, expression: "pathToFileURL(join(root, 'scripts', 'x.mjs')).href" },
      {
        kind: 'dynamic',
        line: 3,
        expression: 'pluginPath',
        allowedBecause: 'plugins are found at run time',
      },
      { kind: 'dynamic', line: 6, expression: "'./plugins/' + name" },
      { kind: 'require', line: 7, expression: 'name' },
    ]);
  });

  it('names the package of a specifier', () => {
    expect(packageOf('@scope/pkg/sub/path.js')).toBe('@scope/pkg');
    expect(packageOf('@scope/pkg')).toBe('@scope/pkg');
    expect(packageOf('vitest/config')).toBe('vitest');
    expect(isBareSpecifier('vitest/config')).toBe(true);
    expect(isBareSpecifier('node:fs')).toBe(false);
    expect(isBareSpecifier('../x.js')).toBe(false);
    expect(isBareSpecifier('#internal')).toBe(false);
  });
});

/** A made-up workspace package for the rule checks. */
function pkg(
  dir: string,
  json: Partial<PackageJson> & { name: string },
  files: SourceFile[] = [],
): PackageSources {
  const packageJsonText = `${JSON.stringify(json, null, 2)}\n`;
  return { pkg: { name: json.name, dir, pkg: json, packageJsonText }, files };
}

function check(...packages: PackageSources[]): string[] {
  return checkDependencyRules(packages).map(formatViolation);
}

describe('dependency rules', () => {
  it('a: a bare import must be a builtin or a package the package.json declares (subpaths count as the package)', () => {
    const lib = pkg('packages/lib', { name: '@x/lib', dependencies: { '@scope/dep': '1.0.0' } }, [
      {
        path: 'packages/lib/src/index.ts',
        source: [
          "import { readFileSync } from 'node:fs';",
          "import { join } from 'path';",
          "import { sub } from '@scope/dep/sub';",
          "import { nope } from 'undeclared';",
        ].join('\n'),
      },
    ]);
    expect(check(lib)).toEqual([
      "packages/lib/src/index.ts:4: imports 'undeclared', which @x/lib's package.json does not declare",
    ]);
  });

  it('a: src may import only dependencies; tests, benchmarks and configs may also import devDependencies', () => {
    const files = ['src/index.ts', 'test/index.test.ts', 'bench/run.ts', 'vitest.config.ts'].map((file) => ({
      path: `packages/lib/${file}`,
      source: "import { describe } from 'vitest';\n",
    }));
    const lib = pkg('packages/lib', { name: '@x/lib', devDependencies: { vitest: '4.1.12' } }, files);
    expect(check(lib)).toEqual([
      "packages/lib/src/index.ts:1: imports 'vitest', which @x/lib declares only in devDependencies: code under src/ needs it in dependencies",
    ]);
  });

  it("b: a relative import may not leave the package's folder", () => {
    const app = pkg('apps/cli', { name: '@x/cli' }, [
      {
        path: 'apps/cli/test/support/io.ts',
        source:
          "import { a } from '../../src/a.js';\nimport { up } from '../../../../scripts/kafka/launcher.mjs';\n",
      },
    ]);
    expect(check(app)).toEqual([
      "apps/cli/test/support/io.ts:2: imports '../../../../scripts/kafka/launcher.mjs' (scripts/kafka/launcher.mjs), outside the folder of @x/cli (apps/cli): import it as a declared package instead",
    ]);
  });

  it('b: an import by computed path is flagged unless a comment on the line above allows it', () => {
    const app = pkg('apps/cli', { name: '@x/cli' }, [
      {
        path: 'apps/cli/src/demo/repo.ts',
        source: [
          "const launcher = await import(pathToFileURL(join(root, 'scripts', 'kafka', 'launcher.mjs')).href);",
          '// dynamic import allowed: the plugin folder is chosen by the user',
          'const plugin = await import(pluginPath);',
        ].join('\n'),
      },
    ]);
    expect(check(app)).toEqual([
      "apps/cli/src/demo/repo.ts:1: import by computed path: import(pathToFileURL(join(root, 'scripts', 'kafka', 'launcher.mjs')).href) (use a string literal, or put '// dynamic import allowed: <reason>' on the line above)",
    ]);
  });

  it('c: @pipeline/common depends on no workspace package, @pipeline/contracts only on common', () => {
    const common = pkg('packages/common', {
      name: '@pipeline/common',
      devDependencies: { '@pipeline/testkit': 'workspace:*' },
    });
    const contracts = pkg('packages/contracts', {
      name: '@pipeline/contracts',
      dependencies: { '@pipeline/common': 'workspace:*', '@pipeline/topics': 'workspace:*' },
    });
    const topics = pkg('packages/topics', { name: '@pipeline/topics' });
    const testkit = pkg('packages/testkit', { name: '@pipeline/testkit' });
    expect(check(common, contracts, topics, testkit)).toEqual([
      'packages/common/package.json:4: @pipeline/common may depend on no workspace package, but declares @pipeline/testkit (devDependencies)',
      'packages/contracts/package.json:5: @pipeline/contracts may depend only on @pipeline/common, but declares @pipeline/topics (dependencies)',
    ]);
  });

  it('kafkajs is declared by @pipeline/kafka only', () => {
    const kafka = pkg('packages/kafka', { name: '@pipeline/kafka', dependencies: { kafkajs: '2.2.4' } });
    const app = pkg('apps/orchestrator', {
      name: '@pipeline/orchestrator',
      devDependencies: { kafkajs: '2.2.4' },
    });
    expect(check(kafka, app)).toEqual([
      'apps/orchestrator/package.json:4: @pipeline/orchestrator declares kafkajs (devDependencies): only @pipeline/kafka may use it',
    ]);
  });

  it('c: a package under packages/ never depends on an app', () => {
    const lib = pkg('packages/lib', { name: '@x/lib', devDependencies: { '@x/cli': 'workspace:*' } });
    const app = pkg('apps/cli', { name: '@x/cli' });
    expect(check(lib, app)).toEqual([
      'packages/lib/package.json:4: @x/lib (packages/lib) declares @x/cli (devDependencies), an app (apps/cli): a package never depends on an app',
    ]);
  });

  it("c: an app may declare another app (to start its binary) but never imports that app's code", () => {
    const cli = pkg('apps/cli', { name: '@x/cli', dependencies: { '@x/server': 'workspace:*' } }, [
      { path: 'apps/cli/src/start.ts', source: "const bin = require.resolve('@x/server/package.json');\n" },
      { path: 'apps/cli/src/run.ts', source: "\nimport { serve } from '@x/server/dist/serve.js';\n" },
    ]);
    const server = pkg('apps/server', { name: '@x/server' });
    expect(check(cli, server)).toEqual([
      "apps/cli/src/run.ts:2: imports '@x/server/dist/serve.js', the code of another app (apps/server): an app may declare another app to start its binary, never import it",
    ]);
  });

  it('c: there is no cycle among workspace dependencies (of any kind)', () => {
    const a = pkg('packages/a', { name: '@x/a', dependencies: { '@x/b': 'workspace:*' } });
    const b = pkg('packages/b', { name: '@x/b', dependencies: { '@x/c': 'workspace:*' } });
    const c = pkg('packages/c', { name: '@x/c', devDependencies: { '@x/a': 'workspace:*' } });
    const d = pkg('packages/d', { name: '@x/d', dependencies: { '@x/a': 'workspace:*' } });
    expect(check(a, b, c, d)).toEqual([
      'packages/a/package.json:4: dependency cycle: @x/a → @x/b → @x/c → @x/a',
    ]);
  });
});

describe('workspacePackageDirs', () => {
  const root = mkdtempSync(join(tmpdir(), 'workspace-globs-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("finds the folders pnpm-workspace.yaml's globs name that hold a package.json", () => {
    const dirs = ['packages/a', 'packages/skip', 'packages/no-json', 'tools/deep/x', 'tests', 'other/y'];
    for (const dir of dirs) {
      mkdirSync(join(root, dir), { recursive: true });
      if (dir !== 'packages/no-json') writeFileSync(join(root, dir, 'package.json'), '{}');
    }
    writeFileSync(
      join(root, 'pnpm-workspace.yaml'),
      'packages:\n  - "packages/*"\n  - "!packages/skip"\n  - "tools/**"\n  - tests\n',
    );
    expect(workspacePackageDirs(root)).toEqual(['packages/a', 'tests', 'tools/deep/x']);
  });
});
