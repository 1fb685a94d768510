// Publishes route events, at most one in flight per parent, the latest snapshot per parent kept
// until it is published. A failed publish is retried with jittered backoff after
// `resumePublishing(orderingKey)` (the client pauses an ordering key after a failure); a newer
// snapshot submitted meanwhile replaces the failed one, so nothing stale is sent after something new.
// Every event carries its origin (route-event.ts): this publisher's run id and a per-parent count
// that grows by one per event handed to Pub/Sub; a snapshot replaced before it was sent gives its
// count to the one replacing it, and a retry keeps its count, so the sync function sees a
// contiguous count exactly when it sees every event this run published for the parent.
import { randomUUID } from 'node:crypto';
import type { EncodedRouteEvent, RouteEvent } from '../shared/events/index.ts';
import { MAX_EVENT_BYTES, encodeRouteEvent, parentKey } from '../shared/events/index.ts';
import type { Logger } from './log.ts';
import { mergePorts } from './affected.ts';
import type { Timers } from './coalescer.ts';
import { realTimers } from './coalescer.ts';

/** The two calls the watcher makes on a Pub/Sub topic (a @google-cloud/pubsub Topic satisfies it). */
export interface PublishTarget {
  publishMessage(message: {
    data: Buffer;
    attributes: Record<string, string>;
    orderingKey: string;
  }): Promise<string>;
  resumePublishing(orderingKey: string): void;
}

export interface PublisherOptions {
  backoff?: { initialMs: number; maxMs: number };
  random?: () => number;
  timers?: Timers;
  /** The run id stamped on every event's origin (default: a random UUID per publisher). */
  run?: string;
}

export interface PublisherStats {
  published: number;
  failedAttempts: number;
  oversized: number;
  invalid: number;
  /** Parents with a snapshot not yet published. */
  pending: number;
  /** Parents whose last publish attempt failed. */
  failing: number;
}

interface Queued {
  event: RouteEvent;
  encoded: EncodedRouteEvent;
}

interface KeyState {
  next?: Queued;
  inFlight: boolean;
  failures: number;
  retryHandle?: unknown;
}

function carryPorts(event: RouteEvent, replaced: RouteEvent | undefined): RouteEvent {
  const ports = mergePorts(event.previousPorts, replaced?.previousPorts);
  return ports ? { ...event, previousPorts: ports } : event;
}

export class RoutePublisher {
  private readonly keys = new Map<string, KeyState>();
  private readonly counts = { published: 0, failedAttempts: 0, oversized: 0, invalid: 0 };
  private readonly idleWaiters = new Set<() => void>();
  private readonly timers: Timers;
  private readonly backoff: { initialMs: number; maxMs: number };
  private readonly random: () => number;
  private closed = false;
  /** The run id of this publisher (one per watcher start). */
  readonly run: string;
  /** The last origin count given to an event per parent; kept while the process runs. */
  private readonly lastCount = new Map<string, number>();

  constructor(
    private readonly target: PublishTarget,
    private readonly log: Logger,
    opts: PublisherOptions = {},
  ) {
    this.timers = opts.timers ?? realTimers;
    this.backoff = opts.backoff ?? { initialMs: 250, maxMs: 30_000 };
    this.random = opts.random ?? Math.random;
    this.run = opts.run ?? randomUUID();
  }

  /** Queues the event as the latest state of its parent. Oversized or invalid events are logged, not sent. */
  submit(submitted: RouteEvent): void {
    const key = parentKey(submitted.cluster, submitted.parent.namespace, submitted.parent.name);
    // Ports removed in a replaced, never-published event must still reach the sync function.
    const replaced = this.keys.get(key)?.next?.event;
    const origin = replaced?.origin ?? { run: this.run, count: (this.lastCount.get(key) ?? 0) + 1 };
    const event = { ...carryPorts(submitted, replaced), origin };
    let encoded: EncodedRouteEvent;
    try {
      encoded = encodeRouteEvent(event);
    } catch (e) {
      const message = (e as Error).message;
      const oversized = message.includes(`${MAX_EVENT_BYTES}-byte limit`);
      this.counts[oversized ? 'oversized' : 'invalid'] += 1;
      // The pending older snapshot is stale now; the scheduled reconcile repairs this parent.
      const state = this.keys.get(key);
      if (state) state.next = undefined;
      this.log.error(
        oversized
          ? `snapshot too large to publish; left to the scheduled reconcile: ${message}`
          : `invalid route event not published: ${message}`,
        { parent: key },
      );
      this.settle(key);
      return;
    }
    this.lastCount.set(key, origin.count);
    const state = this.keys.get(key) ?? { inFlight: false, failures: 0 };
    state.next = { event, encoded };
    this.keys.set(key, state);
    this.pump(key);
  }

