// Jittered exponential backoff for 429 / 5xx / connection resets.
import { type ApiError, isRetryable, toApiError } from './errors.ts';
import { realSleep, type Sleep } from './ratelimit.ts';

export interface RetryPolicy {
  /** Total attempts including the first (>= 1). */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 8, baseDelayMs: 100, maxDelayMs: 5000 };

/**
 * "Full jitter" backoff: a uniform delay in [0, min(max, base * 2^retry)], which spreads retries of
 * many callers that failed together (the AWS architecture blog's recommendation).
 */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return Math.floor(random() * ceiling);
}

export interface RetryHooks {
  /** Called before each retry with the error that caused it. */
  onRetry?: (error: ApiError, attempt: number) => void;
  sleep?: Sleep;
  random?: () => number;
}

/**
 * Runs `attempt(n)` (n = 0, 1, ...) until it succeeds, fails with a non-retryable error, or the
 * attempts run out. Errors always surface as ApiError.
 */
export async function withRetry<T>(
  target: string,
  policy: RetryPolicy,
  attempt: (n: number) => Promise<T>,
  hooks: RetryHooks = {},
): Promise<T> {
  const sleep = hooks.sleep ?? realSleep;
  for (let n = 0; ; n++) {
    try {
      return await attempt(n);
    } catch (e) {
      const err = toApiError(e, target);
      if (!isRetryable(err) || n + 1 >= policy.attempts) throw err;
      hooks.onRetry?.(err, n + 1);
      await sleep(backoffDelay(n, policy, hooks.random));
    }
  }
}
