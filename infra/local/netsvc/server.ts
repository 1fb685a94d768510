// The Network Services v1 emulator over node:http: routing, fault injection, request log, admin
// surface (/_emulator/*) and the programmatic handle tests use; the request loop is ../google-api.ts's.
import { coreHandle, EmulatorCore, freshStats, type RequestLogEntry, serveEmulator } from '../google-api.ts';
import { type AdminContext, netsvcAdmin } from './admin.ts';
import { NetsvcApi } from './api.ts';
import { type QuotaOptions, QuotaWindows, validateQuota } from './quota.ts';
import { netsvcInternalError, netsvcRules, type NetsvcStats } from './rules.ts';
import { emptyState, type EmulatorState, loadState, type Obj, saveState } from './store.ts';
import type { Faults } from './faults.ts';
import { KINDS, type Kind } from './validate.ts';

export type { Faults } from './faults.ts';
export type { QuotaOptions } from './quota.ts';
export type { Kind } from './validate.ts';
export type { RequestLogEntry } from '../google-api.ts';
export { maxInWindow } from '../google-api.ts';
export type { NetsvcStats as EmulatorStats } from './rules.ts';
export { MAX_BODY_BYTES } from './rules.ts';

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

export interface NetsvcEmulator {
  /** Root URL, e.g. `http://127.0.0.1:PORT/`. */
  url: string;
  port: number;
  close(): Promise<void>;
  stats(): NetsvcStats;
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

const RESOURCE_NAME = /^projects\/[^/]+\/locations\/[^/]+\/[A-Za-z]+\/[^/]+$/;

export async function startNetsvcEmulator(opts: NetsvcEmulatorOptions = {}): Promise<NetsvcEmulator> {
  const state: EmulatorState = opts.statePath ? loadState(opts.statePath) : emptyState();
  const core = new EmulatorCore<NetsvcStats>('netsvc emulator', () => ({
    ...freshStats(),
    quotaRejected: 0,
  }));
  const quota = new QuotaWindows(opts.clock ?? Date.now);
  if (opts.quota) quota.configure(opts.quota);
  const api = new NetsvcApi(state, () => ({
    lenient: Boolean(opts.lenient),
    operationDelay: core.operationDelay(opts.operationDelay),
    visibleWhenDone: opts.visibleWhenDone ?? true,
    now: opts.clock ?? Date.now,
    failOperation: core.failOperation,
  }));
  const persist = () => {
    if (opts.statePath) saveState(opts.statePath, state);
  };
  const rules = netsvcRules(api, quota, persist);
  const admin: AdminContext = {
    core,
    state,
    quota,
    setFaults: (f) => handle.setFaults(f),
    clearFaults: () => handle.clearFaults(),
    resetStats: () => handle.resetStats(),
    resetState: () => handle.resetState(),
  };
  const listening = await serveEmulator(opts, {
    api: (req, res, url) => core.handleApi(rules, req, res, url),
    admin: (req, res, url) => netsvcAdmin(admin, req, res, url),
    internalError: netsvcInternalError,
  });
  const handle: NetsvcEmulator = {
    url: listening.url,
    port: listening.port,
    close: () => listening.close(),
    ...coreHandle(core),
    resetState: () => {
      handle.resetStats();
      const fresh = emptyState();
      for (const k of KINDS) state.resources[k] = fresh.resources[k];
      state.operations = fresh.operations;
      api.forgetPending();
      persist();
    },
    ...rawAccess(state, persist),
    setQuota: (q) => {
      const problem = validateQuota(q);
      if (problem) throw new Error(`netsvc emulator quota: ${problem}`);
      quota.configure(q);
    },
    quotaOutage: (ms) => quota.startOutage(ms),
  };
  return handle;
}

/** Stored bodies read and written directly, as drift tests need. */
function rawAccess(
  state: EmulatorState,
  persist: () => void,
): Pick<NetsvcEmulator, 'resources' | 'putRaw' | 'deleteRaw'> {
  return {
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
  };
}
