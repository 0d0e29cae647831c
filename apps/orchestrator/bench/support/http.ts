import { spawn } from 'node:child_process';

// Shared by the benches: the load client in its own process (http-client.mjs), so that its timings do
// not include the bench's own work, and the figures it prints.

export interface Timing {
  ms: number;
  ok: boolean;
}

export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

export function summary(label: string, times: readonly number[]): string {
  const sorted = [...times].sort((a, b) => a - b);
  const f = (p: number) => percentile(sorted, p).toFixed(1);
  return `[bench] ${label}: n ${times.length}, p50 ${f(50)} ms, p99 ${f(99)} ms, max ${f(100)} ms`;
}

const CLIENT = new URL('./http-client.mjs', import.meta.url).pathname;

/** Runs the load client in its own process; `untilDone` ends a probe. */
export function client(args: string[], untilDone?: Promise<unknown>): Promise<Timing[]> {
  const child = spawn(process.execPath, [CLIENT, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  if (untilDone) void untilDone.then(() => child.stdin.end());
  else child.stdin.end();
  return new Promise((resolve, reject) =>
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`client ${code}`)))),
  );
}

/** GETs `url` every `everyMs` (each with a 1 s timeout) until `stop()`; resolves with every timing. */
export function probe(url: string, everyMs: number): { stop: () => Promise<Timing[]> } {
  let done = () => {};
  const results = client(
    ['probe', url, String(everyMs)],
    new Promise<void>((r) => {
      done = r;
    }),
  );
  return {
    stop: () => {
      done();
      return results;
    },
  };
}

/** Every sample of a metric in Prometheus text format, by its label set (`{reason="x"}`, or '' without). */
export function metricSamples(text: string, name: string): Map<string, number> {
  const samples = new Map<string, number>();
  const pattern = new RegExp(`^${name}(\\{[^}]*\\})? (\\S+)$`, 'gm');
  for (const match of text.matchAll(pattern)) samples.set(match[1] ?? '', Number(match[2]));
  return samples;
}

export async function metrics(url: string): Promise<string> {
  return (await fetch(`${url}/metrics`)).text();
}
