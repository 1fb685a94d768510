// The watcher process (docs/architecture.md §2.1): informers on HTTPRoute, GRPCRoute and Service (and
// ReferenceGrant with GAMMA_CROSS_NAMESPACE_BACKENDS=referencegrant) -> affected
// parents -> per-parent coalescing -> one route event per parent on the route-events topic.
import { PubSub } from '@google-cloud/pubsub';
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import type { WatcherConfig } from '../../shared/config/index.ts';
import type { GRPCRoute, HTTPRoute, Route, Service } from '../../shared/gamma/types.ts';
import type { BackoffOptions, ResilientInformer, WatchedKind } from '../../shared/cluster/index.ts';
import { isNotFound, makeInformer, makeKubeConfig } from '../../shared/cluster/index.ts';
import type { RouteEvent } from '../../shared/events/index.ts';
import { ROUTE_EVENT_SCHEMA, isDecimalSequence, parentKey, sequenceOf } from '../../shared/events/index.ts';
import type { Change, WatchedObject } from './affected.ts';
import { affectedParents, mergePorts } from './affected.ts';
import type { Timers } from './coalescer.ts';
import { Coalescer, realTimers } from './coalescer.ts';
import { startHealthServer } from './health.ts';
import type { HealthServer, Probe } from './health.ts';
import { InformerHealth } from './informer-health.ts';
import type { Logger } from './log.ts';
import { makeLogger } from './log.ts';
import { buildParentSnapshot, snapshotObjects } from '../../shared/cluster/parent-snapshot.ts';
import type { PublisherStats, PublishTarget } from './publisher.ts';
import { RoutePublisher } from './publisher.ts';
import { ParentMemory } from './parent-memory.ts';
import { parentRefsOf, refKey } from '../../shared/gamma/refs.ts';
import type { ServiceRef } from '../../shared/gamma/refs.ts';

/** Settings beyond WatcherConfig, with their defaults. */
export interface WatcherOptions {
  /**
   * Publish one snapshot for every parent named by a route once the informers have synced
   * (default true): changes made while no watcher ran reach Pub/Sub in seconds instead of waiting
   * for the scheduled reconcile. Duplicates are harmless (same sequence, full snapshots).
   */
  resyncOnStart?: boolean;
  /** Bounded wait for pending publishes on close (default 10 000 ms). */
  shutdownTimeoutMs?: number;
  /** Total time the client library may spend on one publish, its own retries included (default 30 000 ms). */
  publishTimeoutMs?: number;
  /** Our retry of a failed publish (default 250 ms doubling to 30 s). */
  publishBackoff?: BackoffOptions;
  /** Informer pacing and restart backoff (defaults: shared/cluster's). */
  minWatchIntervalMs?: number;
  informerBackoff?: BackoffOptions;
  /** /healthz fails once an informer has failed without recovery for this long (default 300 000 ms). */
  unhealthyAfterMs?: number;
  /** Interface of the health server (default 0.0.0.0, reachable by the kubelet). */
  healthHost?: string;
  /**
   * Per-parent memory (known parents, origin counts) is dropped once no route has named the parent
   * for this long (default 600 000 ms); checked every `parentSweepIntervalMs` (default 60 000 ms).
   */
  forgetParentsAfterMs?: number;
  parentSweepIntervalMs?: number;
}

export interface WatcherDeps {
  kubeConfig?: KubeConfig;
  /** A Pub/Sub client; by default one is made for config.project (PUBSUB_EMULATOR_HOST honoured). */
  pubsub?: PubSub;
  logger?: Logger;
  timers?: Timers;
  random?: () => number;
}

export type WatcherSettings = Pick<
  WatcherConfig,
  | 'project'
  | 'clusterId'
  | 'routeEventsTopic'
  | 'debounceMs'
  | 'maxWaitMs'
  | 'healthPort'
  | 'logFormat'
  | 'cluster'
> &
  Partial<Pick<WatcherConfig, 'crossNamespaceBackends'>> &
  WatcherOptions;

export interface WatcherStats extends PublisherStats {
  synced: boolean;
  /** Informer events received after sync. */
  changes: number;
  /** Changes that affected no parent (unrelated Services, status-only route updates). */
  ignored: number;
  /** Coalesced windows fired (one per parent per burst). */
  flushes: number;
  /** Parents inside a debounce window. */
  coalescing: number;
  /** Parents remembered across windows (bounded: see forgetParentsAfterMs). */
  rememberedParents: number;
  /** Parents whose last origin count the publisher remembers. */
  rememberedCounts: number;
}

