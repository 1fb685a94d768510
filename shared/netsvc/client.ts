// Network Services v1 client for meshes and the route collections of kinds.ts: googleapis underneath, with our
// own retry (gaxios' is off so counts are ours), a shared rate limit, a concurrency limit and LRO waits.
import { randomUUID } from 'node:crypto';
import { GoogleAuth } from 'google-auth-library';
import { networkservices_v1 } from 'googleapis/build/src/apis/networkservices/v1.js';
import { ApiError } from './errors.ts';
import { roundFloat32Fields } from './float32.ts';
import {
  nextPollInterval,
  operationResult,
  waitForOperation,
  type Operation,
  type PollOptions,
} from './operations.ts';
import { PacedCalls } from './paced.ts';
import { bucketFor, realSleep, Semaphore, type Sleep, type TokenBucket } from './ratelimit.ts';
import { DEFAULT_RETRY, type RetryPolicy } from './retry.ts';
import { ID_PARAM, type NetsvcBody, type NetsvcKind } from './kinds.ts';

export { bucketFor };

export type Mesh = networkservices_v1.Schema$Mesh;
export type HttpRoute = networkservices_v1.Schema$HttpRoute;
export type GrpcRoute = networkservices_v1.Schema$GrpcRoute;
export type TcpRoute = networkservices_v1.Schema$TcpRoute;
export type TlsRoute = networkservices_v1.Schema$TlsRoute;
export { NETSVC_KINDS, type NetsvcBodies, type NetsvcBody, type NetsvcKind } from './kinds.ts';

export interface NetsvcClientOptions {
  project: string;
  location: string;
  /** Root URL of another server (an emulator), e.g. `http://127.0.0.1:8123/`; no auth is sent then. */
  endpoint?: string;
  /** Client-side limit for every request of this instance, polls included. Default 50. */
  requestsPerSecond?: number;
  /** Requests that may go at once before pacing starts (the steady rate gives them up). Default 3. */
  burst?: number;
  /** Requests in flight at once. Default 16. */
  maxConcurrency?: number;
  /** Give up waiting for one operation after this long. Default 10 minutes. */
  operationTimeoutMs?: number;
  /** First poll interval; grows 1.5x per poll up to 2 s. Default 100 ms (20 ms with an endpoint). */
  pollIntervalMs?: number;
  retry?: Partial<RetryPolicy>;
  /** List page size. Default 100. */
  pageSize?: number;
  /** Per-request timeout. Default 60 s (the API's own deadline). */
  requestTimeoutMs?: number;
  /**
   * No retry or poll waits past this time (epoch ms by `now`); the last error surfaces instead, so a
   * function fails (and its event is redelivered) before its own timeout kills it. See withDeadline.
   */
  deadline?: number;
  /** Clock for retry budgets, deadlines and operation waits (tests inject one). Default Date.now. */
  now?: () => number;
  /** Sleep for retry backoff and operation polls (tests inject one). */
  sleep?: Sleep;
}

export interface NetsvcClientStats {
  requests: { GET: number; POST: number; PATCH: number; DELETE: number };
  /** Attempts repeated after a retryable failure. */
  retries: number;
  /** 429 answers received. */
  throttled: number;
  /** Requests the client-side rate limit held back, and for how long in total. */
  rateLimitWaits: number;
  rateLimitWaitMs: number;
  /** Creates whose retry met 409 and were settled by reading (and patching) instead. */
  createsResolvedByRead: number;
}

type HttpMethod = keyof NetsvcClientStats['requests'];

/** The part of a googleapis collection this client uses, typed once for every kind. */
interface Collection {
  create(p: Record<string, unknown>, o?: object): Promise<{ data: Operation }>;
  get(p: { name: string }, o?: object): Promise<{ data: unknown }>;
  list(p: Record<string, unknown>, o?: object): Promise<{ data: Record<string, unknown> }>;
  patch(p: Record<string, unknown>, o?: object): Promise<{ data: Operation }>;
  delete(p: { name: string }, o?: object): Promise<{ data: Operation }>;
}

type ApiOptions = NonNullable<ConstructorParameters<typeof networkservices_v1.Networkservices>[0]>;

const OUTPUT_ONLY = new Set(['name', 'selfLink', 'createTime', 'updateTime']);
const DEFAULT_BURST = 3;

export class NetsvcClient {
  readonly stats: NetsvcClientStats = {
    requests: { GET: 0, POST: 0, PATCH: 0, DELETE: 0 },
    retries: 0,
    throttled: 0,
    rateLimitWaits: 0,
    rateLimitWaitMs: 0,
    createsResolvedByRead: 0,
  };
  readonly parent: string;
  private readonly api: networkservices_v1.Networkservices;
  private readonly bucket: TokenBucket;
  private readonly calls: PacedCalls<HttpMethod>;
  private readonly poll: PollOptions;
  private readonly pageSize: number;
  private deadline: number | undefined;

