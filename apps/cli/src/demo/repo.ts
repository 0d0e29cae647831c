import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The repository root: the nearest directory above this file with a pnpm-workspace.yaml. */
export function repoRoot(from: string = fileURLToPath(import.meta.url)): string {
  for (let dir = dirname(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    if (dirname(dir) === dir)
      throw new Error(`no pnpm-workspace.yaml above ${from}: run the demo from the repository`);
  }
}

/** The part of scripts/kafka/launcher.mjs the demo uses (see docs/kafka-launcher.md). */
export interface Launcher {
  up(options?: { version?: string; port?: number; log?: ((line: string) => void) | false }): Promise<{
    bootstrap: string;
    alreadyRunning: boolean;
    version: string;
    startedInMs: number;
  }>;
  down(options?: { log?: ((line: string) => void) | false }): Promise<{ stopped: boolean }>;
}

/** The project's broker launcher: plain Node ESM at the repository root, imported by path. */
export async function loadLauncher(root: string): Promise<Launcher> {
  return (await import(pathToFileURL(join(root, 'scripts', 'kafka', 'launcher.mjs')).href)) as Launcher;
}
