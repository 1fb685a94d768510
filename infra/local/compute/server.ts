// The Compute v1 emulator over node:http (global backend services, health checks, operations, zonal
// NEGs): routing, body limits, fault injection, request log, admin surface (/_emulator/*) and the
// programmatic handle tests and the local stack use. Faults and windows are the netsvc emulator's.
import { listen } from '../listen.ts';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { decideFault, type Faults, latencyFor, seededRandom, validateFaults } from '../netsvc/faults.ts';
import { maxInWindow } from '../netsvc/server.ts';
import { adminRoutes, type AdminContext } from './admin.ts';
import { ComputeApi } from './api.ts';
import { type ApiResult, computeError } from './errors.ts';
import { readJsonBody, sendJson } from './http.ts';
import { deleteNeg, putNeg, setEndpointHealth } from './negs.ts';
import { routeApi } from './routes.ts';
import { COLLECTIONS, type ComputeState, emptyState, loadState, saveState } from './store.ts';

export type { Faults } from '../netsvc/faults.ts';
export type { ComputeStore, EmulatorStats, RequestLogEntry } from './handle-types.ts';
import type { ComputeStore, EmulatorStats, RequestLogEntry } from './handle-types.ts';
export type { NegDeletion, NegSpec } from './negs.ts';
export type { Collection, HealthState, NegEndpoint, StoredNeg } from './store.ts';

export interface ComputeEmulatorOptions {
  port?: number;
  host?: string;
  /** JSON file: loaded at start, rewritten (atomically) after each change. */
  statePath?: string;
  /** Default operation delay; faults.operationDelay overrides it while set. */
  operationDelay?: { polls?: number; ms?: number };
  /** A write shows in GET/list only once its operation is DONE (default true). */
  visibleWhenDone?: boolean;
  /** How long `operations/{op}/wait` holds a request before answering a not-yet-DONE operation (default 5 s). */
  waitTimeoutMs?: number;
  /** Request bodies above this get 413 (default 1 MiB). */
  maxBodyBytes?: number;
}

export interface ComputeEmulator {
  /** Root URL, e.g. `http://127.0.0.1:PORT/`; googleapis' compute v1 takes it as rootUrl. */
  url: string;
  port: number;
  store: ComputeStore;
  close(): Promise<void>;
  stats(): EmulatorStats;
  resetStats(): void;
  /** Clears stats, resources, NEGs and operations. */
  resetState(): void;
  setFaults(f: Faults): void;
  clearFaults(): void;
  faults(): Faults;
  requestLog(): RequestLogEntry[];
  /** Most API requests seen in any window of `windowMs` (default 1000). */
  maxRequestsInWindow(windowMs?: number): number;
}

const COLLECTION_OF = /^\/compute\/v1\/projects\/[^/]+\/(?:global|zones\/[^/]+)\/([A-Za-z]+)/;

function freshStats(): EmulatorStats {
  return {
    since: new Date().toISOString(),
    requests: 0,
    byMethod: {},
    byCollection: {},
    writes: 0,
    injected: { '429': 0, '500': 0, '503': 0, dropped: 0, failedOperations: 0 },
  };
}

