import { describe, expect, it } from 'vitest';
import { wholeNumber } from '../src/args.js';
import { scaleVerdicts } from '../src/scale/cli.js';

describe('the benchmarks’ options', () => {
  it('takes a whole number in range, the default when absent, and says the range otherwise', () => {
    expect(wholeNumber(undefined, 7, 'rounds')).toBe(7);
    expect(wholeNumber('3', 7, 'rounds', 1, 100)).toBe(3);
    expect(() => wholeNumber('0', 7, 'rounds', 1, 100)).toThrow('--rounds 0: a whole number from 1 to 100');
    expect(() => wholeNumber('2.5', 7, 'real', 0)).toThrow('--real 2.5: a whole number from 0 to 10000000');
  });
});

describe('scaleVerdicts', () => {
  it('judges the worst instance at its peak and each target of issue 14', () => {
    const lines = scaleVerdicts({
      records: 10,
      real: 0,
      instances: 2,
      cold: [
        { rssMb: 250, peakRssMb: 260, readySeconds: 1 },
        { rssMb: 280, peakRssMb: 310, readySeconds: 1 },
      ],
      storeMb: 12,
      warmRestartSeconds: 5,
      lookupMs: { p50: 1, p99: 20.5, count: 10 },
      takeoverSeconds: 19,
      takeoverAfterSessionSeconds: 9,
    });
    expect(lines.map((l) => l.startsWith('met'))).toEqual([false, true, true, false]);
    expect(lines[0]).toContain('310 MB at its peak');
  });
});
