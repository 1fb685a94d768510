// The Network Services v1 emulator over node:http: routing, fault injection, request log, admin
// surface (/_emulator/*) and the programmatic handle tests use.
import { listen } from '../listen.ts';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type BodyRead, readRequestBody } from '../http-body.ts';
import { apiError, type ApiResult, NetsvcApi } from './api.ts';
import { decideFault, type Faults, latencyFor, seededRandom, validateFaults } from './faults.ts';
import { type QuotaOptions, QuotaWindows, validateQuota } from './quota.ts';
import { schemaViolations } from './schema.ts';
import { emptyState, type EmulatorState, loadState, type Obj, saveState, serializeState } from './store.ts';
import { KINDS, type Kind } from './validate.ts';

export type { Faults } from './faults.ts';
export type { QuotaOptions } from './quota.ts';
export type { Kind } from './validate.ts';

export interface NetsvcEmulatorOptions {
  port?: number;
  host?: string;
  /** JSON file: loaded at start, rewritten (atomically) after each mutation. */
  statePath?: string;
  /** Relax checks production does not enforce. */
  lenient?: boolean;
  /** Default operation delay; faults.operationDelay overrides it while set. */
  operationDelay?: { polls?: number; ms?: number };
  /** Per-minute quota (off by default); the admin API and setQuota change it later. */
  quota?: QuotaOptions;
  /** Clock (epoch ms) for quota windows, outages and operation delays; tests inject one to skip minutes. */
  clock?: () => number;
  /**
   * With an operation delay, a change reads back (GET, list) only once its operation is done, as the
   * API promises no earlier. Default true; false shows changes at once.
   */
  visibleWhenDone?: boolean;
}

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

export interface EmulatorStats {
  since: string;
  requests: number;
  byMethod: Record<string, number>;
  byCollection: Record<string, Record<string, number>>;
  /** Mutations accepted (operations started). */
  writes: number;
  injected: { '429': number; '500': number; '503': number; dropped: number; failedOperations: number };
  /** Requests refused by the per-minute quota or a quota outage (429, not counted in `injected`). */
  quotaRejected: number;
}

export interface NetsvcEmulator {
  /** Root URL, e.g. `http://127.0.0.1:PORT/`. */
  url: string;
  port: number;
  close(): Promise<void>;
  stats(): EmulatorStats;
  resetStats(): void;
  /** Clears stats and all resources and operations. */
  resetState(): void;
  setFaults(f: Faults): void;
  clearFaults(): void;
  /** Snapshot of stored bodies of one kind, sorted by name. */
  resources(kind: Kind): Obj[];
  /** Writes a stored body directly (drift tests); `name` is the full relative name. */
  putRaw(kind: Kind, name: string, body: object): void;
  /** Deletes a stored body directly. */
  deleteRaw(kind: Kind, name: string): boolean;
  requestLog(): RequestLogEntry[];
  /** Most API requests seen in any window of `windowMs` (default 1000). */
  maxRequestsInWindow(windowMs?: number): number;
  /** Sets the per-minute quota (replacing the previous settings; {} = no limit). */
  setQuota(q: QuotaOptions): void;
  /** Refuses every API request with the quota 429 for `ms` by the emulator's clock. */
  quotaOutage(ms: number): void;
}

const API_PATH = /^\/v1\/projects\/([^/]+)\/locations\/([^/]+)\/([A-Za-z]+)(?:\/([^/]+))?$/;
const RESOURCE_NAME = /^projects\/[^/]+\/locations\/[^/]+\/[A-Za-z]+\/[^/]+$/;

function freshStats(): EmulatorStats {
  return {
    since: new Date().toISOString(),
    requests: 0,
    byMethod: {},
    byCollection: {},
    writes: 0,
    injected: { '429': 0, '500': 0, '503': 0, dropped: 0, failedOperations: 0 },
    quotaRejected: 0,
  };
}

