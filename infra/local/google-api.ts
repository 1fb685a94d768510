// The request loop the Google API emulators (Compute, Network Services) share: request log and
// counters, fault injection (latency, injected errors, dropped connections, failed operations), the
// admin/API split of /_emulator/*, persistence after changes and JSON answers. What a request means
// (paths, bodies, error envelopes, quota) stays in each emulator's own modules, passed in as ApiRules.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listen } from './listen.ts';
import { decideFault, type Faults, latencyFor, seededRandom, validateFaults } from './netsvc/faults.ts';

export interface RequestLogEntry {
  /** Arrival time, epoch milliseconds with sub-millisecond precision. */
  t: number;
  method: string;
  path: string;
  /** The query string without '?', e.g. `updateMask=description` ('' when none). */
  query: string;
  /** meshes, httpRoutes, ..., operations; '' for unknown paths. */
  collection: string;
  /** Status sent, or 0 when the connection was dropped. */
  status: number;
}

/** The counters every emulator keeps; an emulator may add its own (e.g. quota refusals). */
export interface EmulatorStats {
  since: string;
  requests: number;
  byMethod: Record<string, number>;
  byCollection: Record<string, Record<string, number>>;
  /** Mutations accepted (operations started). */
  writes: number;
  injected: { '429': number; '500': number; '503': number; dropped: number; failedOperations: number };
}

export function freshStats(): EmulatorStats {
  return {
    since: new Date().toISOString(),
    requests: 0,
    byMethod: {},
    byCollection: {},
    writes: 0,
    injected: { '429': 0, '500': 0, '503': 0, dropped: 0, failedOperations: 0 },
  };
}

export interface ApiResult {
  status: number;
  body: unknown;
  /** Extra response headers (lower-case names). */
  headers?: Record<string, string>;
  /** True when the call changed stored state. */
  mutated?: boolean;
  /** True when stored state changed on the side (operations settled): persisted, not counted as a write. */
  settled?: boolean;
}

/** One emulator's API: how it names collections, reads bodies, words errors and answers requests. */
export interface ApiRules<S extends EmulatorStats, B> {
  collectionOf(pathname: string): string;
  /** The body as `route` takes it, or the error answered before anything else happens. */
  readBody(req: IncomingMessage, method: string): Promise<{ body: B } | { error: ApiResult }>;
  /** A refusal before faults apply (quota), counted by the emulator in `stats`. */
  refuse?(url: URL, stats: S): ApiResult | undefined;
  faultError(status: 429 | 500 | 503): ApiResult;
  route(method: string, url: URL, body: B): ApiResult | Promise<ApiResult>;
  /** Saves stored state after a change (a no-op without a state file). */
  persist(): void;
}

/** The request log, counters and faults of one emulator, and its loop over one API request. */
export class EmulatorCore<S extends EmulatorStats> {
  stats: S;
  log: RequestLogEntry[] = [];
  faults: Faults = {};
  random: () => number = Math.random;

  constructor(
    /** Names the emulator in errors, e.g. `compute emulator`. */
    private readonly name: string,
    private readonly fresh: () => S,
  ) {
    this.stats = fresh();
  }

  /** Decides whether an operation fails (faults.failOperationRate), counting it when it does. */
  failOperation = (): boolean => {
    const fail = this.random() < (this.faults.failOperationRate ?? 0);
    if (fail) this.stats.injected.failedOperations++;
    return fail;
  };

  operationDelay(fallback: { polls?: number; ms?: number } | undefined): { polls?: number; ms?: number } {
    return this.faults.operationDelay ?? fallback ?? {};
  }

  setFaults(f: Faults): void {
    const problem = validateFaults(f);
    if (problem) throw new Error(`${this.name} faults: ${problem}`);
    this.faults = { ...f, next: f.next ? [...f.next] : undefined };
    this.random = f.seed === undefined ? Math.random : seededRandom(f.seed);
  }

  clearFaults(): void {
    this.faults = {};
    this.random = Math.random;
  }

