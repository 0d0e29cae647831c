import { readdirSync, readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { join, posix } from 'node:path';
import { type ImportRef, isBareSpecifier, isPathSpecifier, packageOf, scanImports } from './imports.js';
import {
  DEPENDENCY_FIELDS,
  isSkippedDir,
  packageJsonLine,
  type WorkspacePackage,
  workspaceDependencies,
} from './workspace.js';

/** A source file of a package: its path relative to the repository root (with /) and its text. */
export interface SourceFile {
  path: string;
  source: string;
}

/** A workspace package with the source files whose imports are checked. */
export interface PackageSources {
  pkg: WorkspacePackage;
  files: SourceFile[];
}

/** One broken rule, at a line of a file (relative to the repository root). */
export interface Violation {
  file: string;
  line: number;
  what: string;
}

/** `<file>:<line>: <what>`, the form of every reported violation. */
export function formatViolation({ file, line, what }: Violation): string {
  return `${file}:${line}: ${what}`;
}

/** The files whose imports are checked: TypeScript and JavaScript modules. */
const SOURCE_FILE = /\.(ts|mts|cts|js|mjs|cjs)$/;

/**
 * The packages' source files: every .ts/.mts/.mjs/.js (and .cts/.cjs) file of the package folder
 * (src, test, bench, scripts, config files), except dependencies, build output and .d.ts files.
 */
export function loadPackageSources(root: string, packages: readonly WorkspacePackage[]): PackageSources[] {
  return packages.map((pkg) => ({
    pkg,
    files: listFiles(root, pkg.dir).map((path) => ({ path, source: readFileSync(join(root, path), 'utf8') })),
  }));
}

function listFiles(root: string, dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    const path = posix.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!isSkippedDir(entry.name) && !entry.name.startsWith('.')) found.push(...listFiles(root, path));
    } else if (SOURCE_FILE.test(entry.name) && !entry.name.endsWith('.d.ts')) {
      found.push(path);
    }
  }
  return found.sort();
}

/**
 * Production code: files under the package's src/ that are not tests. They may import only
 * `dependencies` (and optional/peer ones); every other file (tests, benchmarks, scripts, configs)
 * may also import `devDependencies`.
 */
export function isProductionFile(pkg: WorkspacePackage, path: string): boolean {
  return path.startsWith(`${pkg.dir}/src/`) && !/\.(test|spec|bench)\.[cm]?[jt]s$/.test(path);
}

/** The top folder of a package (`packages`, `apps`, `tests`): what the direction rules speak of. */
function groupOf(pkg: WorkspacePackage): string {
  return pkg.dir.split('/')[0] ?? pkg.dir;
}

/**
 * The workspace packages each of these may depend on (every dependency field), when the rule for it
 * is stricter than "packages never depend on apps": the bottom of the graph. `common` is what every
 * package shares and `contracts` is what every agent imports, so neither may pull in anything above.
 */
const ALLOWED_WORKSPACE_DEPENDENCIES: Record<string, readonly string[]> = {
  '@pipeline/common': [],
  '@pipeline/contracts': ['@pipeline/common'],
};

/**
 * Libraries only one package may use: kafkajs stays behind @pipeline/kafka, so that the client can be
 * replaced there without touching anyone else.
 */
const EXCLUSIVE_DEPENDENCIES: Readonly<Record<string, string>> = { kafkajs: '@pipeline/kafka' };

/** Every violation of the workspace's dependency rules, sorted by file and line. */
export function checkDependencyRules(packages: readonly PackageSources[]): Violation[] {
  const workspace = packages.map(({ pkg }) => pkg);
  const byName = new Map(workspace.map((pkg) => [pkg.name, pkg]));
  const names = new Set(byName.keys());
  const violations: Violation[] = [];

  for (const { pkg, files } of packages) {
    for (const file of files) {
      for (const ref of scanImports(file.source, file.path)) {
        const what = importViolation(pkg, file.path, ref, byName);
        if (what) violations.push({ file: file.path, line: ref.line, what });
      }
    }
    violations.push(...declarationViolations(pkg, names, byName));
  }
  violations.push(...cycleViolations(workspace, names));

  return violations.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
}

/** Rules a and b, and the import half of c (an app importing another app), for one import. */
function importViolation(
  pkg: WorkspacePackage,
  path: string,
  ref: ImportRef,
  byName: ReadonlyMap<string, WorkspacePackage>,
): string | undefined {
  const { specifier } = ref;
  if (specifier === undefined) {
    if (ref.allowedBecause) return undefined;
    const how = ref.kind === 'require' ? 'require' : 'import';
    return `${how} by computed path: ${how}(${ref.expression ?? ''}) (use a string literal, or put '// dynamic import allowed: <reason>' on the line above)`;
  }

  if (isPathSpecifier(specifier)) {
    const target = specifier.startsWith('/')
      ? specifier
      : posix.normalize(posix.join(posix.dirname(path), specifier));
    const inside = target === pkg.dir || target.startsWith(`${pkg.dir}/`);
    return inside
      ? undefined
      : `imports '${specifier}' (${target}), outside the folder of ${pkg.name} (${pkg.dir}): import it as a declared package instead`;
  }

  if (specifier.startsWith('node:') || isBuiltin(specifier)) return undefined;
  if (!isBareSpecifier(specifier)) return undefined;

  const name = packageOf(specifier);
  if (name === pkg.name) return undefined; // a package may import itself by name (its "exports")

  const target = byName.get(name);
  if (target && groupOf(pkg) === 'apps' && groupOf(target) === 'apps') {
    return `imports '${specifier}', the code of another app (${target.dir}): an app may declare another app to start its binary, never import it`;
  }

  const production = isProductionFile(pkg, path);
  const runtime = ['dependencies', 'optionalDependencies', 'peerDependencies'] as const;
  if (runtime.some((field) => pkg.pkg[field]?.[name] !== undefined)) return undefined;
  if (pkg.pkg.devDependencies?.[name] !== undefined) {
    return production
      ? `imports '${specifier}', which ${pkg.name} declares only in devDependencies: code under src/ needs it in dependencies`
      : undefined;
  }
  return `imports '${specifier}', which ${pkg.name}'s package.json does not declare`;
}

