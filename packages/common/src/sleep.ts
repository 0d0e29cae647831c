/**
 * Waits `ms`. When `signal` aborts, rejects at once with the signal's reason, so a caller can tell its
 * own stop from a failure. (The global timer rather than node:timers/promises, whose AbortError hides
 * the reason and which fake timers in tests do not reach.)
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Waits `ms`, or less when `signal` aborts; never rejects. For loops that check the signal themselves. */
export async function pause(ms: number, signal?: AbortSignal): Promise<void> {
  await sleep(ms, signal).catch(() => {});
}

export interface PollOptions {
  timeoutMs: number;
  /** Between checks. Default 50 ms. */
  intervalMs?: number;
  /** What is waited for, for the timeout message. */
  what: string;
  signal?: AbortSignal;
}

/**
 * Checks until `check` returns true; throws `timed out after N ms waiting for <what>` otherwise. A
 * check that throws ends the wait with its error. Waits poll a condition, never a guessed time.
 */
export async function pollUntil(
  check: () => boolean | Promise<boolean>,
  options: PollOptions,
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${options.what}`);
    await sleep(options.intervalMs ?? 50, options.signal);
  }
}
