/** Waits `ms` milliseconds, or rejects with the signal's reason as soon as it aborts. */
export type SleepFunction = (ms: number, signal?: AbortSignal) => Promise<void>;

/** How long to wait between attempts: exponential growth, capped, with full jitter. */
export interface BackoffOptions {
  /** Upper bound of the first delay. Default 250 ms. */
  baseMs?: number;
  /** Cap on any single delay. Default 5 000 ms. */
  maxMs?: number;
  /** A number in [0, 1). Default `Math.random`; inject a constant for deterministic tests. */
  random?: () => number;
  /** Default: a `setTimeout` that stops early when the caller's signal aborts. */
  sleep?: SleepFunction;
}

/**
 * The delay before the attempt that follows failed attempt number `failedAttempt`
 * (1-based): a uniformly random value in `[0, min(maxMs, baseMs * 2^(failedAttempt-1)))`,
 * the "full jitter" strategy, so that many IdP workers retrying the same SP spread out.
 */
export function backoffDelay(
  failedAttempt: number,
  options: { baseMs: number; maxMs: number; random: () => number },
): number {
  const exponent = Math.max(0, failedAttempt - 1);
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(exponent, 52));
  const fraction = Math.min(1, Math.max(0, options.random()));
  return Math.floor(ceiling * fraction);
}

/** The default {@link SleepFunction}. */
export const sleep: SleepFunction = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
