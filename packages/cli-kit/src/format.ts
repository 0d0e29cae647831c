/** Small text helpers shared by the command-line tools (the CLI and the demo). */

/** `1234` → `1.23s`, `850` → `850ms`, `75_000` → `1m15s`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '-';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  // Round first, then split: 59_960 ms is `1m00s`, not `60.0s`; 119_600 ms is `2m00s`, not `1m60s`.
  const seconds = ms / 1000;
  const twoDecimals = seconds.toFixed(2);
  const short = Number(twoDecimals) < 10 ? twoDecimals : seconds.toFixed(1);
  if (Number(short) < 60) return `${short}s`;
  const total = Math.round(seconds);
  return `${Math.floor(total / 60)}m${String(total % 60).padStart(2, '0')}s`;
}

/** Retention in the units people set it in: `604800000` → `7d`; `-1` → `forever`. */
export function formatRetention(raw: string | undefined): string {
  if (raw === undefined || raw === '') return '-';
  const ms = Number(raw);
  if (!Number.isFinite(ms)) return raw;
  if (ms < 0) return 'forever';
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** Rows as aligned columns; the first row is the header. */
export function columns(rows: ReadonlyArray<ReadonlyArray<string>>, indent = ''): string {
  const widths: number[] = [];
  for (const row of rows) {
    for (const [i, cell] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, cell.length);
  }
  return rows
    .map((row) => `${indent}${row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ')}`.trimEnd())
    .join('\n');
}

/** `2026-11-24T15:00:01.234Z` → `15:00:01.234` (local time). */
export function clockTime(iso: string | number): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}
