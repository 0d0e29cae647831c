import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is <root>/tests/support/repo.ts). */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export function repoPath(...parts: string[]): string {
  return join(ROOT, ...parts);
}

export function readRepoFile(path: string): string {
  return readFileSync(repoPath(path), 'utf8');
}

export interface PackageJson {
  name: string;
  main?: string;
  packageManager?: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

export function readPackageJson(dir: string): PackageJson {
  return JSON.parse(readRepoFile(join(dir, 'package.json'))) as PackageJson;
}

/** Workspace packages under packages/ and apps/, by name, with their folder relative to the root. */
export function workspacePackages(): Map<string, { dir: string; pkg: PackageJson }> {
  const found = new Map<string, { dir: string; pkg: PackageJson }>();
  for (const group of ['packages', 'apps']) {
    for (const entry of readdirSync(repoPath(group), { withFileTypes: true })) {
      const dir = `${group}/${entry.name}`;
      if (!entry.isDirectory() || !existsSync(repoPath(dir, 'package.json'))) continue;
      const pkg = readPackageJson(dir);
      found.set(pkg.name, { dir, pkg });
    }
  }
  return found;
}

/**
 * The workspace packages an install of `name` links: its workspace dependencies of every kind, and
 * theirs, transitively (a dependency's devDependencies are installed too, since it is built from source).
 */
export function workspaceClosure(name: string): string[] {
  const all = workspacePackages();
  const seen = new Set<string>([name]);
  const queue = [name];
  for (let current = queue.shift(); current !== undefined; current = queue.shift()) {
    const pkg = all.get(current)?.pkg;
    if (!pkg) throw new Error(`no workspace package named ${current}`);
    const deps = {
      ...pkg.dependencies,
      ...pkg.devDependencies,
      ...pkg.optionalDependencies,
      ...pkg.peerDependencies,
    };
    for (const [dep, spec] of Object.entries(deps)) {
      if (spec.startsWith('workspace:') && !seen.has(dep)) {
        seen.add(dep);
        queue.push(dep);
      }
    }
  }
  return [...seen].sort();
}
