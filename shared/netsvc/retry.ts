// Jittered exponential backoff for 429 / 5xx / connection resets.
// 5xx and transport failures get a number of attempts. 429 gets time instead: Google enforces quotas
// over 60-second windows, so a request throttled early in a window can only succeed once the next
// window opens; retries keep going for about 90 s (docs/api-fidelity.md), unless the caller's
// deadline comes first, then the 429 surfaces (transient) and the event is redelivered later.
import { type ApiError, isRetryable, toApiError } from './errors.ts';
import { realSleep, type Sleep } from './ratelimit.ts';

export interface RetryPolicy {
  /** Total attempts for 5xx and transport failures, including the first (>= 1). */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** 429: retry for at most this long in total, from the first attempt. Default 90 s. */
  throttleBudgetMs?: number;
  /** 429: the backoff grows to this and stays there. Default 15 s. */
  throttleMaxDelayMs?: number;
}

export const DEFAULT_RETRY: Required<RetryPolicy> = {
  attempts: 8,
  baseDelayMs: 100,
  maxDelayMs: 5000,
  // A full minute window plus the slack psm-interop found it needed against the real API (~85 s).
  throttleBudgetMs: 90_000,
  throttleMaxDelayMs: 15_000,
};

/** The longest Retry-After honoured as given; longer ones are capped (the budget still applies). */
const MAX_RETRY_AFTER_MS = 60_000;

/**
 * "Full jitter" backoff: a uniform delay in [0, min(max, base * 2^retry)], which spreads retries of
 * many callers that failed together (the AWS architecture blog's recommendation).
 */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return Math.floor(random() * ceiling);
}

/**
 * Backoff after the `retry`-th 429 (0-based): "equal jitter", half fixed and half random, so the
 * delay surely grows (0.1, 0.2, 0.4 ... up to 15 s) and ~14 retries span the 90-s budget.
 */
export function throttleDelay(
  retry: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const max = policy.throttleMaxDelayMs ?? DEFAULT_RETRY.throttleMaxDelayMs;
  const ceiling = Math.min(max, policy.baseDelayMs * 2 ** retry);
  return Math.floor(ceiling / 2 + (random() * ceiling) / 2);
}

export interface RetryHooks {
  /** Called before each retry with the error that caused it. */
  onRetry?: (error: ApiError, attempt: number) => void;
  sleep?: Sleep;
  random?: () => number;
  /** Clock for the 429 budget and the deadline (epoch ms). Default Date.now. */
  now?: () => number;
  /** No retry sleeps past this time (epoch ms by `now`): the last error surfaces instead. */
  deadline?: number;
}

/**
 * Runs `attempt(n)` (n = 0, 1, ...) until it succeeds, fails with a non-retryable error, or its
 * retries run out (attempts for 5xx, time for 429, the deadline for both). Errors always surface
 * as ApiError.
 */
export async function withRetry<T>(
  target: string,
  policy: RetryPolicy,
  attempt: (n: number) => Promise<T>,
  hooks: RetryHooks = {},
): Promise<T> {
  const sleep = hooks.sleep ?? realSleep;
  const now = hooks.now ?? Date.now;
  const started = now();
  let failures = 0;
  let throttles = 0;
  for (let n = 0; ; n++) {
    try {
      return await attempt(n);
    } catch (e) {
      const err = toApiError(e, target);
      if (!isRetryable(err)) throw err;
      let delay: number;
      if (err.httpStatus === 429) {
        delay =
          err.retryAfterMs !== undefined
            ? Math.min(err.retryAfterMs, MAX_RETRY_AFTER_MS)
            : throttleDelay(throttles, policy, hooks.random);
        throttles++;
        const budget = policy.throttleBudgetMs ?? DEFAULT_RETRY.throttleBudgetMs;
        if (now() + delay - started > budget) throw err;
      } else {
        if (failures + 1 >= policy.attempts) throw err;
        delay = backoffDelay(failures, policy, hooks.random);
        failures++;
      }
      if (hooks.deadline !== undefined && now() + delay > hooks.deadline) throw err;
      hooks.onRetry?.(err, n + 1);
      await sleep(delay);
    }
  }
}
