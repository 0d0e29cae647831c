const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `500ms`, `30s`, `1.5m`, `2h`, `7d` or a bare number of ms → ms; `off` → 'off'; otherwise undefined. */
export function parseDuration(text: string): number | 'off' | undefined {
  if (text === 'off') return 'off';
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text);
  if (!match) return undefined;
  const unit = UNIT_MS[(match[2] ?? 'ms') as keyof typeof UNIT_MS];
  return Math.round(Number(match[1]) * unit);
}

/** The shortest exact form: 3_600_000 → `1h`, 90_000 → `90s`, 1500 → `1500ms`. */
export function formatDurationSetting(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    if (ms >= UNIT_MS[unit] && ms % UNIT_MS[unit] === 0) return `${ms / UNIT_MS[unit]}${unit}`;
  }
  return `${ms}ms`;
}

/** A whole number written in decimal digits only, within [min, max]; undefined otherwise. */
export function parseWholeNumber(text: string, min: number, max: number): number | undefined {
  if (!/^\d+$/.test(text.trim())) return undefined;
  const value = Number(text.trim());
  return value >= min && value <= max ? value : undefined;
}