  constructor(readonly options: NetsvcClientOptions) {
    if (!options.project) throw new Error('NetsvcClient: project is required');
    if (!options.location) throw new Error('NetsvcClient: location is required');
    this.parent = `projects/${options.project}/locations/${options.location}`;
    // The token is taken in gaxios' adapter, the last step before the request goes on the wire, so
    // time spent in the library between our call and the socket cannot bunch requests together.
    const adapter = async <R>(opts: unknown, send: (o: unknown) => Promise<R>): Promise<R> => {
      const waited = await this.bucket.take();
      if (waited >= 1) {
        this.stats.rateLimitWaits++;
        this.stats.rateLimitWaitMs += waited;
      }
      return send(opts);
    };
    // googleapis passes `adapter` through to gaxios; its declared type is gaxios' own, hence the cast.
    const common = {
      retry: false,
      timeout: options.requestTimeoutMs ?? 60_000,
      adapter,
    } as unknown as ApiOptions;
    this.api = options.endpoint
      ? new networkservices_v1.Networkservices({ ...common, rootUrl: options.endpoint })
      : new networkservices_v1.Networkservices({
          ...common,
          auth: new GoogleAuth({ scopes: ['https://www.googleapis.com/auth/cloud-platform'] }),
        });
    this.bucket = bucketFor(options.requestsPerSecond ?? 50, options.burst ?? DEFAULT_BURST);
    const slots = new Semaphore(options.maxConcurrency ?? 16);
    this.calls = new PacedCalls(this.stats, slots, { ...DEFAULT_RETRY, ...options.retry });
    this.poll = {
      initialIntervalMs: options.pollIntervalMs ?? (options.endpoint ? 20 : 100),
      maxIntervalMs: 2000,
      factor: 1.5,
      timeoutMs: options.operationTimeoutMs ?? 10 * 60_000,
      ...(options.sleep ? { sleep: options.sleep } : {}),
      ...(options.now ? { now: options.now } : {}),
    };
    this.pageSize = options.pageSize ?? 100;
    this.deadline = options.deadline;
  }

  /**
   * This client (same limits, stats and connections) with retries bounded by `deadline` (epoch ms by
   * the client's clock): what one function invocation uses, so its retries end before its timeout.
   */
  withDeadline(deadline: number | undefined): NetsvcClient {
    const view = Object.create(this) as NetsvcClient;
    view.deadline = deadline;
    return view;
  }

  /** The client's clock (epoch ms): what deadlines are measured by. */
  now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** Full relative name of a resource: `projects/P/locations/L/<kind>/<id>`. */
  name(kind: NetsvcKind, id: string): string {
    return `${this.parent}/${kind}/${id}`;
  }

  /** Every resource of the kind, across all pages. */
  async list<K extends NetsvcKind>(kind: K): Promise<NetsvcBody<K>[]> {
    const out: NetsvcBody<K>[] = [];
    let pageToken: string | undefined;
    do {
      const data = await this.call('GET', `list ${kind}`, () =>
        this.collection(kind).list({ parent: this.parent, pageSize: this.pageSize, pageToken }),
      );
      out.push(...((data[kind] as NetsvcBody<K>[] | undefined) ?? []));
      pageToken = (data.nextPageToken as string | undefined) || undefined;
    } while (pageToken);
    return out;
  }

  /** The resource, or null when it does not exist. */
  async get<K extends NetsvcKind>(kind: K, id: string): Promise<NetsvcBody<K> | null> {
    try {
      return (await this.call('GET', `get ${kind}/${id}`, () =>
        this.collection(kind).get({ name: this.name(kind, id) }),
      )) as NetsvcBody<K>;
    } catch (e) {
      if (e instanceof ApiError && e.httpStatus === 404) return null;
      throw e;
    }
  }

  /**
   * Creates and waits for the operation; returns the stored resource. HttpRoute creates carry one
   * requestId across retries, so the server can answer a repeat with the first operation. A retried
   * create that meets 409 (our earlier attempt may have landed) is settled by reading, and patching
   * what differs.
   */
  async create<K extends NetsvcKind>(kind: K, id: string, body: NetsvcBody<K>): Promise<NetsvcBody<K>> {
    const params = {
      parent: this.parent,
      [ID_PARAM[kind]]: id,
      ...(kind === 'httpRoutes' ? { requestId: randomUUID() } : {}),
      requestBody: writable(body),
    };
    let retried = false;
    let op: Operation;
    try {
      op = await this.call(
        'POST',
        `create ${kind}/${id}`,
        () => this.collection(kind).create(params),
        () => (retried = true),
      );
    } catch (e) {
      if (retried && e instanceof ApiError && e.httpStatus === 409)
        return this.settleExisting(kind, id, body);
      throw e;
    }
    return (await this.finish(op)) as NetsvcBody<K>;
  }

