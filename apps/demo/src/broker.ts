import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from './repo.js';

// The local broker launcher, the one place the demo reaches it. Today it is plain Node ESM at the
// repository root (scripts/kafka/launcher.mjs), loaded by path. When it becomes the package
// `@pipeline/kafka-launcher` (same `up`/`down` shapes), this whole file becomes
//   export { down, up } from '@pipeline/kafka-launcher';
// plus the dependency in package.json. See docs/kafka-launcher.md.

export interface BrokerUpOptions {
  version?: string;
  port?: number;
  log?: ((line: string) => void) | false;
}

export interface BrokerUpResult {
  bootstrap: string;
  alreadyRunning: boolean;
  version: string;
  startedInMs: number;
}

export interface BrokerDownOptions {
  log?: ((line: string) => void) | false;
}

interface Launcher {
  up(options?: BrokerUpOptions): Promise<BrokerUpResult>;
  down(options?: BrokerDownOptions): Promise<{ stopped: boolean }>;
}

async function launcher(): Promise<Launcher> {
  const file = join(repoRoot(), 'scripts', 'kafka', 'launcher.mjs');
  // dynamic import allowed: the launcher is not a package yet (@pipeline/kafka-launcher will replace this file)
  return (await import(pathToFileURL(file).href)) as Launcher;
}

/** Starts the local broker, or finds the one already running. */
export async function up(options?: BrokerUpOptions): Promise<BrokerUpResult> {
  return (await launcher()).up(options);
}

/** Stops the local broker; safe when none runs. */
export async function down(options?: BrokerDownOptions): Promise<{ stopped: boolean }> {
  return (await launcher()).down(options);
}
