import { describe, expect, it } from 'vitest';
import { clockTime, columns, formatDuration, formatRetention } from '../src/index.js';

describe('text helpers', () => {
  it('durations and retentions read as people write them', () => {
    expect([850, 1234, 12_345, 75_000].map(formatDuration)).toEqual(['850ms', '1.23s', '12.3s', '1m15s']);
    // Rounding never shows 60 seconds.
    expect([59_960, 119_600, 9_999].map(formatDuration)).toEqual(['1m00s', '2m00s', '10.0s']);
    expect(['604800000', '2592000000', '3600000', '1500', '-1', undefined].map(formatRetention)).toEqual([
      '7d',
      '30d',
      '1h',
      '1500ms',
      'forever',
      '-',
    ]);
  });

  it('columns align on the widest cell; clockTime shows local time of day', () => {
    expect(
      columns(
        [
          ['a', 'bb'],
          ['ccc', 'd'],
        ],
        '  ',
      ),
    ).toBe('  a    bb\n  ccc  d');
    const at = new Date(2026, 0, 1, 9, 5, 7, 42);
    expect(clockTime(at.toISOString())).toBe('09:05:07.042');
    expect(clockTime('not a time')).toBe('not a time');
  });
});
