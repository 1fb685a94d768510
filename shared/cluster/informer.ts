// A list+watch cache that keeps going. client-node 1.4's informer stops for good on any error other
// than 410 and reconnects with no delay when a stream ends; this wrapper restarts it with jittered
// exponential backoff, spaces watch requests by a minimum interval (no hot loop against a server that
// closes at once), and relies on client-node's relist-after-410 diff for add/update/delete events.
import { EventEmitter } from 'node:events';
import { ApiException, CoreV1Api, CustomObjectsApi, ListWatch, Watch } from '@kubernetes/client-node';
import type { KubeConfig, KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';
import { GATEWAY_GROUP } from '../gamma/types.ts';
import { cleanObject } from './objects.ts';

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
}

export interface ResilientInformerOptions {
  labelSelector?: string;
  /** Minimum time between two watch requests (default 1000 ms). */
  minWatchIntervalMs?: number;
  /** Restart delay after an error: initial * 2^n capped at max, times a jitter in [0.5, 1). */
  backoff?: BackoffOptions;
  /** Stamped on list items that lack them (core lists omit kind/apiVersion on items). */
  apiVersion?: string;
  kind?: string;
  random?: () => number;
}

export type ListFn<T extends KubernetesObject> = () => Promise<KubernetesListObject<T>>;

export interface InformerHandlers<T> {
  add?(obj: T): void;
  update?(obj: T, old: T | undefined): void;
  delete?(obj: T): void;
  error?(err: unknown): void;
  connect?(): void;
}

const keyOf = (o: KubernetesObject) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Delays each watch request so consecutive ones are at least `minIntervalMs` apart. */
class PacedWatch extends Watch {
  private lastStart = 0;
  constructor(
    kc: KubeConfig,
    private readonly minIntervalMs: number,
    private readonly isStopped: () => boolean,
    private readonly onWatchStart: () => void,
    private readonly onHealthy: () => void,
  ) {
    super(kc);
  }

  override async watch(
    path: string,
    query: Record<string, string | number | boolean | undefined>,
    callback: (phase: string, apiObj: unknown, watchObj?: unknown) => void,
    done: (err: unknown) => void,
  ): Promise<AbortController> {
    const wait = this.lastStart + this.minIntervalMs - Date.now();
    if (wait > 0) await delay(wait);
    if (this.isStopped()) return new AbortController();
    this.lastStart = Date.now();
    this.onWatchStart();
    // Healthy = the server streamed something or ended the stream cleanly; only then reset backoff.
    const healthyCallback: typeof callback = (phase, obj, w) => {
      this.onHealthy();
      callback(phase, obj, w);
    };
    const healthyDone = (err: unknown) => {
      if (!err) this.onHealthy();
      done(err);
    };
    return super.watch(path, query, healthyCallback, healthyDone);
  }
}

export class ResilientInformer<T extends KubernetesObject = KubernetesObject> extends EventEmitter {
  /** True once the first list has been loaded into the cache. */
  synced = false;
  private readonly lw: ListWatch<T>;
  private readonly cache = new Map<string, T>();
  private stopped = true;
  private failures = 0;
  private restartTimer?: NodeJS.Timeout;
  private syncWaiters: (() => void)[] = [];
  private readonly backoff: BackoffOptions;
  private readonly random: () => number;

  constructor(kc: KubeConfig, path: string, listFn: ListFn<T>, opts: ResilientInformerOptions = {}) {
    super();
    this.backoff = opts.backoff ?? { initialMs: 500, maxMs: 30_000 };
    this.random = opts.random ?? Math.random;
    const watch = new PacedWatch(
      kc,
      opts.minWatchIntervalMs ?? 1000,
      () => this.stopped,
      () => this.markSynced(),
      () => (this.failures = 0),
    );
    const cleanList: ListFn<T> = async () => {
      const list = await listFn();
      const stamp = {
        ...(opts.apiVersion ? { apiVersion: opts.apiVersion } : {}),
        ...(opts.kind ? { kind: opts.kind } : {}),
      };
      return { ...list, items: list.items.map((i) => cleanObject<T>({ ...stamp, ...i })) };
    };
    this.lw = new ListWatch<T>(path, watch, cleanList, false, opts.labelSelector);
    this.lw.on('add', (o) => this.onUpsert(o));
    this.lw.on('update', (o) => this.onUpsert(o));
    this.lw.on('delete', (o) => this.onDelete(o));
    this.lw.on('error', (e) => this.onError(e));
    this.lw.on('connect', () => this.emit('connect'));
    // An 'error' event without a listener would throw; errors are reported, never fatal.
    this.on('error', () => {});
  }

