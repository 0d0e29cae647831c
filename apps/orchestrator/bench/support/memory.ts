import { readFileSync } from 'node:fs';

/**
 * A process's resident memory now and at its peak (VmRSS, VmHWM of /proc/<pid>/status), in MiB;
 * undefined where there is no /proc (not Linux) or the process is gone.
 */
export function residentMiB(pid: number | undefined): { now: number; peak: number } | undefined {
  if (pid === undefined) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (name: string) =>
      Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
    return { now: kib('VmRSS') / 1024, peak: kib('VmHWM') / 1024 };
  } catch {
    return undefined;
  }
}