  /**
   * Patches and waits; returns the stored resource. `updateMask` lists top-level fields to replace;
   * an empty mask sends none, which replaces the whole resource.
   */
  async patch<K extends NetsvcKind>(
    kind: K,
    id: string,
    body: NetsvcBody<K>,
    updateMask: string[],
  ): Promise<NetsvcBody<K>> {
    const op = await this.call('PATCH', `patch ${kind}/${id}`, () =>
      this.collection(kind).patch({
        name: this.name(kind, id),
        updateMask: updateMask.length > 0 ? updateMask.join(',') : undefined,
        requestBody: writable(body),
      }),
    );
    return (await this.finish(op)) as NetsvcBody<K>;
  }

  /** Deletes and waits. A 404 after a retry means an earlier attempt already deleted it. */
  async delete(kind: NetsvcKind, id: string): Promise<void> {
    let retried = false;
    try {
      const op = await this.call(
        'DELETE',
        `delete ${kind}/${id}`,
        () => this.collection(kind).delete({ name: this.name(kind, id) }),
        () => (retried = true),
      );
      await this.finish(op);
    } catch (e) {
      if (retried && e instanceof ApiError && e.httpStatus === 404) return;
      throw e;
    }
  }

  private async settleExisting<K extends NetsvcKind>(kind: K, id: string, body: NetsvcBody<K>) {
    this.stats.createsResolvedByRead++;
    const existing = await this.readWhenVisible(kind, id);
    if (!existing)
      throw new ApiError(409, 'ALREADY_EXISTS', 'exists but could not be read back', `create ${kind}/${id}`);
    const mask = differingFields(
      roundFloat32Fields(body) as Record<string, unknown>,
      existing as Record<string, unknown>,
    );
    return mask.length === 0 ? existing : this.patch(kind, id, body, mask);
  }

  /**
   * A 409 says the resource exists, but a create whose operation is still pending need not read back
   * yet (docs/api-fidelity.md): read on the operation poll schedule until it shows, or the
   * operation timeout (or the deadline) passes.
   */
  private async readWhenVisible<K extends NetsvcKind>(kind: K, id: string): Promise<NetsvcBody<K> | null> {
    const sleep = this.poll.sleep ?? realSleep;
    const started = this.now();
    const limit = Math.min(
      this.poll.timeoutMs,
      this.deadline === undefined ? Infinity : this.deadline - started,
    );
    for (let interval = this.poll.initialIntervalMs; ; interval = nextPollInterval(interval, this.poll)) {
      const found = await this.get(kind, id);
      if (found || this.now() - started + interval > limit) return found;
      await sleep(interval);
    }
  }

  private async finish(first: Operation): Promise<Record<string, unknown> | undefined> {
    // Waiting past the deadline is pointless: the invocation would be killed mid-wait.
    const left = this.deadline === undefined ? Infinity : this.deadline - this.now();
    const done = await waitForOperation(
      first,
      (name) => this.call('GET', `poll ${name}`, () => this.api.projects.locations.operations.get({ name })),
      { ...this.poll, timeoutMs: Math.max(0, Math.min(this.poll.timeoutMs, left)) },
    );
    return operationResult(done);
  }

  /** One logical request: retried as a whole, each attempt paced by the rate and concurrency limits. */
  private call<T>(
    method: HttpMethod,
    target: string,
    send: () => Promise<{ data: T }>,
    onRetry?: () => void,
  ): Promise<T> {
    return this.calls.call(method, target, send, {
      deadline: this.deadline,
      ...(this.options.sleep ? { sleep: this.options.sleep } : {}),
      ...(this.options.now ? { now: this.options.now } : {}),
      ...(onRetry ? { onRetry } : {}),
    });
  }

  private collection(kind: NetsvcKind): Collection {
    return this.api.projects.locations[kind] as unknown as Collection;
  }
}

/** The body without output-only fields (the server would ignore them anyway). */
function writable<T extends object>(body: T): T {
  return Object.fromEntries(Object.entries(body).filter(([k]) => !OUTPUT_ONLY.has(k))) as T;
}

/** Top-level writable fields of `desired` whose value differs from `actual` (or that `actual` lacks). */
export function differingFields(desired: Record<string, unknown>, actual: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(desired), ...Object.keys(actual)]);
  return [...keys]
    .filter((k) => !OUTPUT_ONLY.has(k))
    .filter((k) => stableJson(desired[k]) !== stableJson(actual[k]))
    .sort();
}

function stableJson(value: unknown): string {
  return (
    JSON.stringify(value, (_k, v: unknown) =>
      v && typeof v === 'object' && !Array.isArray(v)
        ? Object.fromEntries(
            Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
          )
        : v,
    ) ?? 'undefined'
  );
}
