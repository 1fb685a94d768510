// The Compute v1 emulator over node:http (global backend services, health checks, operations, zonal
// NEGs): routing, body limits, fault injection, request log, admin surface (/_emulator/*) and the
// programmatic handle tests and the local stack use. The request loop is ../google-api.ts's.
import { coreHandle, EmulatorCore, freshStats, serveEmulator } from '../google-api.ts';
import type { Faults } from '../netsvc/faults.ts';
import { adminRoutes, type AdminContext } from './admin.ts';
import { ComputeApi } from './api.ts';
import { computeError } from './errors.ts';
import { deleteNeg, putNeg, setEndpointHealth } from './negs.ts';
import { computeRules } from './routes.ts';
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

export async function startComputeEmulator(opts: ComputeEmulatorOptions = {}): Promise<ComputeEmulator> {
  const state: ComputeState = opts.statePath ? loadState(opts.statePath) : emptyState();
  const limits = { waitTimeoutMs: opts.waitTimeoutMs ?? 5000, maxBodyBytes: opts.maxBodyBytes ?? 1 << 20 };
  const core = new EmulatorCore<EmulatorStats>('compute emulator', freshStats);
  const api = new ComputeApi(state, () => ({
    operationDelay: core.operationDelay(opts.operationDelay),
    visibleWhenDone: opts.visibleWhenDone ?? true,
    failOperation: core.failOperation,
  }));
  const persist = () => {
    if (opts.statePath) saveState(opts.statePath, state);
  };
  persist(); // the file exists from the start, as a record of what this run began with
  const rules = computeRules(api, state, limits, persist);
  const store = computeStore(state, persist);
  const admin: AdminContext = {
    stats: () => core.stats,
    log: () => core.log,
    state,
    store,
    faults: () => core.faults,
    setFaults: (f) => handle.setFaults(f),
    clearFaults: () => handle.clearFaults(),
    resetStats: () => handle.resetStats(),
    resetState: () => handle.resetState(),
    maxBodyBytes: limits.maxBodyBytes,
  };
  const listening = await serveEmulator(opts, {
    api: (req, res, url) => core.handleApi(rules, req, res, url),
    admin: (req, res, url) => adminRoutes(admin, req, res, url),
    internalError: (e) => computeError(500, 'backendError', String(e)).body,
  });
  const handle: ComputeEmulator = {
    url: listening.url,
    port: listening.port,
    store,
    close: () => listening.close(),
    ...coreHandle(core),
    resetState: () => {
      handle.resetStats();
      clearState(state);
      persist();
    },
    faults: () => structuredClone(core.faults),
  };
  return handle;
}

/** NEGs and endpoint health written in process, each change persisted. */
function computeStore(state: ComputeState, persist: () => void): ComputeStore {
  function after<T>(value: T): T {
    persist();
    return value;
  }
  return {
    putNeg: (spec) => after(putNeg(state, spec)),
    deleteNeg: (zone, name, project) => after(deleteNeg(state, zone, name, project)),
    setEndpointHealth: (where) => after(setEndpointHealth(state, where)),
    negs: () => [...state.negs.values()].map((n) => structuredClone(n)),
    resources: (c) =>
      [...state.resources[c].entries()]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([, b]) => structuredClone(b)),
  };
}

function clearState(state: ComputeState): void {
  for (const c of COLLECTIONS) state.resources[c].clear();
  state.negs.clear();
  state.operations.clear();
  state.firewalls.clear();
}