  resetStats(): void {
    this.stats = this.fresh();
    this.log = [];
  }

  requestLog(): RequestLogEntry[] {
    return this.log.map((e) => ({ ...e }));
  }

  maxRequestsInWindow(windowMs = 1000): number {
    return maxInWindow(
      this.log.map((e) => e.t),
      windowMs,
    );
  }

  /** Logs and counts the request, then body, refusal, latency, fault, route, persist, answer. */
  async handleApi<B>(rules: ApiRules<S, B>, req: IncomingMessage, res: ServerResponse, url: URL) {
    const method = req.method ?? 'GET';
    const entry = this.record(method, url, rules.collectionOf(url.pathname));
    const body = await rules.readBody(req, method);
    if ('error' in body) return send(res, entry, body.error);
    const refused = rules.refuse?.(url, this.stats);
    if (refused) return send(res, entry, refused);
    const delay = latencyFor(this.faults, this.random);
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    const fault = decideFault(this.faults, method, this.random);
    if (fault.kind === 'error') {
      this.stats.injected[String(fault.httpStatus) as '429' | '500' | '503']++;
      return send(res, entry, rules.faultError(fault.httpStatus));
    }
    if (fault.kind === 'drop' && fault.when === 'before') return this.drop(req, entry);
    const result = await rules.route(method, url, body.body);
    if (result.mutated || result.settled) {
      const write = method !== 'GET' && entry.collection !== 'operations';
      if (result.mutated && result.status === 200 && write) this.stats.writes++;
      rules.persist();
    }
    if (fault.kind === 'drop') return this.drop(req, entry);
    send(res, entry, result);
  }

  private record(method: string, url: URL, collection: string): RequestLogEntry {
    const entry: RequestLogEntry = {
      t: performance.timeOrigin + performance.now(),
      method,
      path: url.pathname,
      query: url.search.replace(/^\?/, ''),
      collection,
      status: 0,
    };
    this.log.push(entry);
    const stats = this.stats;
    stats.requests++;
    stats.byMethod[method] = (stats.byMethod[method] ?? 0) + 1;
    const perColl = (stats.byCollection[collection || '(unknown)'] ??= {});
    perColl[method] = (perColl[method] ?? 0) + 1;
    return entry;
  }

  private drop(req: IncomingMessage, entry: RequestLogEntry): void {
    entry.status = 0;
    this.stats.injected.dropped++;
    req.socket.destroy();
  }
}

/** The part of an emulator's handle the shared loop answers: stats, faults, request log. */
export function coreHandle<S extends EmulatorStats>(core: EmulatorCore<S>) {
  return {
    stats: () => structuredClone(core.stats),
    resetStats: () => core.resetStats(),
    setFaults: (f: Faults) => core.setFaults(f),
    clearFaults: () => core.clearFaults(),
    requestLog: () => core.requestLog(),
    maxRequestsInWindow: (windowMs?: number) => core.maxRequestsInWindow(windowMs),
  };
}

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;

/**
 * Listens with /_emulator/* going to `admin` and the rest to `api`; a handler that throws before
 * answering gets `internalError`'s 500.
 */
export function serveEmulator(
  where: { port?: number; host?: string },
  handlers: { api: Handler; admin: Handler; internalError: (e: unknown) => unknown },
) {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const handler = url.pathname.startsWith('/_emulator/') ? handlers.admin : handlers.api;
    handler(req, res, url).catch((e: unknown) => {
      if (!res.headersSent) sendJson(res, 500, handlers.internalError(e));
    });
  });
  return listen(server, where.port, where.host);
}

/** Largest number of timestamps inside any half-open window [t, t + windowMs). */
export function maxInWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let lo = 0, hi = 0; hi < sorted.length; hi++) {
    while (sorted[hi] - sorted[lo] >= windowMs) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

export function send(res: ServerResponse, entry: RequestLogEntry, result: ApiResult): void {
  entry.status = result.status;
  sendJson(res, result.status, result.body, result.headers);
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=UTF-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