export async function startNetsvcEmulator(opts: NetsvcEmulatorOptions = {}): Promise<NetsvcEmulator> {
  const state: EmulatorState = opts.statePath ? loadState(opts.statePath) : emptyState();
  let stats = freshStats();
  let log: RequestLogEntry[] = [];
  let faults: Faults = {};
  let random = Math.random;
  const quota = new QuotaWindows(opts.clock ?? Date.now);
  if (opts.quota) quota.configure(opts.quota);
  const api = new NetsvcApi(state, () => ({
    lenient: Boolean(opts.lenient),
    operationDelay: faults.operationDelay ?? opts.operationDelay ?? {},
    visibleWhenDone: opts.visibleWhenDone ?? true,
    now: opts.clock ?? Date.now,
    failOperation: () => {
      const fail = random() < (faults.failOperationRate ?? 0);
      if (fail) stats.injected.failedOperations++;
      return fail;
    },
  }));
  const persist = () => {
    if (opts.statePath) saveState(opts.statePath, state);
  };

  const setFaults = (f: Faults) => {
    const problem = validateFaults(f);
    if (problem) throw new Error(`netsvc emulator faults: ${problem}`);
    faults = { ...f, next: f.next ? [...f.next] : undefined };
    random = f.seed === undefined ? Math.random : seededRandom(f.seed);
  };

  const handleApi = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const m = API_PATH.exec(url.pathname);
    const method = req.method ?? 'GET';
    const entry: RequestLogEntry = {
      t: performance.timeOrigin + performance.now(),
      method,
      path: url.pathname,
      query: url.search.replace(/^\?/, ''),
      collection: m?.[3] ?? '',
      status: 0,
    };
    log.push(entry);
    stats.requests++;
    stats.byMethod[method] = (stats.byMethod[method] ?? 0) + 1;
    const perColl = (stats.byCollection[entry.collection || '(unknown)'] ??= {});
    perColl[method] = (perColl[method] ?? 0) + 1;

    const write = method === 'POST' || method === 'PATCH';
    const read = await readRequestBody(req, { maxBytes: MAX_BODY_BYTES, requireType: write });
    if (!read.ok) return send(res, entry, apiError(read.status, 'INVALID_ARGUMENT', read.message));
    const body = read.text;
    const admitted = m ? quota.admit(m[1]) : ({ ok: true } as const);
    if (!admitted.ok) {
      stats.quotaRejected++;
      return send(res, entry, admitted.result);
    }
    const delay = latencyFor(faults, random);
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    const fault = decideFault(faults, method, random);
    if (fault.kind === 'error') {
      stats.injected[String(fault.httpStatus) as '429' | '500' | '503']++;
      const status = { 429: 'RESOURCE_EXHAUSTED', 500: 'INTERNAL', 503: 'UNAVAILABLE' }[fault.httpStatus];
      return send(res, entry, apiError(fault.httpStatus, status, `injected fault: ${status}`));
    }
    if (fault.kind === 'drop' && fault.when === 'before') return drop(req, entry, stats);
    const result = route(method, m, url, body);
    if (result.mutated) {
      if (result.status === 200 && method !== 'GET') stats.writes++;
      persist();
    }
    if (fault.kind === 'drop') return drop(req, entry, stats);
    send(res, entry, result);
  };

  const route = (method: string, m: RegExpExecArray | null, url: URL, rawBody: string): ApiResult => {
    if (!m) return apiError(404, 'NOT_FOUND', `no such API path: ${url.pathname}`);
    const [, project, location, coll, id] = m;
    const parent = `projects/${project}/locations/${location}`;
    if (coll === 'operations') {
      if (method === 'GET')
        return id
          ? api.getOperation(`${parent}/operations/${id}`)
          : api.listOperations(parent, url.searchParams);
      return apiError(405, 'UNIMPLEMENTED', `${method} is not supported on operations`);
    }
    if (!(KINDS as readonly string[]).includes(coll))
      return apiError(404, 'NOT_FOUND', `unknown collection "${coll}"`);
    const kind = coll as Kind;
    const parsed = parseJsonBody(method, rawBody);
    if ('error' in parsed) return parsed.error;
    const violations = schemaViolations(kind, method, Boolean(id), url.searchParams, parsed.body);
    if (violations.length) return apiError(400, 'INVALID_ARGUMENT', violations[0].description, violations);
    const name = `${parent}/${kind}/${id}`;
    if (!id) {
      if (method === 'GET') return api.list(kind, parent, url.searchParams);
      if (method === 'POST') return api.create(kind, parent, url.searchParams, parsed.body);
    } else {
      if (method === 'GET') return api.get(kind, name);
      if (method === 'PATCH') return api.patch(kind, name, url.searchParams, parsed.body);
      if (method === 'DELETE') return api.delete(kind, name);
    }
    return apiError(405, 'UNIMPLEMENTED', `${method} ${url.pathname} is not supported`);
  };

  const handleAdmin = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const method = req.method ?? 'GET';
    const reply = (status: number, body: unknown) => sendJson(res, status, body);
    const refuse = (read: BodyRefusal) => reply(read.status, { error: bodyError(read) });
    const what = url.pathname.slice('/_emulator/'.length);
    if (what === 'stats' && method === 'GET') return reply(200, stats);
    if (what === 'requests' && method === 'GET') return reply(200, { requests: log });
    if (what === 'state' && method === 'GET') return reply(200, serializeState(state));
    if (what === 'faults' && method === 'GET') return reply(200, faults);
    if (what === 'faults' && method === 'DELETE') return (handle.clearFaults(), reply(200, {}));
    if (what === 'faults' && method === 'POST') {
      const read = await readRequestBody(req, { maxBytes: MAX_BODY_BYTES, requireType: true });
      if (!read.ok) return refuse(read);
      const text = read.text;
      try {
        handle.setFaults(text ? (JSON.parse(text) as Faults) : {});
      } catch (e) {
        return sendJson(res, 400, {
          error: { code: 400, status: 'INVALID_ARGUMENT', message: (e as Error).message },
        });
      }
      return reply(200, faults);
    }
    if (what === 'quota') return handleQuota(req, method, reply);
    if (what === 'reset' && method === 'POST') {
      const read = await readRequestBody(req, { maxBytes: MAX_BODY_BYTES, requireType: true });
      if (!read.ok) return refuse(read);
      if (url.searchParams.get('state') === 'true') handle.resetState();
      else handle.resetStats();
      return reply(200, { reset: url.searchParams.get('state') === 'true' ? 'stats+state' : 'stats' });
    }
    return sendJson(res, 404, {
      error: { code: 404, status: 'NOT_FOUND', message: `no admin endpoint ${method} ${url.pathname}` },
    });
  };

  /** GET shows the settings and this window's counts; POST sets them (and may start an outage); DELETE clears. */
  const handleQuota = async (
    req: IncomingMessage,
    method: string,
    reply: (s: number, b: unknown) => void,
  ) => {
    if (method === 'GET') return reply(200, quota.describe());
    if (method === 'DELETE') return (quota.clear(), reply(200, quota.describe()));
    if (method !== 'POST')
      return reply(405, { error: { code: 405, status: 'UNIMPLEMENTED', message: method } });
    const read = await readRequestBody(req, { maxBytes: MAX_BODY_BYTES, requireType: true });
    if (!read.ok) return reply(read.status, { error: bodyError(read) });
    const text = read.text;
    let q: QuotaOptions & { outageMs?: number };
    try {
      q = text ? (JSON.parse(text) as typeof q) : {};
    } catch (e) {
      const message = `quota body is not JSON: ${(e as Error).message}`;
      return reply(400, { error: { code: 400, status: 'INVALID_ARGUMENT', message } });
    }
    const problem = validateQuota(q);
    if (problem) return reply(400, { error: { code: 400, status: 'INVALID_ARGUMENT', message: problem } });
    const { outageMs, ...settings } = q;
    if (Object.keys(settings).length) quota.configure(settings);
    if (outageMs !== undefined) quota.startOutage(outageMs);
    return reply(200, quota.describe());
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const handler = url.pathname.startsWith('/_emulator/') ? handleAdmin : handleApi;
    handler(req, res, url).catch((e: unknown) => {
      if (!res.headersSent)
        sendJson(res, 500, { error: { code: 500, status: 'INTERNAL', message: String(e) } });
    });
  });
  const listening = await listen(server, opts.port, opts.host);

  const handle: NetsvcEmulator = {
    url: listening.url,
    port: listening.port,
    close: () => listening.close(),
    stats: () => structuredClone(stats),
    resetStats: () => {
      stats = freshStats();
      log = [];
    },
    resetState: () => {
      handle.resetStats();
      const fresh = emptyState();
      for (const k of KINDS) state.resources[k] = fresh.resources[k];
      state.operations = fresh.operations;
      api.forgetPending();
      persist();
    },
    setFaults,
    clearFaults: () => {
      faults = {};
      random = Math.random;
    },
    resources: (kind) =>
      [...state.resources[kind].values()]
        .map((b) => structuredClone(b))
        .sort((a, b) => ((a.name as string) < (b.name as string) ? -1 : 1)),
    putRaw: (kind, name, body) => {
      if (!RESOURCE_NAME.test(name) || !name.includes(`/${kind}/`)) {
        throw new Error(`putRaw: "${name}" is not a full ${kind} name (projects/P/locations/L/${kind}/ID)`);
      }
      state.resources[kind].set(name, { ...structuredClone(body), name });
      persist();
    },
    deleteRaw: (kind, name) => {
      const had = state.resources[kind].delete(name);
      persist();
      return had;
    },
    requestLog: () => log.map((e) => ({ ...e })),
    setQuota: (q) => {
      const problem = validateQuota(q);
      if (problem) throw new Error(`netsvc emulator quota: ${problem}`);
      quota.configure(q);
    },
    quotaOutage: (ms) => quota.startOutage(ms),
    maxRequestsInWindow: (windowMs = 1000) =>
      maxInWindow(
        log.map((e) => e.t),
        windowMs,
      ),
  };
  return handle;
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