export interface Watcher {
  ready: Promise<void>;
  /** The port the health server listens on (useful with healthPort 0). */
  healthPort: number;
  stats(): WatcherStats;
  /** Stops watching, publishes what is pending (bounded wait); true when everything was published. */
  close(): Promise<boolean>;
}

interface Pending {
  reasons: string[];
  previousPorts?: number[];
}

const MAX_REASONS = 20;

function mergePending(a: Pending, b: Pending): Pending {
  const reasons = [...new Set([...a.reasons, ...b.reasons])].slice(0, MAX_REASONS);
  const previousPorts = mergePorts(a.previousPorts, b.previousPorts);
  return previousPorts ? { reasons, previousPorts } : { reasons };
}

function kubeConfigFor(settings: WatcherSettings): KubeConfig {
  return settings.cluster.kind === 'kubeconfig'
    ? makeKubeConfig({ kubeconfigPath: settings.cluster.path })
    : makeKubeConfig({ inCluster: true });
}

/** Keeps the highest resourceVersion seen, so sequences never go back (e.g. while a relist resets the informer's). */
class ClusterVersion {
  private max = 0n;
  see(rv: string | undefined): void {
    if (isDecimalSequence(rv) && BigInt(rv) > this.max) this.max = BigInt(rv);
  }
  current(): string {
    return this.max.toString();
  }
}

/**
 * Every `intervalMs`, forgets parents no route names any more (ParentMemory) and their origin
 * counts in the publisher, except while a window or an event for them is still open.
 */
function startParentSweep(deps: {
  memory: ParentMemory;
  routes: () => Route[];
  coalescer: Coalescer<Pending>;
  publisher: RoutePublisher;
  clusterId: string;
  intervalMs: number;
  timers: Timers;
  log: Logger;
}): { stop(): void } {
  const { memory, coalescer, publisher, timers } = deps;
  const publisherKey = (key: string) => {
    const [namespace, name] = key.split('/');
    return parentKey(deps.clusterId, namespace, name);
  };
  const sweep = () => {
    const current = new Set<string>();
    for (const r of deps.routes()) for (const p of parentRefsOf(r)) current.add(refKey(p));
    const pending = new Set(coalescer.pendingKeys());
    const forgotten = memory.sweep(current, (key) => pending.has(key) || publisher.busy(publisherKey(key)));
    for (const key of forgotten) publisher.forget(publisherKey(key));
    if (forgotten.length > 0)
      deps.log.debug('forgot parents no route names any more', { parents: forgotten.length });
  };
  let stopped = false;
  let handle: unknown;
  const schedule = () => {
    handle = timers.setTimeout(() => {
      if (stopped) return;
      sweep();
      schedule();
    }, deps.intervalMs);
  };
  schedule();
  return {
    stop: () => {
      stopped = true;
      timers.clearTimeout(handle);
    },
  };
}

/** The informers the watcher runs: Services and both route kinds, and ReferenceGrants when needed. */
function makeInformers(kc: KubeConfig, settings: WatcherSettings, deps: WatcherDeps) {
  const informerOpts = {
    ...(settings.minWatchIntervalMs !== undefined ? { minWatchIntervalMs: settings.minWatchIntervalMs } : {}),
    ...(settings.informerBackoff ? { backoff: settings.informerBackoff } : {}),
    ...(deps.random ? { random: deps.random } : {}),
  };
  const services = makeInformer<Service & KubernetesObject>(kc, 'services', informerOpts);
  const httpRoutes = makeInformer<HTTPRoute & KubernetesObject>(kc, 'httproutes', informerOpts);
  const grpcRoutes = makeInformer<GRPCRoute & KubernetesObject>(kc, 'grpcroutes', informerOpts);
  const informers = new Map<WatchedKind, ResilientInformer>([
    ['services', services as unknown as ResilientInformer],
    ['httproutes', httpRoutes as unknown as ResilientInformer],
    ['grpcroutes', grpcRoutes as unknown as ResilientInformer],
  ]);
  // Grants matter only when cross-namespace backendRefs need them (docs/security.md §2): a grant
  // change then republishes the parents whose routes reach into its namespace. The sync function
  // reads the grants itself, from the cluster (events are hints).
  if (settings.crossNamespaceBackends === 'referencegrant')
    informers.set('referencegrants', makeInformer(kc, 'referencegrants', informerOpts));
  return { services, httpRoutes, grpcRoutes, informers };
}