/** The declaration half of rule c: what a package's package.json may name. */
function declarationViolations(
  pkg: WorkspacePackage,
  names: ReadonlySet<string>,
  byName: ReadonlyMap<string, WorkspacePackage>,
): Violation[] {
  const file = `${pkg.dir}/package.json`;
  const found: Violation[] = [];
  for (const field of [
    'dependencies',
    'devDependencies',
    'optionalDependencies',
    'peerDependencies',
  ] as const) {
    for (const name of Object.keys(pkg.pkg[field] ?? {})) {
      const owner = EXCLUSIVE_DEPENDENCIES[name];
      if (owner === undefined || owner === pkg.name) continue;
      const line = packageJsonLine(pkg, name, field);
      found.push({ file, line, what: `${pkg.name} declares ${name} (${field}): only ${owner} may use it` });
    }
  }
  const allowed = ALLOWED_WORKSPACE_DEPENDENCIES[pkg.name];
  for (const { name, field } of workspaceDependencies(pkg, names)) {
    const line = packageJsonLine(pkg, name, field);
    const target = byName.get(name);
    if (allowed && !allowed.includes(name)) {
      const may =
        allowed.length === 0
          ? 'may depend on no workspace package'
          : `may depend only on ${allowed.join(', ')}`;
      found.push({ file, line, what: `${pkg.name} ${may}, but declares ${name} (${field})` });
    } else if (target && groupOf(pkg) === 'packages' && groupOf(target) === 'apps') {
      found.push({
        file,
        line,
        what: `${pkg.name} (${pkg.dir}) declares ${name} (${field}), an app (${target.dir}): a package never depends on an app`,
      });
    }
  }
  return found;
}

/** Rule c's last part: one violation per dependency cycle (per strongly connected group). */
function cycleViolations(workspace: readonly WorkspacePackage[], names: ReadonlySet<string>): Violation[] {
  const edges = new Map(
    workspace.map((pkg) => [pkg.name, [...new Set(workspaceDependencies(pkg, names).map((d) => d.name))]]),
  );
  const byName = new Map(workspace.map((pkg) => [pkg.name, pkg]));
  const found: Violation[] = [];
  for (const component of stronglyConnected([...edges.keys()].sort(), edges)) {
    const [start] = [...component].sort();
    if (start === undefined) continue;
    const selfLoop = edges.get(start)?.includes(start) ?? false;
    if (component.size === 1 && !selfLoop) continue;
    const cycle = shortestCycle(start, edges, component);
    const pkg = byName.get(start);
    const next = cycle[1];
    if (!pkg || next === undefined) continue;
    const field = DEPENDENCY_FIELDS.find((f) => pkg.pkg[f]?.[next] !== undefined);
    found.push({
      file: `${pkg.dir}/package.json`,
      line: packageJsonLine(pkg, next, field),
      what: `dependency cycle: ${cycle.join(' → ')}`,
    });
  }
  return found;
}

/** Tarjan's strongly connected components, each as a set of names. */
function stronglyConnected(nodes: readonly string[], edges: ReadonlyMap<string, string[]>): Set<string>[] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: Set<string>[] = [];
  const connect = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter);
    counter++;
    stack.push(node);
    onStack.add(node);
    for (const next of edges.get(node) ?? []) {
      if (!index.has(next)) {
        connect(next);
        low.set(node, Math.min(low.get(node) ?? 0, low.get(next) ?? 0));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node) ?? 0, index.get(next) ?? 0));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component = new Set<string>();
      for (let member = stack.pop(); member !== undefined; member = stack.pop()) {
        onStack.delete(member);
        component.add(member);
        if (member === node) break;
      }
      components.push(component);
    }
  };
  for (const node of nodes) if (!index.has(node)) connect(node);
  return components;
}

/** The shortest path start → … → start inside one strongly connected component (breadth first). */
function shortestCycle(
  start: string,
  edges: ReadonlyMap<string, string[]>,
  component: ReadonlySet<string>,
): string[] {
  const previous = new Map<string, string>();
  const queue = [start];
  for (let node = queue.shift(); node !== undefined; node = queue.shift()) {
    for (const next of [...(edges.get(node) ?? [])].sort()) {
      if (!component.has(next)) continue;
      if (next === start) {
        const path = [start];
        for (let at: string | undefined = node; at !== undefined && at !== start; at = previous.get(at))
          path.splice(1, 0, at);
        return [...path, start];
      }
      if (!previous.has(next)) {
        previous.set(next, node);
        queue.push(next);
      }
    }
  }
  return [start, start];
}
