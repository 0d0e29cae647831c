import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { noopLogger, runService } from '../src/index.js';

function harness(stop: () => Promise<void>, start: () => Promise<void> = async () => {}) {
  const signals = new EventEmitter();
  const exits: number[] = [];
  const stopSpy = vi.fn(stop);
  const done = runService({
    logger: noopLogger,
    graceMs: 1000,
    start,
    stop: stopSpy,
    exit: (code) => exits.push(code),
    signals: signals as unknown as NodeJS.Process,
  });
  return { signals, exits, stop: stopSpy, done };
}

describe('runService', () => {
  it('stops once on the first signal and exits 0', async () => {
    const h = harness(async () => {});
    h.signals.emit('SIGTERM', 'SIGTERM');
    await expect(h.done).resolves.toBe(0);
    expect(h.stop).toHaveBeenCalledTimes(1);
    expect(h.exits).toEqual([0]);
  });

  it('exits 1 at once on a second signal while stopping', async () => {
    const h = harness(() => new Promise(() => {}));
    h.signals.emit('SIGINT', 'SIGINT');
    h.signals.emit('SIGTERM', 'SIGTERM');
    await expect(h.done).resolves.toBe(1);
    expect(h.stop).toHaveBeenCalledTimes(1);
  });

  it('exits 1 when the grace expires before stop finishes', async () => {
    vi.useFakeTimers();
    try {
      const h = harness(() => new Promise(() => {}));
      h.signals.emit('SIGTERM', 'SIGTERM');
      await vi.advanceTimersByTimeAsync(999);
      expect(h.exits).toEqual([]);
      await vi.advanceTimersByTimeAsync(1);
      expect(h.exits).toEqual([1]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('exits 1 when stop fails, or when start fails (after stopping)', async () => {
    const failingStop = harness(async () => {
      throw new Error('stuck');
    });
    failingStop.signals.emit('SIGTERM', 'SIGTERM');
    await expect(failingStop.done).resolves.toBe(1);

    const failingStart = harness(
      async () => {},
      async () => {
        throw new Error('no broker');
      },
    );
    await expect(failingStart.done).resolves.toBe(1);
    expect(failingStart.stop).toHaveBeenCalledTimes(1);
  });
});
