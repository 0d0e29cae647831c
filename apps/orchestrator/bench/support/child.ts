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

/** The ERROR lines of a service's JSON log, counted by message (a healthy run should have none). */
export function errorLines(logFile: string): Map<string, number> {
  const counts = new Map<string, number>();
  let text = '';
  try {
    text = readFileSync(logFile, 'utf8');
  } catch {
    return counts;
  }
  for (const line of text.split('\n')) {
    if (!line.includes('"level":"error"')) continue;
    const msg = /"msg":"([^"]{0,120})/.exec(line)?.[1] ?? line.slice(0, 120);
    counts.set(msg, (counts.get(msg) ?? 0) + 1);
  }
  return counts;
}

export function describeErrors(counts: Map<string, number>): string {
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  return total === 0 ? '0' : `${total} (${[...counts].map(([m, n]) => `${n} × "${m}"`).join('; ')})`;
}
