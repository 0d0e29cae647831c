// A lock file around `up` and `down`, because test runners start them concurrently: e.g. turbo runs
// several packages' vitest globalSetup at once, each calling up(). Without the lock both would see
// "no broker", both would wipe the same data dir and start a JVM. With it, the second caller waits and
// then reuses the broker the first one started.

import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { sleep } from '@pipeline/common';
import { LauncherError } from './errors.js';
import { isAlive } from './process.js';

export type Release = () => void;

/**
 * Takes the lock (O_EXCL create holding our pid), waiting while a live process holds it and taking
 * it over from a dead one. Returns the release function.
 */
export async function acquireLock(
  lockFile: string,
  { log, maxWaitMs = 15 * 60_000 }: { log?: (line: string) => void; maxWaitMs?: number } = {},
): Promise<Release> {
  const deadline = Date.now() + maxWaitMs;
  let announced = false;
  for (;;) {
    try {
      const fd = openSync(lockFile, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => releaseLock(lockFile);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = readHolder(lockFile);
    if (holder === undefined) continue; // released between our create and our read
    if (holder === process.pid) {
      // Re-entrant: the same process (e.g. the CLI's Ctrl-C cleanup) already holds it.
      return () => {};
    }
    if (holder === null || !isAlive(holder)) {
      // Left behind by a killed launcher (or caught half-written: the holder writes right after
      // creating it, so an empty file that stays empty is stale too).
      if (holder !== null || (await stillEmptyAfter(lockFile, 500))) {
        try {
          unlinkSync(lockFile);
        } catch {
          // someone else removed it first; just retry
        }
      }
      continue;
    }
    if (!announced) {
      log?.(`waiting for another kafka launcher (pid ${holder}) to finish…`);
      announced = true;
    }
    if (Date.now() >= deadline) {
      throw new LauncherError(`another kafka launcher (pid ${holder}) has held ${lockFile} for too long.`);
    }
    await sleep(250);
  }
}

/** The pid in the lock file; null when the file is empty or garbage, undefined when it is gone. */
function readHolder(lockFile: string): number | null | undefined {
  let text: string;
  try {
    text = readFileSync(lockFile, 'utf8');
  } catch {
    return undefined;
  }
  const pid = Number.parseInt(text, 10);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

async function stillEmptyAfter(lockFile: string, ms: number): Promise<boolean> {
  await sleep(ms);
  return readHolder(lockFile) === null; // undefined (gone) means: not ours to delete, just retry
}

/** Removes the lock file if this process holds it (also used by the CLI's Ctrl-C handler). */
export function releaseLock(lockFile: string): void {
  if (readHolder(lockFile) !== process.pid) return;
  try {
    unlinkSync(lockFile);
  } catch {
    // already gone
  }
}
