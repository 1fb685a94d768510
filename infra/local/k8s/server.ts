// Kubernetes API server stand-in over node:http: REST verbs, list pagination, watch streams,
// discovery for kubectl, and fault hooks for tests. The verbs live in rest.ts and watch.ts, write
// semantics in store.ts.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApiError, internalError, pathNotFound, serviceUnavailable } from './errors.ts';
import type { KubeObj, ResourceDef } from './resources.ts';
import { RESOURCES } from './resources.ts';
import { PatchError } from './patch.ts';
import { Store } from './store.ts';
import { kubeconfigYaml } from './kubeconfig.ts';
import { NegController, type NegControllerOptions } from './neg-controller.ts';
import { discovery, parseResourcePath } from './routes.ts';
import { handleResource, type ListFault, type RestContext, send } from './rest.ts';
import { bookmark, type OpenWatch } from './watch.ts';

export interface K8sEmulatorOptions {
  port?: number;
  host?: string;
  kubeconfigPath?: string;
  /** How many events the watch history keeps; older resourceVersions get 410 Expired. */
  historyWindow?: number;
  statePath?: string;
  /** Bearer token written to the kubeconfig and required on every request. */
  token?: string;
  bookmarkIntervalMs?: number;
  /** GKE's NEG controller stand-in (neg-controller.ts); false turns it off. */
  negController?: NegControllerOptions | false;
}

export interface RequestLogEntry {
  method: string;
  path: string;
  query: Record<string, string>;
  contentType?: string;
  status?: number;
}

export interface K8sEmulator {
  url: string;
  port: number;
  kubeconfigPath: string;
  token: string;
  store: Store;
  /** The NEG controller stand-in (undefined when turned off). */
  negController?: NegController;
  /** Changes the zones NEGs exist in: rewrites every neg-status and creates/deletes NEGs through the hook. */
  setNegZones(zones: string[]): void;
  /** Every request served, for assertions (e.g. counting status PATCHes). */
  requests: RequestLogEntry[];
  /** Direct store access without HTTP. */
  apply(obj: KubeObj): KubeObj;
  getObject(kind: string, namespace: string | undefined, name: string): KubeObj | undefined;
  deleteObject(kind: string, namespace: string | undefined, name: string): void;
  // fault hooks
  dropWatches(mode?: 'end' | 'destroy'): number;
  compact(): void;
  /** Make list page `page` (1-based) fail `times` times with `code`, for one resource (plural) or all. */
  failListPage(page: number, opts?: { times?: number; code?: number; resource?: string }): void;
  goDown(ms: number): void;
  setLatency(ms: number): void;
  sendBookmarks(): void;
  /** How an expired watch is answered: an ERROR event in a 200 stream (default) or an HTTP 410. */
  expireAs: 'event' | 'status';
  openWatchCount(): number;
  /** Test hook run before each request is handled (e.g. to change an object between a read and a write). */
  onRequest?: (entry: RequestLogEntry) => void | Promise<void>;
  close(): Promise<void>;
}

export async function startK8sEmulator(opts: K8sEmulatorOptions = {}): Promise<K8sEmulator> {
  const token = opts.token ?? 'gamma-csm-local-token';
  const saver = debouncedSave(opts.statePath, () => store.dump());
  const store = openStore(opts, saver.schedule);
  const negController =
    opts.negController === false ? undefined : new NegController(store, opts.negController);
  const ctx: RestContext = {
    store,
    watches: new Set<OpenWatch>(),
    listFaults: new Map<number, ListFault>(),
    bookmarkIntervalMs: opts.bookmarkIntervalMs ?? 5000,
    expireAs: () => emulator.expireAs,
  };
  const gate: Gate = {
    token,
    requests: [],
    latencyMs: 0,
    downUntil: 0,
    onRequest: (e) => emulator.onRequest?.(e),
  };
  const server = http.createServer((req, res) => void handle(ctx, gate, req, res));
  const url = await listenOn(server, opts);
  const tempDir = opts.kubeconfigPath ? undefined : mkdtempSync(path.join(os.tmpdir(), 'gamma-csm-k8s-'));
  const kubeconfigPath = opts.kubeconfigPath ?? path.join(tempDir as string, 'kubeconfig');
  writeFileSync(kubeconfigPath, kubeconfigYaml(url, token));

  const emulator: K8sEmulator = {
    url,
    port: (server.address() as AddressInfo).port,
    kubeconfigPath,
    token,
    store,
    negController,
    setNegZones(zones) {
      if (!negController) throw new Error('setNegZones: the NEG controller stand-in is turned off');
      negController.setZones(zones);
    },
    requests: gate.requests,
    expireAs: 'event',
    ...directAccess(store),
    ...faultHooks(ctx, gate),
    async close() {
      negController?.close();
      for (const w of [...ctx.watches]) w.close();
      saver.flush();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (tempDir) rmSync(tempDir, { recursive: true, force: true });
    },
  };
  return emulator;
}

/** What every request passes before its resource path: log, latency, outage, token. */
interface Gate {
  token: string;
  requests: RequestLogEntry[];
  latencyMs: number;
  downUntil: number;
  onRequest(entry: RequestLogEntry): void | Promise<void>;
}

