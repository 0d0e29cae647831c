#!/usr/bin/env node
// Makes a checkout ready to run: the pnpm version the root package.json pins (`packageManager`),
// the dependencies (when node_modules is missing or older than pnpm-lock.yaml), and a build of every
// package, or only of those a command needs (turbo; a no-op when nothing changed). Plain Node with no
// dependencies, so it runs on a fresh clone before `pnpm install`.
//
//   node scripts/ensure-toolchain.mjs
//   import { ensureToolchain } from './ensure-toolchain.mjs'; await ensureToolchain({ log });
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const isWindows = process.platform === 'win32';

/** A failed step, with the command that failed and what to do about it. */
export class ToolchainError extends Error {
  constructor(message) {
    super(message);
    this.name = 'ToolchainError';
  }
}

/**
 * @param {object} [options]
 * @param {(line: string) => void} [options.log]  progress lines; default stderr with a `[setup]` prefix
 * @param {boolean | string[]} [options.build]  run the turbo build (default true): of every package, or
 *   only of the named packages (and the workspace packages they depend on)
 * @param {boolean} [options.quiet]  the commands' output goes to stderr, and the build's only when it
 *   fails (for commands whose stdout is a result, e.g. `pnpm kafka:status --json`)
 * @returns {Promise<{ pnpmVersion: string, installedPnpm: boolean, installed: boolean }>}
 */
export async function ensureToolchain({ log = defaultLog, build = true, quiet = false } = {}) {
  const wanted = pinnedPnpmVersion();
  const current = pnpmVersion();
  let installedPnpm = false;
  if (current !== wanted) {
    log(
      current
        ? `pnpm ${current} found, this repository pins ${wanted}: npm install --global pnpm@${wanted}`
        : `pnpm not found: npm install --global pnpm@${wanted}`,
    );
    await run('npm', ['install', '--global', '--no-fund', '--no-audit', `pnpm@${wanted}`], {
      quiet,
      hint:
        'installing pnpm globally failed; if it is a permission problem, install it yourself ' +
        `(e.g. \`sudo npm install --global pnpm@${wanted}\` or \`corepack enable\`) and run this again`,
    });
    const after = pnpmVersion();
    if (after !== wanted) {
      throw new ToolchainError(
        `after installing pnpm@${wanted}, \`pnpm --version\` says ${after ?? 'nothing'}: ` +
          "is npm's global bin directory (`npm prefix -g`) on your PATH, ahead of other pnpm installs?",
      );
    }
    installedPnpm = true;
  }

  let installed = false;
  const reason = installReason();
  if (reason) {
    log(`${reason}: pnpm install --frozen-lockfile`);
    await run('pnpm', ['install', '--frozen-lockfile'], {
      quiet,
      hint: 'the dependencies could not be installed; the output above says why',
    });
    installed = true;
  }

  if (build) {
    const only = Array.isArray(build) ? build : [];
    if (!quiet) log(`building${only.map((name) => ` ${name}`).join(',')} (turbo; only what changed)…`);
    await run(
      'pnpm',
      [
        'exec',
        'turbo',
        'run',
        'build',
        '--output-logs=errors-only',
        ...only.map((name) => `--filter=${name}`),
      ],
      {
        env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
        quiet,
        capture: quiet,
        hint: 'the build failed; the output above shows the errors',
      },
    );
  }
  return { pnpmVersion: wanted, installedPnpm, installed };
}

/** `pnpm@10.34.9` in the root package.json → `10.34.9`. */
/**
 * What `pnpm demo`, `pnpm chaos` and `pnpm bench` do: make the checkout ready, then run `main(argv)`
 * (or the export named `entry`) of a workspace package (a devDependency of the root, imported by name only once it is built) and
 * exit with its code. A toolchain that cannot be made ready exits 1 with why.
 */
export async function runWhenReady(packageName, entry = 'main') {
  try {
    await ensureToolchain({ log: defaultLog });
  } catch (error) {
    process.stderr.write(`[setup] ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
  const main = (await import(packageName))[entry];
  process.exit(await main(process.argv.slice(2)));
}

export function pinnedPnpmVersion() {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const match = /^pnpm@(\d+\.\d+\.\d+[^+]*)/.exec(pkg.packageManager ?? '');
  if (!match) throw new ToolchainError(`package.json has no "packageManager": "pnpm@<version>" entry`);
  return match[1];
}

/** The installed pnpm's version, or undefined when there is none. */
function pnpmVersion() {
  const result = spawnSync('pnpm', ['--version'], {
    cwd: root,
    encoding: 'utf8',
    shell: isWindows,
  });
  if (result.status !== 0 || typeof result.stdout !== 'string') return undefined;
  return result.stdout.trim() || undefined;
}

/** Why `pnpm install` must run, or undefined when node_modules is up to date with the lockfile. */
function installReason() {
  const marker = join(root, 'node_modules', '.modules.yaml');
  if (!existsSync(marker)) return 'no node_modules yet';
  const lock = join(root, 'pnpm-lock.yaml');
  if (existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs) {
    return 'pnpm-lock.yaml changed since the last install';
  }
  return undefined;
}

/**
 * Runs a command in the repository root. quiet: its output goes to stderr; capture: it is kept and
 * written (to stderr) only when the command fails.
 */
function run(command, args, { env = process.env, hint, quiet = false, capture = false } = {}) {
  return new Promise((resolve, reject) => {
    const stdio = capture ? ['inherit', 'pipe', 'pipe'] : quiet ? ['inherit', 2, 2] : 'inherit';
    const child = spawn(command, args, { cwd: root, env, stdio, shell: isWindows });
    const output = [];
    child.stdout?.on('data', (chunk) => output.push(chunk));
    child.stderr?.on('data', (chunk) => output.push(chunk));
    child.on('error', (error) =>
      reject(new ToolchainError(`${command} ${args.join(' ')} could not start: ${error.message}`)),
    );
    child.on('close', (code, signal) => {
      if (code === 0) return resolve();
      if (output.length > 0) process.stderr.write(Buffer.concat(output));
      const status = signal ? `was stopped by ${signal}` : `exited with ${code}`;
      reject(new ToolchainError(`${command} ${args.join(' ')} ${status}${hint ? `: ${hint}` : ''}`));
    });
  });
}

function defaultLog(line) {
  process.stderr.write(`[setup] ${line}\n`);
}

function isMain() {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

if (isMain()) {
  try {
    await ensureToolchain();
  } catch (error) {
    process.stderr.write(`[setup] ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
