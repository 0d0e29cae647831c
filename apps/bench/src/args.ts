/** A whole-number option of the benchmarks' command lines, or why it is not one (with the range). */
export function wholeNumber(
  raw: string | undefined,
  fallback: number,
  flag: string,
  min = 1,
  max = 10_000_000,
): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new Error(`--${flag} ${raw}: a whole number from ${min} to ${max}`);
  return n;
}