/** The state file (when given) loaded, and the namespaces every cluster has. */
function openStore(opts: K8sEmulatorOptions, save: () => void): Store {
  const store = new Store(opts.historyWindow ?? 1000, save);
  const nsDef = RESOURCES.find((d) => d.kind === 'Namespace') as ResourceDef;
  if (opts.statePath && existsSync(opts.statePath))
    store.load(JSON.parse(readFileSync(opts.statePath, 'utf8')));
  for (const ns of ['default', 'kube-system'])
    if (!store.find(nsDef, undefined, ns))
      store.create(nsDef, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  return store;
}

/** Writes the state file 50 ms after a change (one write for a burst); flush writes a pending one now. */
function debouncedSave(statePath: string | undefined, dump: () => unknown) {
  let timer: NodeJS.Timeout | undefined;
  return {
    schedule: () => {
      if (!statePath || timer) return;
      timer = setTimeout(() => {
        timer = undefined;
        writeFileSync(statePath, JSON.stringify(dump()));
      }, 50);
    },
    flush: () => {
      if (!timer) return;
      clearTimeout(timer);
      timer = undefined;
      if (statePath) writeFileSync(statePath, JSON.stringify(dump()));
    },
  };
}

async function listenOn(server: http.Server, opts: K8sEmulatorOptions): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return `http://${opts.host && opts.host !== '0.0.0.0' ? opts.host : '127.0.0.1'}:${port}`;
}

async function handle(ctx: RestContext, gate: Gate, req: http.IncomingMessage, res: http.ServerResponse) {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const entry: RequestLogEntry = {
    method: req.method ?? 'GET',
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    contentType: req.headers['content-type'],
  };
  gate.requests.push(entry);
  res.on('finish', () => (entry.status = res.statusCode));
  if (gate.latencyMs) await new Promise((r) => setTimeout(r, gate.latencyMs));
  try {
    await gate.onRequest(entry);
    if (Date.now() < gate.downUntil) throw serviceUnavailable();
    // kubectl (client-go) sends no bearer token over plain http, so only a wrong token is refused.
    const auth = req.headers.authorization;
    if (auth !== undefined && auth !== `Bearer ${gate.token}`) {
      return send(res, 401, new ApiError(401, 'Unauthorized', 'Unauthorized').toStatus());
    }
    const segs = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const doc = discovery(segs);
    if (doc !== undefined) return send(res, 200, doc);
    const ref = parseResourcePath(segs);
    if (!ref) throw pathNotFound();
    await handleResource(ctx, ref, req, res, url.searchParams);
  } catch (e) {
    const err =
      e instanceof ApiError
        ? e
        : e instanceof PatchError
          ? new ApiError(e.code, e.code === 400 ? 'BadRequest' : 'Invalid', e.message)
          : internalError((e as Error).message);
    if (!res.headersSent) send(res, err.code, err.toStatus());
    else res.end();
  }
}

function defByKind(kind: string): ResourceDef {
  const def = RESOURCES.find((d) => d.kind === kind || d.plural === kind);
  if (!def) throw new Error(`unknown kind ${kind}`);
  return def;
}

/** Store access without HTTP, by kind or plural. */
function directAccess(store: Store): Pick<K8sEmulator, 'apply' | 'getObject' | 'deleteObject'> {
  return {
    apply(obj) {
      const def = defByKind(obj.kind);
      const existing = store.find(def, obj.metadata.namespace ?? 'default', obj.metadata.name);
      if (!existing) return store.create(def, obj.metadata.namespace, obj);
      const next = store.replace(def, existing, {
        ...obj,
        metadata: { ...obj.metadata, resourceVersion: undefined },
      });
      if (obj.status && def.hasStatus)
        return store.replace(def, next, { ...next, status: obj.status }, 'status');
      return next;
    },
    getObject: (kind, ns, name) => store.find(defByKind(kind), ns, name),
    deleteObject: (kind, ns, name) => void store.delete(defByKind(kind), ns, name),
  };
}

type FaultHooks = Pick<
  K8sEmulator,
  'dropWatches' | 'compact' | 'failListPage' | 'goDown' | 'setLatency' | 'sendBookmarks' | 'openWatchCount'
>;

function faultHooks(ctx: RestContext, gate: Gate): FaultHooks {
  const { watches } = ctx;
  const hooks: FaultHooks = {
    dropWatches(mode = 'end') {
      const n = watches.size;
      for (const w of [...watches]) {
        if (mode === 'destroy') w.res.destroy();
        w.close();
      }
      return n;
    },
    compact: () => ctx.store.compact(),
    failListPage(page, o = {}) {
      ctx.listFaults.set(page, { times: o.times ?? 1, code: o.code ?? 500, resource: o.resource });
    },
    goDown(ms) {
      gate.downUntil = Date.now() + ms;
      hooks.dropWatches('destroy');
    },
    setLatency(ms) {
      gate.latencyMs = ms;
    },
    sendBookmarks() {
      for (const w of watches) if (w.bookmarks) bookmark(ctx.store, w);
    },
    openWatchCount: () => watches.size,
  };
  return hooks;
}
