import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { CliError, EXIT } from '@pipeline/cli-kit';

const require = createRequire(import.meta.url);

/** The services the demo runs, each by its package's bin (the packages are dependencies of this one). */
export const SERVICE_BINS = {
  orchestrator: { packageName: '@pipeline/orchestrator', bin: 'pipeline-orchestrator' },
  agents: { packageName: '@pipeline/mock-agents', bin: 'pipeline-mock-agents' },
} as const;

/**
 * The file of `bin` in the package.json of `packageName`, as resolved from this package. It must
 * exist (the packages are built): otherwise a usage error that says to build first.
 */
export function packageBin(packageName: string, bin: string, rel: (path: string) => string): string {
  const manifestFile = manifestOf(packageName);
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as {
    bin?: string | Record<string, string>;
  };
  const entry = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin?.[bin];
  if (!entry) throw new CliError(`${packageName} has no bin ${bin} (${rel(manifestFile)})`);
  const file = join(dirname(manifestFile), entry);
  if (!existsSync(file)) throw new CliError(`${rel(file)} is missing: run \`pnpm build\` first`, EXIT.usage);
  return file;
}

/** The package.json of a dependency, also when its `exports` do not list it. */
function manifestOf(packageName: string): string {
  try {
    return require.resolve(`${packageName}/package.json`);
  } catch (error) {
    const found = (require.resolve.paths(packageName) ?? [])
      .map((dir) => join(dir, packageName, 'package.json'))
      .find((file) => existsSync(file));
    if (found) return found;
    throw error;
  }
}
