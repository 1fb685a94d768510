// Kubernetes API server stand-in over node:http: REST verbs, list pagination, watch streams,
// discovery for kubectl, and fault hooks for tests. Write semantics live in store.ts.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  ApiError,
  badRequest,
  conflict,
  expired,
  internalError,
  methodNotAllowed,
  pathNotFound,
  serviceUnavailable,
  unsupportedMediaType,
} from './errors.ts';
import type { KubeObj, ResourceDef } from './resources.ts';
import { RESOURCES, apiVersionOf, toTable } from './resources.ts';
import { SelectorError, parseSelector } from './selectors.ts';
import { PatchError, jsonPatch, mergePatch, strategicMergePatch } from './patch.ts';
import type { Filter } from './store.ts';
import { Store } from './store.ts';
import { kubeconfigYaml } from './kubeconfig.ts';
import { checkFields } from './openapi.ts';
import { NegController, type NegControllerOptions } from './neg-controller.ts';
import type { ResourceRef } from './routes.ts';
import { decodeContinue, discovery, parseBody, parseResourcePath, readBody, withVersion } from './routes.ts';

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

interface OpenWatch {
  res: http.ServerResponse;
  bookmarks: boolean;
  def: ResourceDef;
  version: string;
  close(): void;
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
  const bookmarkIntervalMs = opts.bookmarkIntervalMs ?? 5000;
  let saveTimer: NodeJS.Timeout | undefined;
  const save = () => {
    if (!opts.statePath || saveTimer) return;
    saveTimer = setTimeout(() => {
      saveTimer = undefined;
      writeFileSync(opts.statePath as string, JSON.stringify(store.dump()));
    }, 50);
  };
  const store = new Store(opts.historyWindow ?? 1000, save);
  const nsDef = RESOURCES.find((d) => d.kind === 'Namespace') as ResourceDef;
  if (opts.statePath && existsSync(opts.statePath))
    store.load(JSON.parse(readFileSync(opts.statePath, 'utf8')));
  for (const ns of ['default', 'kube-system'])
    if (!store.find(nsDef, undefined, ns))
      store.create(nsDef, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });

  const negController =
    opts.negController === false ? undefined : new NegController(store, opts.negController);
  const watches = new Set<OpenWatch>();
  const requests: RequestLogEntry[] = [];
  let latencyMs = 0;
  let downUntil = 0;
  const listFaults = new Map<number, { times: number; code: number; resource?: string }>();

  function send(res: http.ServerResponse, code: number, body: unknown): void {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(code, { 'Content-Type': typeof body === 'string' ? 'text/plain' : 'application/json' });
    res.end(text);
  }

  function filterOf(ref: ResourceRef, q: URLSearchParams): Filter {
    try {
      return {
        def: ref.def,
        namespace: ref.namespace,
        labels: parseSelector(q.get('labelSelector')),
        fields: parseSelector(q.get('fieldSelector')),
      };
    } catch (e) {
      if (e instanceof SelectorError) throw badRequest(`unable to parse selector: ${e.message}`);
      throw e;
    }
  }

  function list(ref: ResourceRef, q: URLSearchParams, wantsTable: boolean): unknown {
    const filter = filterOf(ref, q);
    const cont = q.get('continue') ? decodeContinue(q.get('continue') as string) : undefined;
    if (cont && cont.rv < store.compactedRv) {
      throw expired(
        'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.',
      );
    }
    const page = cont ? cont.page + 1 : 1;
    const fault = listFaults.get(page);
    if (fault && fault.times > 0 && (!fault.resource || fault.resource === ref.def.plural)) {
      fault.times -= 1;
      throw fault.code === 410
        ? expired('injected: continue expired')
        : new ApiError(fault.code, 'InternalError', `injected failure on list page ${page}`);
    }
    const all = store.list(filter, cont?.after);
    const limit = Number(q.get('limit') ?? 0);
    const items = limit > 0 ? all.slice(0, limit) : all;
    const more = limit > 0 && all.length > limit;
    const rv = String(cont?.rv ?? store.resourceVersion);
    const next = more
      ? Buffer.from(JSON.stringify({ rv: Number(rv), after: items[items.length - 1].key, page })).toString(
          'base64url',
        )
      : undefined;
    const objs = items.map((i) => withVersion(ref.def, ref.version, i.obj));
    if (wantsTable)
      return {
        ...toTable(ref.def, objs, rv, Date.now()),
        metadata: { resourceVersion: rv, ...(next ? { continue: next } : {}) },
      };
    return {
      apiVersion: apiVersionOf(ref.def, ref.version),
      kind: `${ref.def.kind}List`,
      metadata: {
        resourceVersion: rv,
        ...(next ? { continue: next, remainingItemCount: all.length - items.length } : {}),
      },
      items: objs,
    };
  }

  function watch(
    ref: ResourceRef,
    q: URLSearchParams,
    req: http.IncomingMessage,
    res: http.ServerResponse,
  ): void {
    const filter = filterOf(ref, q);
    if (ref.name) filter.fields.push({ key: 'metadata.name', op: 'eq', value: ref.name });
    const fromRv = q.get('resourceVersion') ? Number(q.get('resourceVersion')) : undefined;
    if (fromRv !== undefined && fromRv > 0 && fromRv < store.compactedRv && emulator.expireAs === 'status') {
      throw expired(`too old resource version: ${fromRv} (${store.compactedRv})`);
    }
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    const write = (type: string, object: unknown) => {
      if (!res.writableEnded) res.write(`${JSON.stringify({ type, object })}\n`);
    };
    let unsubscribe: () => void = () => {};
    let timers: NodeJS.Timeout[] = [];
    const w: OpenWatch = {
      res,
      bookmarks: q.get('allowWatchBookmarks') === 'true',
      def: ref.def,
      version: ref.version,
      close() {
        unsubscribe();
        timers.forEach(clearTimeout);
        timers = [];
        watches.delete(w);
        if (!res.writableEnded) res.end();
      },
    };
    try {
      unsubscribe = store.watch(filter, fromRv, (type, obj) =>
        write(type, withVersion(ref.def, ref.version, obj)),
      );
    } catch (e) {
      if (e instanceof ApiError && e.code === 410) {
        write('ERROR', e.toStatus());
        res.end();
        return;
      }
      throw e;
    }
    watches.add(w);
    if (w.bookmarks) timers.push(setInterval(() => bookmark(w), bookmarkIntervalMs));
    const timeout = Number(q.get('timeoutSeconds') ?? 0);
    if (timeout > 0) timers.push(setTimeout(() => w.close(), timeout * 1000));
    req.on('close', () => w.close());
    res.on('close', () => w.close());
  }

  function bookmark(w: OpenWatch): void {
    const object = {
      kind: w.def.kind,
      apiVersion: apiVersionOf(w.def, w.version),
      metadata: { resourceVersion: String(store.resourceVersion) },
    };
    if (!w.res.writableEnded) w.res.write(`${JSON.stringify({ type: 'BOOKMARK', object })}\n`);
  }

  /** fieldValidation (openapi.ts): Strict refuses unknown fields, Warn answers Warning headers. */
  function validate(ref: ResourceRef, q: URLSearchParams, body: unknown, res: http.ServerResponse): void {
    const { error, warnings } = checkFields(ref.def, ref.version, body, q.get('fieldValidation'));
    if (error) throw badRequest(error);
    if (warnings.length)
      res.setHeader(
        'Warning',
        warnings.map((w) => `299 - ${JSON.stringify(w)}`),
      );
  }

  async function patch(
    ref: ResourceRef,
    q: URLSearchParams,
    contentType: string,
    raw: Buffer,
    res: http.ServerResponse,
  ): Promise<KubeObj> {
    const name = ref.name as string;
    const manager = q.get('fieldManager') ?? 'unknown';
    const body = parseBody(raw, contentType);
    const type = contentType.split(';')[0].trim();
    if (type !== 'application/json-patch+json') validate(ref, q, body, res);
    if (type === 'application/apply-patch+yaml') {
      if (!q.get('fieldManager')) throw badRequest('PATCH with server-side apply requires fieldManager');
      const force = q.get('force') === 'true';
      if (ref.subresource === 'status')
        return store.applyStatus(ref.def, ref.namespace, name, body as KubeObj, manager, force);
      // Main-resource apply, simplified: create when missing, else merge the applied fields.
      const existing = store.find(ref.def, ref.namespace, name);
      if (!existing) return store.create(ref.def, ref.namespace, body as KubeObj, manager);
      return store.replace(
        ref.def,
        existing,
        mergePatch(existing, body) as unknown as KubeObj,
        undefined,
        manager,
      );
    }
    const current = store.get(ref.def, ref.namespace, name);
    let next: unknown;
    if (type === 'application/merge-patch+json') next = mergePatch(current, body);
    else if (type === 'application/strategic-merge-patch+json') next = strategicMergePatch(current, body);
    else if (type === 'application/json-patch+json') next = jsonPatch(current, body);
    else throw unsupportedMediaType(contentType);
    const nextObj = next as KubeObj;
    const rv = nextObj.metadata?.resourceVersion;
    if (rv && rv !== current.metadata.resourceVersion) throw conflict(ref.def, name);
    return store.replace(ref.def, current, nextObj, ref.subresource, manager);
  }

  async function handleResource(
    ref: ResourceRef,
    req: http.IncomingMessage,
    res: http.ServerResponse,
    q: URLSearchParams,
  ): Promise<void> {
    const method = req.method ?? 'GET';
    const accept = String(req.headers.accept ?? '');
    const wantsTable = accept.includes('as=Table');
    const contentType = String(req.headers['content-type'] ?? 'application/json');
    const manager = q.get('fieldManager') ?? 'unknown';
    const out = (code: number, obj: KubeObj) =>
      send(
        res,
        code,
        wantsTable
          ? toTable(
              ref.def,
              [withVersion(ref.def, ref.version, obj)],
              String(store.resourceVersion),
              Date.now(),
            )
          : withVersion(ref.def, ref.version, obj),
      );
    if (method === 'GET' && q.get('watch') === 'true') return watch(ref, q, req, res);
    if (!ref.name) {
      if (method === 'GET') return send(res, 200, list(ref, q, wantsTable));
      if (method === 'POST') {
        const body = parseBody(await readBody(req, 'POST'), contentType) as KubeObj;
        validate(ref, q, body, res);
        if (q.get('dryRun')) return out(201, body);
        return out(201, store.create(ref.def, ref.namespace, body, manager));
      }
      throw methodNotAllowed(method);
    }
    if (method === 'GET') return out(200, store.get(ref.def, ref.namespace, ref.name));
    if (method === 'PUT') {
      const body = parseBody(await readBody(req, 'PUT'), contentType) as KubeObj;
      validate(ref, q, body, res);
      return out(200, store.update(ref.def, ref.namespace, ref.name, body, ref.subresource, manager));
    }
    if (method === 'PATCH')
      return out(200, await patch(ref, q, contentType, await readBody(req, 'PATCH'), res));
    if (method === 'DELETE' && !ref.subresource)
      return out(200, store.delete(ref.def, ref.namespace, ref.name));
    throw methodNotAllowed(method);
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const entry: RequestLogEntry = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      contentType: req.headers['content-type'],
    };
    requests.push(entry);
    res.on('finish', () => (entry.status = res.statusCode));
    if (latencyMs) await new Promise((r) => setTimeout(r, latencyMs));
    try {
      await emulator.onRequest?.(entry);
      if (Date.now() < downUntil) throw serviceUnavailable();
      // kubectl (client-go) sends no bearer token over plain http, so only a wrong token is refused.
      const auth = req.headers.authorization;
      if (auth !== undefined && auth !== `Bearer ${token}`) {
        return send(res, 401, new ApiError(401, 'Unauthorized', 'Unauthorized').toStatus());
      }
      const segs = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
      const doc = discovery(segs);
      if (doc !== undefined) return send(res, 200, doc);
      const ref = parseResourcePath(segs);
      if (!ref) throw pathNotFound();
      await handleResource(ref, req, res, url.searchParams);
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

  const server = http.createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${opts.host && opts.host !== '0.0.0.0' ? opts.host : '127.0.0.1'}:${port}`;
  const tempDir = opts.kubeconfigPath ? undefined : mkdtempSync(path.join(os.tmpdir(), 'gamma-csm-k8s-'));
  const kubeconfigPath = opts.kubeconfigPath ?? path.join(tempDir as string, 'kubeconfig');
  writeFileSync(kubeconfigPath, kubeconfigYaml(url, token));

  const defByKind = (kind: string) => {
    const def = RESOURCES.find((d) => d.kind === kind || d.plural === kind);
    if (!def) throw new Error(`unknown kind ${kind}`);
    return def;
  };

  const emulator: K8sEmulator = {
    url,
    port,
    kubeconfigPath,
    token,
    store,
    negController,
    setNegZones(zones) {
      if (!negController) throw new Error('setNegZones: the NEG controller stand-in is turned off');
      negController.setZones(zones);
    },
    requests,
    expireAs: 'event',
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
    dropWatches(mode = 'end') {
      const n = watches.size;
      for (const w of [...watches]) {
        if (mode === 'destroy') w.res.destroy();
        w.close();
      }
      return n;
    },
    compact: () => store.compact(),
    failListPage(page, o = {}) {
      listFaults.set(page, { times: o.times ?? 1, code: o.code ?? 500, resource: o.resource });
    },
    goDown(ms) {
      downUntil = Date.now() + ms;
      emulator.dropWatches('destroy');
    },
    setLatency(ms) {
      latencyMs = ms;
    },
    sendBookmarks() {
      for (const w of watches) if (w.bookmarks) bookmark(w);
    },
    openWatchCount: () => watches.size,
    async close() {
      negController?.close();
      for (const w of [...watches]) w.close();
      if (saveTimer) {
        clearTimeout(saveTimer);
        saveTimer = undefined;
        if (opts.statePath) writeFileSync(opts.statePath, JSON.stringify(store.dump()));
      }
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (tempDir) rmSync(tempDir, { recursive: true, force: true });
    },
  };
  return emulator;
}
