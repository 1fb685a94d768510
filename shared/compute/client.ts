// Compute v1 client for the global health checks and backend services gamma-csm owns (and the NEGs it
// reads): googleapis underneath, with the Network Services client's retry, error and pacing pieces
// (shared/netsvc; its attempt loop, paced.ts), its own rate budget, one requestId per logical write,
// and bounded operation waits.
import { randomUUID } from 'node:crypto';
import { GoogleAuth } from 'google-auth-library';
import { compute_v1 } from 'googleapis/build/src/apis/compute/v1.js';
import { ApiError } from '../netsvc/errors.ts';
import { PacedCalls } from '../netsvc/paced.ts';
import { bucketFor, Semaphore, type TokenBucket } from '../netsvc/ratelimit.ts';
import { DEFAULT_RETRY, type RetryPolicy } from '../netsvc/retry.ts';
import { checkOperation, waitUntilDone } from './operations.ts';
import type {
  ComputeBackendServiceGroupHealth,
  ComputeBody,
  ComputeFirewall,
  ComputeKind,
  ComputeNeg,
  ComputeOperation,
} from './types.ts';

export interface ComputeClientOptions {
  project: string;
  /** Root URL of another server (an emulator), e.g. `http://127.0.0.1:8092/`; no auth is sent then. */
  endpoint?: string;
  /** Client-side limit for every request of this instance, waits included. Default 20. */
  requestsPerSecond?: number;
  /** Requests that may go at once before pacing starts. Default 3. */
  burst?: number;
  /** Requests in flight at once. Default 8. */
  maxConcurrency?: number;
  /** Give up on one operation after this long. Default 10 minutes. */
  operationTimeoutMs?: number;
  /** Pause after a wait that came back early; grows 1.5x up to 2 s. Default 500 ms (20 ms with an endpoint). */
  pollIntervalMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Per-request timeout (operation waits get up to 150 s, Compute holds them up to 2 min). Default 60 s. */
  requestTimeoutMs?: number;
}

export interface ComputeClientStats {
  requests: { GET: number; POST: number; PATCH: number; PUT: number; DELETE: number };
  /** Attempts repeated after a retryable failure. */
  retries: number;
  /** 429 answers received. */
  throttled: number;
  /** globalOperations.wait calls made. */
  operationsPolled: number;
}

type HttpMethod = keyof ComputeClientStats['requests'];
type Params = Record<string, unknown>;

/** The part of a googleapis collection this client uses, typed once for both kinds. */
interface Collection {
  get(p: Params, o?: object): Promise<{ data: unknown }>;
  list(p: Params, o?: object): Promise<{ data: { items?: unknown[]; nextPageToken?: string | null } }>;
  insert(p: Params, o?: object): Promise<{ data: ComputeOperation }>;
  patch(p: Params, o?: object): Promise<{ data: ComputeOperation }>;
  delete(p: Params, o?: object): Promise<{ data: ComputeOperation }>;
}
type ApiOptions = NonNullable<ConstructorParameters<typeof compute_v1.Compute>[0]>;

/** The path parameter naming one resource of each kind. */
const NAME_PARAM: Record<ComputeKind, string> = {
  backendServices: 'backendService',
  healthChecks: 'healthCheck',
};
/** Output-only fields; the fingerprint is not one (backend service writes must carry it). */
const OUTPUT_ONLY = new Set(['id', 'kind', 'selfLink', 'creationTimestamp', 'region', 'usedBy']);
const MAX_WAIT_REQUEST_MS = 150_000;

/** A 400 from Compute refusing to delete something another resource still uses ("…is already being used by…"). */
export function isResourceInUse(e: unknown): boolean {
  return e instanceof ApiError && e.httpStatus === 400 && /being used by/i.test(e.message);
}

export class ComputeClient {
  readonly stats: ComputeClientStats = {
    requests: { GET: 0, POST: 0, PATCH: 0, PUT: 0, DELETE: 0 },
    retries: 0,
    throttled: 0,
    operationsPolled: 0,
  };
  private readonly api: compute_v1.Compute;
  private readonly bucket: TokenBucket;
  private readonly calls: PacedCalls<HttpMethod>;
  private readonly project: string;

  constructor(readonly options: ComputeClientOptions) {
    if (!options.project) throw new Error('ComputeClient: project is required');
    this.project = options.project;
    // The token is taken in gaxios' adapter, right before the request leaves (as NetsvcClient does).
    const adapter = async <R>(opts: unknown, send: (o: unknown) => Promise<R>): Promise<R> => {
      await this.bucket.take();
      return send(opts);
    };
    const common = {
      retry: false,
      timeout: options.requestTimeoutMs ?? 60_000,
      adapter,
    } as unknown as ApiOptions;
    this.api = options.endpoint
      ? new compute_v1.Compute({ ...common, rootUrl: options.endpoint })
      : new compute_v1.Compute({
          ...common,
          auth: new GoogleAuth({ scopes: ['https://www.googleapis.com/auth/compute'] }),
        });
    this.bucket = bucketFor(options.requestsPerSecond ?? 20, options.burst ?? 3);
    const slots = new Semaphore(options.maxConcurrency ?? 8);
    this.calls = new PacedCalls(this.stats, slots, { ...DEFAULT_RETRY, ...options.retry });
  }

