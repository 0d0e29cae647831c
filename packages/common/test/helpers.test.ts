import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  formatDurationSetting,
  freePort,
  isPortFree,
  parseDuration,
  parseWholeNumber,
  pollUntil,
  sleep,
  tailFile,
} from '../src/index.js';

describe('parsing', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['1.5m', 90_000],
    ['2h', 7_200_000],
    ['7d', 604_800_000],
    ['250', 250],
    ['off', 'off'],
    ['soon', undefined],
    ['-1s', undefined],
  ])('parseDuration(%s) → %s', (text, expected) => {
    expect(parseDuration(text)).toBe(expected);
  });

  it('formats durations in their shortest exact unit and reads whole numbers within a range', () => {
    expect([3_600_000, 90_000, 1500, 604_800_000].map(formatDurationSetting)).toEqual([
      '1h',
      '90s',
      '1500ms',
      '7d',
    ]);
    expect(parseWholeNumber('12', 1, 100)).toBe(12);
    expect(parseWholeNumber('0', 1, 100)).toBeUndefined();
    expect(parseWholeNumber('1.5', 1, 100)).toBeUndefined();
    expect(parseWholeNumber('-3', -5, 100)).toBeUndefined();
  });
});

describe('waiting', () => {
  it('sleep rejects with the signal reason when aborted', async () => {
    const controller = new AbortController();
    const reason = new Error('stop');
    const slept = sleep(60_000, controller.signal);
    controller.abort(reason);
    await expect(slept).rejects.toBe(reason);
  });

  it('pollUntil returns once the check holds and times out naming what it waited for', async () => {
    let n = 0;
    await pollUntil(() => ++n >= 3, { timeoutMs: 5000, intervalMs: 1, what: 'three checks' });
    expect(n).toBe(3);
    await expect(pollUntil(() => false, { timeoutMs: 20, intervalMs: 5, what: 'nothing' })).rejects.toThrow(
      /timed out after 20 ms waiting for nothing/,
    );
  });
});

describe('small I/O helpers', () => {
  it('freePort gives a port that isPortFree confirms, and a bound port is not free', async () => {
    const port = await freePort();
    expect(await isPortFree(port)).toBe(true);
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    try {
      expect(await isPortFree(port)).toBe(false);
    } finally {
      server.close();
    }
  });

  it('tailFile gives the last lines, and nothing for a missing file', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'tail-')), 'log');
    writeFileSync(file, 'a\nb\nc\nd\n');
    expect(tailFile(file, 2)).toBe('c\nd');
    expect(tailFile(join(file, 'missing'), 2)).toBe('');
  });
});
