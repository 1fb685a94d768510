// Per-key burst coalescing: a key fires `debounceMs` after its last touch, but never later than
// `maxWaitMs` after its first untouched change, so a route updated continuously still publishes.
// Payloads touched in one window are merged by the caller's `merge`.

export interface Timers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface CoalescerOptions<T> {
  debounceMs: number;
  maxWaitMs: number;
  merge(previous: T, next: T): T;
  fire(key: string, payload: T): void;
  timers?: Timers;
}

interface Window<T> {
  firstAt: number;
  payload: T;
  handle: unknown;
}

export class Coalescer<T> {
  private readonly windows = new Map<string, Window<T>>();
  private readonly timers: Timers;

  constructor(private readonly opts: CoalescerOptions<T>) {
    this.timers = opts.timers ?? realTimers;
  }

  touch(key: string, payload: T): void {
    const now = this.timers.now();
    const open = this.windows.get(key);
    if (open) this.timers.clearTimeout(open.handle);
    const firstAt = open?.firstAt ?? now;
    const due = Math.min(
      now + this.opts.debounceMs,
      firstAt + Math.max(this.opts.maxWaitMs, this.opts.debounceMs),
    );
    const window: Window<T> = {
      firstAt,
      payload: open ? this.opts.merge(open.payload, payload) : payload,
      handle: undefined,
    };
    window.handle = this.timers.setTimeout(() => this.fireKey(key), Math.max(0, due - now));
    this.windows.set(key, window);
  }

  /** Fires every open window now (shutdown). */
  flushAll(): void {
    for (const key of [...this.windows.keys()]) this.fireKey(key);
  }

  pendingKeys(): string[] {
    return [...this.windows.keys()];
  }

  /** Drops every open window without firing. */
  clear(): void {
    for (const w of this.windows.values()) this.timers.clearTimeout(w.handle);
    this.windows.clear();
  }

  private fireKey(key: string): void {
    const window = this.windows.get(key);
    if (!window) return;
    this.timers.clearTimeout(window.handle);
    this.windows.delete(key);
    this.opts.fire(key, window.payload);
  }
}
