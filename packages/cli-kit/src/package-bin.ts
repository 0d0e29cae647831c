import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { CliError, EXIT } from './errors.js';

/**
 * The file of `bin` in the package.json of `packageName`, as resolved from the module `from` (the
 * caller's `import.meta.url`: with pnpm, a package sees only its own dependencies). It must exist (the
 * packages are built): otherwise a usage error that says to build first.
 */
export function packageBin(
  packageName: string,
  bin: string,
  { from, rel }: { from: string; rel: (path: string) => string },
): string {
  const manifestFile = manifestOf(packageName, createRequire(from));
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
function manifestOf(packageName: string, require: NodeJS.Require): string {
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