export async function startComputeEmulator(opts: ComputeEmulatorOptions = {}): Promise<ComputeEmulator> {
  const state: ComputeState = opts.statePath ? loadState(opts.statePath) : emptyState();
  const limits = { waitTimeoutMs: opts.waitTimeoutMs ?? 5000, maxBodyBytes: opts.maxBodyBytes ?? 1 << 20 };
  let stats = freshStats();
  let log: RequestLogEntry[] = [];
  let faults: Faults = {};
  let random = Math.random;
  const api = new ComputeApi(state, () => ({
    operationDelay: faults.operationDelay ?? opts.operationDelay ?? {},
    visibleWhenDone: opts.visibleWhenDone ?? true,
    failOperation: () => {
      const fail = random() < (faults.failOperationRate ?? 0);
      if (fail) stats.injected.failedOperations++;
      return fail;
    },
  }));
  const persist = () => {
    if (opts.statePath) saveState(opts.statePath, state);
  };
  persist(); // the file exists from the start, as a record of what this run began with

  const handleApi = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const method = req.method ?? 'GET';
    const entry: RequestLogEntry = {
      t: performance.timeOrigin + performance.now(),
      method,
      path: url.pathname,
      query: url.search.replace(/^\?/, ''),
      collection: COLLECTION_OF.exec(url.pathname)?.[1] ?? '',
      status: 0,
    };
    log.push(entry);
    stats.requests++;
    stats.byMethod[method] = (stats.byMethod[method] ?? 0) + 1;
    const perColl = (stats.byCollection[entry.collection || '(unknown)'] ??= {});
    perColl[method] = (perColl[method] ?? 0) + 1;

    const body = await readJsonBody(req, limits.maxBodyBytes);
    if ('error' in body) return send(res, entry, body.error);
    const delay = latencyFor(faults, random);
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    const fault = decideFault(faults, method, random);
    if (fault.kind === 'error') {
      stats.injected[String(fault.httpStatus) as '429' | '500' | '503']++;
      const reason = { 429: 'rateLimitExceeded', 500: 'backendError', 503: 'backendError' }[fault.httpStatus];
      return send(res, entry, computeError(fault.httpStatus, reason, `injected fault: ${fault.httpStatus}`));
    }
    if (fault.kind === 'drop' && fault.when === 'before') return drop(req, entry, stats);
    const settled = api.settle();
    const result = await routeApi(api, state, method, url, body.body, limits.waitTimeoutMs);
    if (result.mutated || settled) {
      const write = method !== 'GET' && entry.collection !== 'operations';
      if (result.mutated && result.status === 200 && write) stats.writes++;
      persist();
    }
    if (fault.kind === 'drop') return drop(req, entry, stats);
    send(res, entry, result);
  };

  const setFaults = (f: Faults) => {
    const problem = validateFaults(f);
    if (problem) throw new Error(`compute emulator faults: ${problem}`);
    faults = { ...f, next: f.next ? [...f.next] : undefined };
    random = f.seed === undefined ? Math.random : seededRandom(f.seed);
  };

  const store: ComputeStore = {
    putNeg: (spec) => after(putNeg(state, spec)),
    deleteNeg: (zone, name, project) => after(deleteNeg(state, zone, name, project)),
    setEndpointHealth: (where) => after(setEndpointHealth(state, where)),
    negs: () => [...state.negs.values()].map((n) => structuredClone(n)),
    resources: (c) =>
      [...state.resources[c].entries()]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([, b]) => structuredClone(b)),
  };
  function after<T>(value: T): T {
    persist();
    return value;
  }

  const admin: AdminContext = {
    stats: () => stats,
    log: () => log,
    state,
    store,
    faults: () => faults,
    setFaults: (f) => handle.setFaults(f),
    clearFaults: () => handle.clearFaults(),
    resetStats: () => handle.resetStats(),
    resetState: () => handle.resetState(),
    maxBodyBytes: limits.maxBodyBytes,
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const work = url.pathname.startsWith('/_emulator/')
      ? adminRoutes(admin, req, res, url)
      : handleApi(req, res, url);
    work.catch((e: unknown) => {
      if (!res.headersSent) sendJson(res, 500, computeError(500, 'backendError', String(e)).body);
    });
  });
  const listening = await listen(server, opts.port, opts.host);

  const handle: ComputeEmulator = {
    url: listening.url,
    port: listening.port,
    store,
    close: () => listening.close(),
    stats: () => structuredClone(stats),
    resetStats: () => {
      stats = freshStats();
      log = [];
    },
    resetState: () => {
      handle.resetStats();
      for (const c of COLLECTIONS) state.resources[c].clear();
      state.negs.clear();
      state.operations.clear();
      state.firewalls.clear();
      persist();
    },
    setFaults,
    clearFaults: () => {
      faults = {};
      random = Math.random;
    },
    faults: () => structuredClone(faults),
    requestLog: () => log.map((e) => ({ ...e })),
    maxRequestsInWindow: (windowMs = 1000) =>
      maxInWindow(
        log.map((e) => e.t),
        windowMs,
      ),
  };
  return handle;
}

function send(res: ServerResponse, entry: RequestLogEntry, result: ApiResult): void {
  entry.status = result.status;
  sendJson(res, result.status, result.body);
}

function drop(req: IncomingMessage, entry: RequestLogEntry, stats: EmulatorStats): void {
  entry.status = 0;
  stats.injected.dropped++;
  req.socket.destroy();
}
