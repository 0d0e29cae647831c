import { PipelineError } from '@pipeline/common';
import { describe, expect, it, vi } from 'vitest';
import { ConfigError, withRetry } from '../src/index.js';

const transient = () =>
  Object.assign(new Error('broker away'), { name: 'KafkaJSConnectionError', retriable: true });
const fast = { initialDelayMs: 1, maxDelayMs: 2 };

describe('withRetry', () => {
  it('returns the first success and passes the attempt number', async () => {
    const seen: number[] = [];
    const result = await withRetry(async (attempt) => {
      seen.push(attempt);
      if (attempt < 3) throw transient();
      return 'ok';
    }, fast);
    expect(result).toBe('ok');
    expect(seen).toEqual([1, 2, 3]);
  });

  it('gives up after `retries` retries with the last error', async () => {
    const fn = vi.fn(async (attempt: number) => {
      throw Object.assign(transient(), { message: `fail ${attempt}` });
    });
    await expect(withRetry(fn, { ...fast, retries: 2 })).rejects.toThrow('fail 3');
    expect(fn).toHaveBeenCalledTimes(3);
  });

  it('rethrows a non-retriable error at once', async () => {
    const fn = vi.fn(async () => {
      throw new Error('plain bug');
    });
    await expect(withRetry(fn, fast)).rejects.toThrow('plain bug');
    expect(fn).toHaveBeenCalledTimes(1);
    const pipeline = vi.fn(async () => {
      throw new PipelineError('NOT_CONNECTED', 'no', { canRetry: false });
    });
    await expect(withRetry(pipeline, fast)).rejects.toThrow('no');
    expect(pipeline).toHaveBeenCalledTimes(1);
  });

  it('retries what a custom isRetriable accepts', async () => {
    const fn = vi.fn(async (attempt: number) => {
      if (attempt === 1) throw new Error('custom');
      return attempt;
    });
    await expect(withRetry(fn, { ...fast, isRetriable: () => true })).resolves.toBe(2);
  });

  it('reports each retry with a delay within the exponential bound (full jitter)', async () => {
    const onRetry = vi.fn();
    await expect(
      withRetry(
        async () => {
          throw transient();
        },
        { retries: 4, initialDelayMs: 2, maxDelayMs: 5, factor: 2, onRetry },
      ),
    ).rejects.toThrow('broker away');
    expect(onRetry).toHaveBeenCalledTimes(4);
    const bounds = [2, 4, 5, 5];
    onRetry.mock.calls.forEach(([error, attempt, delay], i) => {
      expect(error).toBeInstanceOf(Error);
      expect(attempt).toBe(i + 1);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThanOrEqual(bounds[i] as number);
    });
  });

  it('waits with fake timers as computed', async () => {
    vi.useFakeTimers();
    try {
      vi.spyOn(Math, 'random').mockReturnValue(1);
      let calls = 0;
      const p = withRetry(
        async () => {
          calls++;
          if (calls < 3) throw transient();
          return calls;
        },
        { initialDelayMs: 1000, factor: 3 },
      );
      await vi.advanceTimersByTimeAsync(999);
      expect(calls).toBe(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(calls).toBe(2);
      await vi.advanceTimersByTimeAsync(2999);
      expect(calls).toBe(2);
      await vi.advanceTimersByTimeAsync(1);
      await expect(p).resolves.toBe(3);
    } finally {
      vi.restoreAllMocks();
      vi.useRealTimers();
    }
  });

  it('stops waiting when aborted, with the signal reason', async () => {
    const controller = new AbortController();
    const reason = new Error('shutting down');
    let calls = 0;
    const p = withRetry(
      async () => {
        calls++;
        throw transient();
      },
      {
        initialDelayMs: 60_000,
        maxDelayMs: 60_000,
        signal: controller.signal,
        onRetry: () => controller.abort(reason),
      },
    );
    await expect(p).rejects.toBe(reason);
    expect(calls).toBe(1);
    await expect(withRetry(async () => 1, { signal: controller.signal })).rejects.toBe(reason);
  });

  it('validates its options', async () => {
    await expect(withRetry(async () => 1, { retries: -1, factor: 0.5 })).rejects.toThrow(ConfigError);
    await expect(withRetry(async () => 1, { retries: 1.5 })).rejects.toThrow(
      /retries must be a whole number/,
    );
  });
});
