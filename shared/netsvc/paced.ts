// The attempt loop the Google API clients share (NetsvcClient, ComputeClient): one logical request
// retried as a whole (429 budget, 5xx and transport backoff, deadline: retry.ts), each attempt run
// within the concurrency limit and behind the first-request gate (ratelimit.ts), and counted.
import { FirstRequestGate, type Semaphore } from './ratelimit.ts';
import { type RetryHooks, type RetryPolicy, withRetry } from './retry.ts';

/** The counters the loop keeps; each client's stats add their own. */
export interface CallStats<M extends string> {
  requests: Record<M, number>;
  /** Attempts repeated after a retryable failure. */
  retries: number;
  /** 429 answers received. */
  throttled: number;
}

export class PacedCalls<M extends string> {
  private readonly gate = new FirstRequestGate();

  constructor(
    private readonly stats: CallStats<M>,
    private readonly slots: Semaphore,
    private readonly retryPolicy: RetryPolicy,
  ) {}

  /** One logical request: retried as a whole, each attempt paced by the concurrency limit. */
  call<T>(
    method: M,
    target: string,
    send: () => Promise<{ data: T }>,
    hooks: Omit<RetryHooks, 'onRetry'> & { onRetry?: () => void } = {},
  ): Promise<T> {
    const { onRetry, ...rest } = hooks;
    return withRetry(target, this.retryPolicy, () => this.attempt(method, send), {
      ...rest,
      onRetry: (err) => {
        this.stats.retries++;
        if (err.httpStatus === 429) this.stats.throttled++;
        onRetry?.();
      },
    });
  }

  private attempt<T>(method: M, send: () => Promise<{ data: T }>): Promise<T> {
    return this.slots.run(
      async () =>
        (
          await this.gate.run(() => {
            this.stats.requests[method]++;
            return send();
          })
        ).data,
    );
  }
}