/** Feeds an informer's events to `onChange` and its connection state to a health record. */
function attachInformer(
  kind: WatchedKind,
  inf: ResilientInformer,
  ctx: { onChange(change: Change): void; timers: Timers; log: Logger; stopping(): boolean },
): InformerHealth {
  const { timers, log } = ctx;
  const h = new InformerHealth();
  const changed = (change: Change) => {
    h.onObject();
    ctx.onChange(change);
  };
  inf.on('add', (o: WatchedObject) => changed({ type: 'add', new: o }));
  inf.on('update', (o: WatchedObject, old: WatchedObject | undefined) =>
    changed(old ? { type: 'update', old, new: o } : { type: 'add', new: o }),
  );
  inf.on('delete', (o: WatchedObject) => changed({ type: 'delete', old: o }));
  inf.on('connect', () => h.onConnect(timers.now()));
  inf.on('error', (err: unknown) => {
    // No ReferenceGrant CRD: no grants, not a failure (retried with backoff to notice the CRD).
    if (kind === 'referencegrants' && isNotFound(err))
      return log.debug('no ReferenceGrant CRD in the cluster: no grants');
    h.onError(timers.now());
    // Closing aborts the watch requests: expected, not worth a warning.
    if (ctx.stopping())
      return log.debug(`${kind} informer stopped: ${(err as Error)?.message ?? String(err)}`);
    log.warn(`${kind} informer error, restarting with backoff: ${(err as Error)?.message ?? String(err)}`, {
      informer: kind,
    });
  });
  return h;
}

/** Liveness: no informer failing for too long. Readiness: synced and every parent published. */
function healthProbes(ctx: {
  health: Map<WatchedKind, InformerHealth>;
  publisher: RoutePublisher;
  timers: Timers;
  unhealthyAfterMs: number;
  synced(): boolean;
  closing(): boolean;
}) {
  return {
    healthz(): Probe {
      const now = ctx.timers.now();
      const failing = [...ctx.health]
        .filter(([, h]) => h.failingForMs(now) > ctx.unhealthyAfterMs)
        .map(([k]) => k);
      return { ok: failing.length === 0 && !ctx.closing(), detail: { failingInformers: failing } };
    },
    readyz(): Probe {
      const s = ctx.publisher.stats();
      const synced = ctx.synced();
      return {
        ok: synced && s.failing === 0 && !ctx.closing(),
        detail: { synced, failingParents: s.failing, pending: s.pending },
      };
    },
  };
}

