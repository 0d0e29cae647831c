import { posix } from 'node:path';
import { type WorkspacePackage, workspaceDependencies } from './workspace.js';

/**
 * A Mermaid flowchart of the workspace packages and their runtime dependencies, generated from the
 * package.json files: one node per package, labelled with its name and grouped by the folder its
 * folder is in (`apps/`, `packages/`); one arrow from a package to each workspace package in its
 * `dependencies` (devDependencies are left out: they are not part of what runs). Sorted, so the
 * text only changes when the graph does.
 */
export function dependencyFlowchart(packages: readonly WorkspacePackage[]): string {
  const sorted = [...packages].sort((a, b) => a.dir.localeCompare(b.dir));
  const names = new Set(sorted.map((pkg) => pkg.name));
  const ids = new Map<string, string>();
  for (const { name } of sorted) {
    const id = name.replace(/^@/, '').replace(/[^A-Za-z0-9]+/g, '_');
    if ([...ids.values()].includes(id)) throw new Error(`two packages would get the node id ${id}`);
    ids.set(name, id);
  }
  const node = (pkg: WorkspacePackage) => `${ids.get(pkg.name)}["${pkg.name}"]`;

  const lines = ['flowchart TD'];
  const groups = [...new Set(sorted.map((pkg) => posix.dirname(pkg.dir)))];
  for (const group of groups) {
    const members = sorted.filter((pkg) => posix.dirname(pkg.dir) === group);
    if (group === '.') {
      lines.push(...members.map((pkg) => `  ${node(pkg)}`));
      continue;
    }
    lines.push(`  subgraph ${group.replace(/[^A-Za-z0-9]+/g, '_')} ["${group}/"]`);
    lines.push(...members.map((pkg) => `    ${node(pkg)}`));
    lines.push('  end');
  }
  for (const pkg of sorted) {
    for (const { name } of workspaceDependencies(pkg, names, ['dependencies'])) {
      lines.push(`  ${ids.get(pkg.name)} --> ${ids.get(name)}`);
    }
  }
  return lines.join('\n');
}
