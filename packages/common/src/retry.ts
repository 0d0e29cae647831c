import { ConfigError, canRetry } from './errors.js';
import { sleep } from './sleep.js';

export interface RetryOptions {
  /** Retries after the first attempt (so at most retries + 1 calls). Default 5. */
  retries?: number;
  /** Upper bound of the first delay. Default 100 ms. */
  initialDelayMs?: number;
  /** Upper bound of any delay. Default 5000 ms. */
  maxDelayMs?: number;
  /** Growth of the bound per retry. Default 2. */
  factor?: number;
  /** Which errors are worth another attempt. Default: a PipelineError that says it can be retried. */
  isRetriable?: (error: unknown) => boolean;
  /** Called before each wait, e.g. to log; `attempt` is the attempt that just failed (1-based). */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  /** Aborting stops waiting at once and rejects with the signal's reason; a running attempt finishes. */
  signal?: AbortSignal;
}

export const DEFAULT_RETRY = { retries: 5, initialDelayMs: 100, maxDelayMs: 5000, factor: 2 } as const;

/**
 * Calls `fn` until it succeeds, an error is not retriable, or the retries are used up (then the last
 * error is thrown as it is). Waits grow exponentially with full jitter (a random delay between 0 and
 * the bound), so that many clients failing together do not retry together.
 */
export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const o = resolveRetryOptions(options);
  for (let attempt = 1; ; attempt++) {
    options.signal?.throwIfAborted();
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt > o.retries || !o.isRetriable(error)) throw error;
      const delayMs = backoffDelay(attempt, o);
      options.onRetry?.(error, attempt, delayMs);
      await sleep(delayMs, options.signal);
    }
  }
}

/** The full-jitter delay after failed attempt `attempt` (1-based). */
export function backoffDelay(
  attempt: number,
  o: { initialDelayMs: number; maxDelayMs: number; factor: number } = DEFAULT_RETRY,
): number {
  const bound = Math.min(o.maxDelayMs, o.initialDelayMs * o.factor ** (attempt - 1));
  return Math.round(Math.random() * bound);
}

function resolveRetryOptions(options: RetryOptions) {
  const o = {
    retries: options.retries ?? DEFAULT_RETRY.retries,
    initialDelayMs: options.initialDelayMs ?? DEFAULT_RETRY.initialDelayMs,
    maxDelayMs: options.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs,
    factor: options.factor ?? DEFAULT_RETRY.factor,
    isRetriable: options.isRetriable ?? canRetry,
  };
  const problems: string[] = [];
  if (!Number.isInteger(o.retries) || o.retries < 0)
    problems.push(`retries must be a whole number >= 0, got ${o.retries}`);
  if (!(o.initialDelayMs >= 0)) problems.push(`initialDelayMs must be >= 0, got ${o.initialDelayMs}`);
  if (!(o.maxDelayMs >= 0)) problems.push(`maxDelayMs must be >= 0, got ${o.maxDelayMs}`);
  if (!(o.factor >= 1)) problems.push(`factor must be >= 1, got ${o.factor}`);
  if (problems.length > 0) throw new ConfigError(problems, 'retry options');
  return o;
}
