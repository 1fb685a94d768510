// Client-side pacing: a token bucket (requests per second) and a concurrency limit, both shared by
// every call one client instance makes, operation polls included.

export type Sleep = (ms: number) => Promise<void>;
export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/**
 * Token bucket (in its GCRA form). Waiters queue in call order and one pump releases them,
 * judging each release by the clock at that moment, never by a slot booked in advance: after an
 * event-loop stall the queue drains at the rate again instead of firing every overdue timer at
 * once. With `burst` = 1 the releases are at least 1/rate apart, so any half-open one-second
 * window holds at most `ratePerSecond` of them.
 */
export class TokenBucket {
  private readonly intervalMs: number;
  /** Theoretical arrival time: when the bucket is next full enough for one token. */
  private tat = -Infinity;
  private readonly queue: Array<() => void> = [];
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    ratePerSecond: number,
    private readonly burst = 1,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(ratePerSecond > 0)) throw new RangeError(`requestsPerSecond must be > 0, got ${ratePerSecond}`);
    if (!(burst >= 1)) throw new RangeError(`burst must be >= 1, got ${burst}`);
    this.intervalMs = 1000 / ratePerSecond;
  }

  /** Resolves (with the milliseconds waited) when the caller may send one request. */
  take(): Promise<number> {
    const queuedAt = this.now();
    return new Promise((resolve) => {
      this.queue.push(() => resolve(this.now() - queuedAt));
      this.pump();
    });
  }

  /** Takes a token if one is available at time `t` (returns 0), else returns the wait without taking. */
  tryAcquire(t: number): number {
    const wait = Math.max(this.tat, t) - (this.burst - 1) * this.intervalMs - t;
    if (wait > 0) return wait;
    this.tat = Math.max(this.tat, t) + this.intervalMs;
    return 0;
  }

  private pump(): void {
    if (this.timer !== undefined) return;
    while (this.queue.length > 0) {
      const wait = this.tryAcquire(this.now());
      if (wait > 0) {
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.pump();
        }, Math.ceil(wait));
        return;
      }
      this.queue.shift()!();
    }
  }
}

/** Counting semaphore: at most `limit` holders at a time, waiters served in order. */
export class Semaphore {
  private active = 0;
  private readonly waiters: Array<() => void> = [];

  constructor(private readonly limit: number) {
    if (!(limit >= 1)) throw new RangeError(`maxConcurrency must be >= 1, got ${limit}`);
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await fn();
    } finally {
      this.release();
    }
  }

  get inFlight(): number {
    return this.active;
  }

  private acquire(): Promise<void> {
    if (this.active < this.limit) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.active--;
  }
}

// Headroom (10%) so that event-loop stalls between a release and the request leaving, and network jitter,
// cannot push a 1 s window over the limit (a busy process was seen at 52/s against 50 with 5%).
const RATE_HEADROOM = 0.9;

/**
 * A bucket whose busiest one-second window never exceeds `limit`: a burst of b lets b - 1 requests
 * through ahead of the steady rate, so the steady rate gives those up. The burst keeps the handful of
 * requests one event needs (GETs, a write, a poll) from queueing 1/rate apart.
 */
export function bucketFor(limit: number, burst: number): TokenBucket {
  const b = Math.max(1, Math.min(Math.floor(burst), Math.floor(limit / 4)));
  return new TokenBucket((limit - (b - 1)) * RATE_HEADROOM, b);
}

/**
 * The first request of a client loads the HTTP stack and opens a connection, which takes long
 * enough for many paced releases to pile up behind it and then leave together; the requests after
 * it wait until it has answered (either way). One per client.
 */
export class FirstRequestGate {
  private first: Promise<void> | undefined;

  async run<T>(send: () => Promise<T>): Promise<T> {
    if (this.first) await this.first;
    const response = send();
    this.first ??= response.then(
      () => undefined,
      () => undefined,
    );
    return response;
  }
}