  stats(): PublisherStats {
    const states = [...this.keys.values()];
    return {
      ...this.counts,
      pending: states.filter((s) => s.next || s.inFlight).length,
      failing: states.filter((s) => s.failures > 0).length,
    };
  }

  /** Resolves true once nothing is pending, or false after `timeoutMs`. */
  drain(timeoutMs: number): Promise<boolean> {
    if (this.stats().pending === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        this.idleWaiters.delete(onIdle);
        this.timers.clearTimeout(timer);
        resolve(ok);
      };
      const onIdle = () => done(true);
      const timer = this.timers.setTimeout(() => done(false), timeoutMs);
      this.idleWaiters.add(onIdle);
    });
  }

  /** Parents whose last origin count is remembered. */
  rememberedParents(): number {
    return this.lastCount.size;
  }

  /** True while an event for `key` (a parentKey) is queued, in flight or waiting to be retried. */
  busy(key: string): boolean {
    return this.keys.has(key);
  }

  /**
   * Forgets the origin count of a parent that no longer exists (keeps the map bounded). Refused while
   * an event for it is pending. A parent that comes back counts from 1 again: the sync function reads
   * that as "not the direct successor" and re-reads, so forgetting costs a read, never correctness.
   */
  forget(key: string): boolean {
    if (this.keys.has(key)) return false;
    return this.lastCount.delete(key);
  }

  /** Stops retrying. */
  close(): void {
    this.closed = true;
    for (const s of this.keys.values())
      if (s.retryHandle !== undefined) this.timers.clearTimeout(s.retryHandle);
  }

  private pump(key: string): void {
    const state = this.keys.get(key);
    if (!state || state.inFlight || state.retryHandle !== undefined || !state.next || this.closed) return;
    const message = state.next;
    state.next = undefined;
    state.inFlight = true;
    this.target.publishMessage(message.encoded).then(
      (id) => this.succeeded(key, message, id),
      (err: unknown) => this.failed(key, message, err),
    );
  }

  private succeeded(key: string, message: Queued, id: string): void {
    const state = this.keys.get(key) as KeyState;
    state.inFlight = false;
    state.failures = 0;
    this.counts.published += 1;
    this.log.info('route event published', {
      parent: key,
      messageId: id,
      sequence: message.event.sequence,
      reason: message.event.reason,
    });
    this.pump(key);
    this.settle(key);
  }

  private failed(key: string, message: Queued, err: unknown): void {
    const state = this.keys.get(key) as KeyState;
    state.inFlight = false;
    state.failures += 1;
    this.counts.failedAttempts += 1;
    // The client refuses further messages for this key until resumed.
    this.target.resumePublishing(key);
    // Retry this one unless a newer snapshot replaced it; the newer one inherits its removed ports.
    if (!state.next) state.next = message;
    else if (message.event.previousPorts) {
      const event = carryPorts(state.next.event, message.event);
      state.next = { event, encoded: encodeRouteEvent(event) };
    }
    const base = Math.min(this.backoff.maxMs, this.backoff.initialMs * 2 ** (state.failures - 1));
    const wait = Math.round(base * (0.5 + this.random() / 2));
    this.log.warn(`publish failed, retrying in ${wait} ms: ${(err as Error)?.message ?? String(err)}`, {
      parent: key,
      attempt: state.failures,
    });
    if (this.closed) return;
    state.retryHandle = this.timers.setTimeout(() => {
      state.retryHandle = undefined;
      this.pump(key);
    }, wait);
  }

  /** Forgets idle keys and wakes drain() when nothing is left. */
  private settle(key: string): void {
    const state = this.keys.get(key);
    if (state && !state.next && !state.inFlight && state.retryHandle === undefined) this.keys.delete(key);
    if (this.stats().pending === 0) for (const w of [...this.idleWaiters]) w();
  }
}
