import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { parse } from 'yaml';
import type { PackageJson } from './repo.js';

/** One workspace package: its name, its folder (relative to the root, with /) and its package.json. */
export interface WorkspacePackage {
  name: string;
  dir: string;
  pkg: PackageJson;
  /** package.json as written, to point at the line of a dependency. */
  packageJsonText: string;
}

/** The kinds of dependency a package.json declares, in the order they are reported. */
export const DEPENDENCY_FIELDS = [
  'dependencies',
  'devDependencies',
  'optionalDependencies',
  'peerDependencies',
] as const;
export type DependencyField = (typeof DEPENDENCY_FIELDS)[number];

/** Folders never searched for packages (nor, elsewhere, for source files). */
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'coverage', '.turbo', '.git']);

/**
 * The folders of the workspace packages, as pnpm finds them: the `packages` globs of
 * pnpm-workspace.yaml (`*` and `?` within a segment, `**` for any depth, `!` to exclude), keeping
 * the folders that hold a package.json. Sorted, relative to `root`, with /.
 */
export function workspacePackageDirs(root: string): string[] {
  const config = parse(readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8')) as { packages?: unknown };
  const patterns = Array.isArray(config.packages) ? config.packages.map(String) : [];
  const included = new Set<string>();
  const excluded: RegExp[] = [];
  for (const pattern of patterns) {
    const clean = pattern.replace(/^!/, '').replace(/^\.\//, '').replace(/\/+$/, '');
    if (pattern.startsWith('!')) excluded.push(globRegExp(clean));
    else for (const dir of expandDirGlob(root, clean)) included.add(dir);
  }
  return [...included]
    .filter((dir) => existsSync(join(root, dir, 'package.json')))
    .filter((dir) => !excluded.some((re) => re.test(dir)))
    .sort();
}

/** Every workspace package, in the order of workspacePackageDirs. */
export function loadWorkspace(root: string): WorkspacePackage[] {
  return workspacePackageDirs(root).map((dir) => {
    const packageJsonText = readFileSync(join(root, dir, 'package.json'), 'utf8');
    const pkg = JSON.parse(packageJsonText) as PackageJson;
    return { name: pkg.name, dir, pkg, packageJsonText };
  });
}

/** The workspace packages `pkg` declares in `fields`, with the field each is declared in. */
export function workspaceDependencies(
  pkg: WorkspacePackage,
  workspaceNames: ReadonlySet<string>,
  fields: readonly DependencyField[] = DEPENDENCY_FIELDS,
): { name: string; field: DependencyField }[] {
  const found: { name: string; field: DependencyField }[] = [];
  for (const field of fields) {
    for (const name of Object.keys(pkg.pkg[field] ?? {}).sort()) {
      if (workspaceNames.has(name)) found.push({ name, field });
    }
  }
  return found;
}

/** The 1-based line of package.json where `dependency` is declared (in `field` when given); else 1. */
export function packageJsonLine(pkg: WorkspacePackage, dependency: string, field?: DependencyField): number {
  const lines = pkg.packageJsonText.split('\n');
  let from = 0;
  if (field) {
    const start = lines.findIndex((line) => line.includes(`"${field}"`));
    if (start !== -1) from = start;
  }
  const index = lines.findIndex((line, i) => i >= from && line.includes(`"${dependency}"`));
  return index === -1 ? 1 : index + 1;
}

/** The folders under `root` that match a glob of / separated segments. */
function expandDirGlob(root: string, pattern: string): string[] {
  let current = [''];
  for (const segment of pattern.split('/')) {
    const next: string[] = [];
    for (const dir of current) {
      if (segment === '**') next.push(dir, ...subdirs(root, dir, true));
      else if (!/[*?]/.test(segment)) {
        const candidate = dir === '' ? segment : posix.join(dir, segment);
        if (existsSync(join(root, candidate))) next.push(candidate);
      } else {
        const re = globRegExp(segment);
        next.push(...subdirs(root, dir, false).filter((sub) => re.test(posix.basename(sub))));
      }
    }
    current = [...new Set(next)];
  }
  return current.filter((dir) => dir !== '');
}

function subdirs(root: string, dir: string, recursive: boolean): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    if (!entry.isDirectory() || SKIPPED_DIRS.has(entry.name) || entry.name.startsWith('.')) continue;
    const sub = dir === '' ? entry.name : posix.join(dir, entry.name);
    found.push(sub);
    if (recursive) found.push(...subdirs(root, sub, true));
  }
  return found;
}

/** A glob (`*`, `?`, `**`) as a regular expression over a whole / separated path. */
function globRegExp(glob: string): RegExp {
  const body = glob
    .split('/')
    .map((segment) =>
      segment === '**'
        ? '.*'
        : segment
            .replace(/[.+^${}()|[\]\\]/g, '\\$&')
            .replace(/\*/g, '[^/]*')
            .replace(/\?/g, '[^/]'),
    )
    .join('/');
  return new RegExp(`^${body}$`);
}

/** Whether a folder is skipped when looking for packages or source files. */
export function isSkippedDir(name: string): boolean {
  return SKIPPED_DIRS.has(name);
}