  /** Starts listing and watching; resolves once the first list is cached (see waitForSync). */
  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    void this.lw.start();
    await this.waitForSync();
  }

  waitForSync(): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    void this.lw.stop();
  }

  list(namespace?: string): T[] {
    return [...this.cache.values()].filter(
      (o) => namespace === undefined || o.metadata?.namespace === namespace,
    );
  }

  get(name: string, namespace?: string): T | undefined {
    return this.cache.get(`${namespace ?? ''}/${name}`);
  }

  latestResourceVersion(): string {
    return this.lw.latestResourceVersion();
  }

  private markSynced(): void {
    if (this.synced) return;
    this.synced = true;
    for (const w of this.syncWaiters.splice(0)) w();
  }

  private onUpsert(raw: T): void {
    const obj = cleanObject<T>(raw);
    const old = this.cache.get(keyOf(obj));
    this.cache.set(keyOf(obj), obj);
    if (old) this.emit('update', obj, old);
    else this.emit('add', obj);
  }

  private onDelete(raw: T): void {
    const obj = cleanObject<T>(raw);
    this.cache.delete(keyOf(obj));
    this.emit('delete', obj);
  }

  private onError(err: unknown): void {
    this.emit('error', err);
    if (this.stopped) return;
    const base = Math.min(this.backoff.maxMs, this.backoff.initialMs * 2 ** this.failures);
    this.failures += 1;
    const wait = Math.round(base * (0.5 + this.random() / 2));
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => {
      if (!this.stopped) void this.lw.start();
    }, wait);
  }
}

/** Starts a ResilientInformer with handlers attached; resolves once synced. */
export async function watchResource<T extends KubernetesObject>(
  kc: KubeConfig,
  path: string,
  listFn: ListFn<T>,
  handlers: InformerHandlers<T>,
  opts: ResilientInformerOptions = {},
): Promise<ResilientInformer<T>> {
  const inf = new ResilientInformer<T>(kc, path, listFn, opts);
  for (const ev of ['add', 'update', 'delete', 'error', 'connect'] as const) {
    const h = handlers[ev] as ((...a: unknown[]) => void) | undefined;
    if (h) inf.on(ev, h);
  }
  await inf.start();
  return inf;
}

export type WatchedKind =
  | 'services'
  | 'httproutes'
  | 'grpcroutes'
  | 'tcproutes'
  | 'tlsroutes'
  | 'udproutes'
  | 'namespaces'
  | 'referencegrants';

const CUSTOM_KINDS: Record<string, string> = {
  httproutes: 'HTTPRoute',
  grpcroutes: 'GRPCRoute',
  tcproutes: 'TCPRoute',
  tlsroutes: 'TLSRoute',
  udproutes: 'UDPRoute',
  referencegrants: 'ReferenceGrant',
};

/** A list (ApiException) or watch (statusCode) refused with 404: the resource, or its CRD, is absent. */
export function isNotFound(err: unknown): boolean {
  if (err instanceof ApiException) return err.code === 404;
  return typeof err === 'object' && err !== null && (err as { statusCode?: unknown }).statusCode === 404;
}

/**
 * An informer for one of the kinds gamma-csm reads, cluster-wide or in one namespace. Not started.
 * `version` is for the optional route kinds, served at the version the cluster has
 * (TCPRoute, TLSRoute, UDPRoute: shared/cluster/route-versions.ts).
 */
export function makeInformer<T extends KubernetesObject = KubernetesObject>(
  kc: KubeConfig,
  kind: WatchedKind,
  opts: ResilientInformerOptions & { namespace?: string; version?: string } = {},
): ResilientInformer<T> {
  const { namespace, version: wantedVersion, ...rest } = opts;
  const labelSelector = opts.labelSelector;
  const nsPath = namespace ? `/namespaces/${namespace}` : '';
  if (kind === 'services' || kind === 'namespaces') {
    const core = kc.makeApiClient(CoreV1Api);
    const listFn = (kind === 'namespaces'
      ? () => core.listNamespace({ labelSelector })
      : namespace
        ? () => core.listNamespacedService({ namespace, labelSelector })
        : () => core.listServiceForAllNamespaces({ labelSelector })) as unknown as ListFn<T>;
    const path = kind === 'namespaces' ? '/api/v1/namespaces' : `/api/v1${nsPath}/services`;
    return new ResilientInformer<T>(kc, path, listFn, {
      apiVersion: 'v1',
      kind: kind === 'namespaces' ? 'Namespace' : 'Service',
      ...rest,
    });
  }
  const custom = kc.makeApiClient(CustomObjectsApi);
  // ReferenceGrant is served as v1beta1 by every Gateway API release; without its CRD (404) the list
  // is empty and the watch keeps retrying with backoff, so installing the CRD later is noticed.
  const grants = kind === 'referencegrants';
  const version = wantedVersion ?? (grants ? 'v1beta1' : 'v1');
  const base = { group: GATEWAY_GROUP, version, plural: kind, labelSelector };
  const list = (namespace
    ? () => custom.listNamespacedCustomObject({ ...base, namespace })
    : () => custom.listClusterCustomObject(base)) as unknown as ListFn<T>;
  const listFn: ListFn<T> = grants
    ? () =>
        list().catch((e: unknown) => {
          if (isNotFound(e)) return { apiVersion: 'v1', kind: 'List', metadata: {}, items: [] };
          throw e;
        })
    : list;
  return new ResilientInformer<T>(kc, `/apis/${GATEWAY_GROUP}/${version}${nsPath}/${kind}`, listFn, {
    apiVersion: `${GATEWAY_GROUP}/${version}`,
    kind: CUSTOM_KINDS[kind],
    ...rest,
  });
}