export async function startWatcher(settings: WatcherSettings, deps: WatcherDeps = {}): Promise<Watcher> {
  const log = deps.logger ?? makeLogger(settings.logFormat);
  const timers = deps.timers ?? realTimers;
  const kc = deps.kubeConfig ?? kubeConfigFor(settings);
  const ownPubsub = deps.pubsub === undefined;
  const pubsub = deps.pubsub ?? new PubSub({ projectId: settings.project });
  const topic = pubsub.topic(settings.routeEventsTopic, {
    messageOrdering: true,
    gaxOpts: { timeout: settings.publishTimeoutMs ?? 30_000 },
  });
  const publisher = new RoutePublisher(topic as PublishTarget, log, {
    backoff: settings.publishBackoff,
    random: deps.random,
    timers,
  });
  const version = new ClusterVersion();
  const counters = { changes: 0, ignored: 0, flushes: 0 };
  let synced = false;
  let closing: Promise<boolean> | undefined;
  let stopping = false; // set before the informers stop: their aborts are reported synchronously

  const { services, httpRoutes, grpcRoutes, informers } = makeInformers(kc, settings, deps);
  const health = new Map<WatchedKind, InformerHealth>();

  const cache = () => ({
    services: services.list() as Service[],
    httpRoutes: httpRoutes.list() as HTTPRoute[],
    grpcRoutes: grpcRoutes.list() as GRPCRoute[],
  });

  function emit(key: string, pending: Pending): void {
    counters.flushes += 1;
    const [namespace, name] = key.split('/');
    const parent: ServiceRef = { namespace, name };
    for (const inf of informers.values()) version.see(inf.latestResourceVersion());
    const snapshot = buildParentSnapshot(cache(), parent);
    const objects = snapshotObjects(snapshot);
    const event: RouteEvent = {
      schema: ROUTE_EVENT_SCHEMA,
      cluster: settings.clusterId,
      parent,
      sequence: sequenceOf(objects, version.current()),
      emittedAt: new Date(timers.now()).toISOString(),
      reason: pending.reasons,
      snapshot,
      ...(pending.previousPorts ? { previousPorts: pending.previousPorts } : {}),
    };
    publisher.submit(event);
  }

  const coalescer = new Coalescer<Pending>({
    debounceMs: settings.debounceMs,
    maxWaitMs: settings.maxWaitMs,
    merge: mergePending,
    fire: emit,
    timers,
  });

  /**
   * Services that have been route parents: deleting one (or changing its ports) must reach sync with
   * its old ports even when its routes went first, in the same coalescing window. Forgotten once no
   * route has named a parent for forgetParentsAfterMs, so the memory stays bounded.
   */
  const knownParents = new ParentMemory({
    now: () => timers.now(),
    forgetAfterMs: settings.forgetParentsAfterMs ?? 600_000,
  });
  let sweeper: { stop(): void } | undefined;
  function onChange(change: Change): void {
    const obj = (change.new ?? change.old) as WatchedObject;
    version.see(obj.metadata.resourceVersion);
    if (!synced || closing) return; // before sync: the start-up resync (or the reconcile) covers it
    counters.changes += 1;
    const { services: svcs, httpRoutes: http, grpcRoutes: grpc } = cache();
    const affected = affectedParents(change, { services: svcs, routes: [...http, ...grpc], knownParents });
    if (affected.length === 0) counters.ignored += 1;
    for (const a of affected) {
      knownParents.see(refKey(a.parent));
      log.debug('parent affected', {
        parent: parentKey(settings.clusterId, a.parent.namespace, a.parent.name),
        reasons: a.reasons,
      });
      coalescer.touch(refKey(a.parent), {
        reasons: a.reasons,
        ...(a.previousPorts ? { previousPorts: a.previousPorts } : {}),
      });
    }
  }

  for (const [kind, inf] of informers)
    health.set(kind, attachInformer(kind, inf, { onChange, timers, log, stopping: () => stopping }));

  const probes = healthProbes({
    health,
    publisher,
    timers,
    unhealthyAfterMs: settings.unhealthyAfterMs ?? 300_000,
    synced: () => synced,
    closing: () => closing !== undefined,
  });
  const healthServer: HealthServer = await startHealthServer(
    settings.healthPort,
    settings.healthHost ?? '0.0.0.0',
    probes,
  );

  const ready = (async () => {
    await Promise.all([...informers.values()].map((i) => i.start()));
    synced = true;
    const parents = new Map<string, ServiceRef>();
    const routes: Route[] = [...(httpRoutes.list() as HTTPRoute[]), ...(grpcRoutes.list() as GRPCRoute[])];
    for (const r of routes) for (const p of parentRefsOf(r)) parents.set(refKey(p), p);
    for (const key of parents.keys()) knownParents.see(key);
    if (!stopping)
      sweeper ??= startParentSweep({
        memory: knownParents,
        routes: () => [...(httpRoutes.list() as HTTPRoute[]), ...(grpcRoutes.list() as GRPCRoute[])],
        coalescer,
        publisher,
        clusterId: settings.clusterId,
        intervalMs: settings.parentSweepIntervalMs ?? 60_000,
        timers,
        log,
      });
    log.info('informers synced', {
      services: services.list().length,
      routes: routes.length,
      parents: parents.size,
      resyncOnStart: settings.resyncOnStart ?? true,
    });
    if (settings.resyncOnStart ?? true)
      for (const key of parents.keys()) coalescer.touch(key, { reasons: ['resync'] });
  })();
  ready.catch(() => {});

  async function shutdown(): Promise<boolean> {
    stopping = true;
    sweeper?.stop();
    for (const inf of informers.values()) inf.stop();
    coalescer.flushAll();
    const flushed = await publisher.drain(settings.shutdownTimeoutMs ?? 10_000);
    const left = publisher.stats().pending;
    publisher.close();
    if (flushed) log.info('watcher stopped, all route events published');
    else log.error(`watcher stopped with ${left} parent(s) unpublished; the scheduled reconcile covers them`);
    if (ownPubsub) await pubsub.close().catch(() => {});
    await healthServer.close();
    return flushed;
  }

  return {
    ready,
    healthPort: healthServer.port,
    stats: () => ({
      ...publisher.stats(),
      ...counters,
      synced,
      coalescing: coalescer.pendingKeys().length,
      rememberedParents: knownParents.size,
      rememberedCounts: publisher.rememberedParents(),
    }),
    close: () => (closing ??= shutdown()),
  };
}