  /** The resource, or null when it does not exist. */
  async get<K extends ComputeKind>(kind: K, name: string): Promise<ComputeBody<K> | null> {
    try {
      return (await this.call('GET', `get ${kind}/${name}`, () =>
        this.collection(kind).get({ project: this.project, [NAME_PARAM[kind]]: name }),
      )) as ComputeBody<K>;
    } catch (e) {
      if (e instanceof ApiError && e.httpStatus === 404) return null;
      throw e;
    }
  }

  /** Every resource of the kind (optionally `filter`ed, e.g. `name eq 'gamma-.*'`), across all pages. */
  async list<K extends ComputeKind>(kind: K, filter?: string): Promise<ComputeBody<K>[]> {
    const out: ComputeBody<K>[] = [];
    let pageToken: string | undefined;
    do {
      const params = { project: this.project, maxResults: 500, pageToken, ...(filter ? { filter } : {}) };
      const data = await this.call('GET', `list ${kind}`, () => this.collection(kind).list(params));
      out.push(...((data.items as ComputeBody<K>[] | undefined) ?? []));
      pageToken = data.nextPageToken || undefined;
    } while (pageToken);
    return out;
  }

  /** Inserts and waits for DONE. One requestId for every attempt: a retry cannot insert twice. */
  async insert<K extends ComputeKind>(kind: K, body: ComputeBody<K>): Promise<void> {
    const params = { project: this.project, requestId: randomUUID(), requestBody: writable(body) };
    const op = await this.call('POST', `insert ${kind}/${body.name ?? '?'}`, () =>
      this.collection(kind).insert(params),
    );
    await this.finish(op);
  }

  /**
   * Patches (top-level fields; lists replaced whole) and waits. Backend services need the fingerprint
   * of the last read in `body`; a stale one is a 412 FAILED_PRECONDITION ApiError, not retried here.
   */
  async patch<K extends ComputeKind>(kind: K, name: string, body: ComputeBody<K>): Promise<void> {
    const params = {
      project: this.project,
      [NAME_PARAM[kind]]: name,
      requestId: randomUUID(),
      requestBody: writable(body),
    };
    const op = await this.call('PATCH', `patch ${kind}/${name}`, () => this.collection(kind).patch(params));
    await this.finish(op);
  }

  /** Deletes and waits; a resource already gone is success. */
  async delete(kind: ComputeKind, name: string): Promise<void> {
    const params = { project: this.project, [NAME_PARAM[kind]]: name, requestId: randomUUID() };
    try {
      const op = await this.call('DELETE', `delete ${kind}/${name}`, () =>
        this.collection(kind).delete(params),
      );
      await this.finish(op);
    } catch (e) {
      if (e instanceof ApiError && e.httpStatus === 404) return;
      throw e;
    }
  }

  /** Health of every endpoint of one backend (`group` = the NEG's full URL) of a backend service. */
  async getHealth(backendService: string, group: string): Promise<ComputeBackendServiceGroupHealth> {
    return this.call('POST', `getHealth backendServices/${backendService}`, () =>
      this.api.backendServices.getHealth({ project: this.project, backendService, requestBody: { group } }),
    );
  }

  /** Every global firewall rule of the project (read-only: gamma-csm never writes firewalls). */
  async listFirewalls(): Promise<ComputeFirewall[]> {
    const out: ComputeFirewall[] = [];
    let pageToken: string | undefined;
    do {
      const params = { project: this.project, maxResults: 500, pageToken };
      const data = await this.call('GET', 'list firewalls', () => this.api.firewalls.list(params));
      out.push(...(data.items ?? []));
      pageToken = data.nextPageToken || undefined;
    } while (pageToken);
    return out;
  }

  /** A zonal NEG, or null when it does not exist. */
  async getNeg(zone: string, name: string): Promise<ComputeNeg | null> {
    try {
      return await this.call('GET', `get networkEndpointGroups/${zone}/${name}`, () =>
        this.api.networkEndpointGroups.get({ project: this.project, zone, networkEndpointGroup: name }),
      );
    } catch (e) {
      if (e instanceof ApiError && e.httpStatus === 404) return null;
      throw e;
    }
  }

  private async finish(first: ComputeOperation): Promise<void> {
    const done = await waitUntilDone(
      first,
      (operation, remainingMs) =>
        this.call('POST', `wait ${operation}`, () => {
          this.stats.operationsPolled++;
          const timeout = Math.max(1000, Math.min(MAX_WAIT_REQUEST_MS, remainingMs));
          return this.api.globalOperations.wait({ project: this.project, operation }, { timeout });
        }),
      {
        initialIntervalMs: this.options.pollIntervalMs ?? (this.options.endpoint ? 20 : 500),
        timeoutMs: this.options.operationTimeoutMs ?? 10 * 60_000,
      },
    );
    checkOperation(done);
  }

  /** One logical request: retried as a whole (429, 5xx, transport), each attempt paced. */
  private call<T>(method: HttpMethod, target: string, send: () => Promise<{ data: T }>): Promise<T> {
    return this.calls.call(method, target, send);
  }

  private collection(kind: ComputeKind): Collection {
    return this.api[kind] as unknown as Collection;
  }
}

/** The body without output-only fields (Compute ignores them; sending less is clearer). */
function writable<T extends object>(body: T): T {
  return Object.fromEntries(Object.entries(body).filter(([k]) => !OUTPUT_ONLY.has(k))) as T;
}