function parseJsonBody(method: string, raw: string): { body: Obj } | { error: ApiResult } {
  if (method !== 'POST' && method !== 'PATCH') return { body: {} };
  if (raw.trim() === '') return { body: {} };
  try {
    const parsed: unknown = JSON.parse(raw);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      return { error: apiError(400, 'INVALID_ARGUMENT', 'request body must be a JSON object') };
    }
    return { body: parsed as Obj };
  } catch (e) {
    return { error: apiError(400, 'INVALID_ARGUMENT', `invalid JSON payload: ${(e as Error).message}`) };
  }
}

/** Request bodies above this get 413: Network Services resources are small (docs/security.md §5). */
export const MAX_BODY_BYTES = 4 << 20;

type BodyRefusal = Extract<BodyRead, { ok: false }>;

function bodyError(read: BodyRefusal) {
  return { code: read.status, status: 'INVALID_ARGUMENT', message: read.message };
}

function send(res: ServerResponse, entry: RequestLogEntry, result: ApiResult): void {
  entry.status = result.status;
  sendJson(res, result.status, result.body, result.headers);
}

function sendJson(
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

function drop(req: IncomingMessage, entry: RequestLogEntry, stats: EmulatorStats): void {
  entry.status = 0;
  stats.injected.dropped++;
  req.socket.destroy();
}
