// Where the launcher keeps things. Two places on purpose:
// - the jar cache lives OUTSIDE the work tree (shared by every checkout, survives `git clean`), keyed by
//   Kafka version (cacheBase, here);
// - the run state (data dir, logs, broker.json) lives in <repo>/.kafka/ so each checkout has its own
//   scratch broker and other tools find it relative to the repo (run-state.ts).

import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXIT_CONFIG, LauncherError } from './errors.js';

/** This package's folder (the compiled file is in dist/, the source in src/: one level below). */
const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));

/** The nearest directory at or above `from` that holds a pnpm-workspace.yaml, or undefined. */
export function findWorkspaceRoot(from: string): string | undefined {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * The checkout this launcher belongs to: the workspace root above this package (its location in the
 * workspace does not matter), else the one above the current directory.
 */
export function repoRoot(): string {
  const root = findWorkspaceRoot(PACKAGE_DIR) ?? findWorkspaceRoot(process.cwd());
  if (root) return root;
  throw new LauncherError(
    `cannot tell which checkout this is: no pnpm-workspace.yaml above ${PACKAGE_DIR} or ${process.cwd()}; ` +
      'set PIPELINE_KAFKA_HOME to the run-state directory to use.',
    { exitCode: EXIT_CONFIG },
  );
}

/** Base directory of the jar cache; one sub-directory per Kafka version. */
export function cacheBase(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PIPELINE_KAFKA_CACHE) return resolve(env.PIPELINE_KAFKA_CACHE);
  const xdg = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(xdg, 'pipeline-kafka');
}
