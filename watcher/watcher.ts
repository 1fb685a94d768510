// The watcher process (docs/architecture.md §2.1): informers on Service, HTTPRoute, GRPCRoute,
// TCPRoute, TLSRoute and UDPRoute (the last three when the cluster has their CRDs), and
// ReferenceGrant with GAMMA_CROSS_NAMESPACE_BACKENDS=referencegrant -> affected parents ->
// per-parent coalescing -> one route event per parent on the route-events topic.
import { PubSub } from '@google-cloud/pubsub';
import type { KubeConfig } from '@kubernetes/client-node';
import type { WatcherConfig } from '../shared/config/index.ts';
import type { BackoffOptions, ResilientInformer, WatchedKind } from '../shared/cluster/index.ts';
import { OPTIONAL_ROUTE_KINDS, makeKubeConfig } from '../shared/cluster/index.ts';
import { buildParentSnapshot, snapshotObjects } from '../shared/cluster/parent-snapshot.ts';
import type { RouteEvent } from '../shared/events/index.ts';
import { ROUTE_EVENT_SCHEMA, parentKey, sequenceOf } from '../shared/events/index.ts';
import { parentRefsOf, refKey } from '../shared/gamma/refs.ts';
import type { ServiceRef } from '../shared/gamma/refs.ts';
import type { Service } from '../shared/gamma/types.ts';
import type { Change, WatchedObject } from './affected.ts';
import { affectedParents } from './affected.ts';
import type { Timers } from './coalescer.ts';
import { Coalescer, realTimers } from './coalescer.ts';
import { healthProbes, startHealthServer } from './health.ts';
import { InformerHealth } from './informer-health.ts';
import type { WatchedInformers } from './informers.ts';
import { attachInformer, lookForAbsentKinds, makeInformers, optionalRouteInformers } from './informers.ts';
import type { Logger } from './log.ts';
import { makeLogger } from './log.ts';
import { ParentMemory } from './parent-memory.ts';
import { startParentSweep } from './parent-sweep.ts';
import type { Pending } from './pending.ts';
import { ClusterVersion, mergePending } from './pending.ts';
import type { PublisherStats, PublishTarget } from './publisher.ts';
import { RoutePublisher } from './publisher.ts';

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
  /** How often the CRDs of absent optional route kinds (TCPRoute, TLSRoute, UDPRoute) are looked for (default 60 s). */
  crdRecheckIntervalMs?: number;
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

/** What the watcher's parts share while it runs. */
interface WatcherState {
  synced: boolean;
  /** Set before the informers stop: their aborts are reported synchronously. */
  stopping: boolean;
  closing?: Promise<boolean>;
  sweeper?: { stop(): void };
  /** Looks for the CRDs of absent optional route kinds. */
  crdWatch?: { stop(): void };
  counters: { changes: number; ignored: number; flushes: number };
}

/** The running parts of one watcher, named so that each step below reads as what it does. */
interface Parts {
  settings: WatcherSettings;
  kc: KubeConfig;
  random?: () => number;
  log: Logger;
  timers: Timers;
  informers: WatchedInformers;
  health: Map<string, InformerHealth>;
  publisher: RoutePublisher;
  coalescer: Coalescer<Pending>;
  /**
   * Services that have been route parents: deleting one (or changing its ports) must reach sync with
   * its old ports even when its routes went first, in the same coalescing window. Forgotten once no
   * route has named a parent for forgetParentsAfterMs, so the memory stays bounded.
   */
  knownParents: ParentMemory;
  version: ClusterVersion;
  state: WatcherState;
}

function kubeConfigFor(settings: WatcherSettings): KubeConfig {
  return settings.cluster.kind === 'kubeconfig'
    ? makeKubeConfig({ kubeconfigPath: settings.cluster.path })
    : makeKubeConfig({ inCluster: true });
}

/** The publisher on the route-events topic, and how to close the Pub/Sub client when it is ours. */
function makePublisher(settings: WatcherSettings, deps: WatcherDeps, log: Logger, timers: Timers) {
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
  const closePubsub = async () => {
    if (deps.pubsub === undefined) await pubsub.close().catch(() => {});
  };
  return { publisher, closePubsub };
}

/** A coalescing window closed: one event with the parent's snapshot as the caches hold it now. */
function emit(parts: Parts, key: string, pending: Pending): void {
  const { settings, informers, version } = parts;
  parts.state.counters.flushes += 1;
  const [namespace, name] = key.split('/');
  const parent: ServiceRef = { namespace, name };
  for (const inf of informers.byKind.values()) version.see(inf.latestResourceVersion());
  const snapshot = buildParentSnapshot(informers.cache(), parent);
  const event: RouteEvent = {
    schema: ROUTE_EVENT_SCHEMA,
    cluster: settings.clusterId,
    parent,
    sequence: sequenceOf(snapshotObjects(snapshot), version.current()),
    emittedAt: new Date(parts.timers.now()).toISOString(),
    reason: pending.reasons,
    snapshot,
    ...(pending.previousPorts ? { previousPorts: pending.previousPorts } : {}),
  };
  parts.publisher.submit(event);
}

/** An informer event after sync: the parents it affects enter (or extend) their coalescing window. */
function onChange(parts: Parts, change: Change): void {
  const { state, informers, knownParents, log, settings } = parts;
  const obj = (change.new ?? change.old) as WatchedObject;
  parts.version.see(obj.metadata.resourceVersion);
  if (!state.synced || state.closing) return; // before sync: the start-up resync (or the reconcile) covers it
  state.counters.changes += 1;
  const view = {
    services: informers.list<Service>('services'),
    routes: informers.routes(),
    udpRoutes: informers.udpRoutes(),
    knownParents,
  };
  const affected = affectedParents(change, view);
  if (affected.length === 0) state.counters.ignored += 1;
  for (const a of affected) {
    knownParents.see(refKey(a.parent));
    log.debug('parent affected', {
      parent: parentKey(settings.clusterId, a.parent.namespace, a.parent.name),
      reasons: a.reasons,
    });
    parts.coalescer.touch(refKey(a.parent), {
      reasons: a.reasons,
      ...(a.previousPorts ? { previousPorts: a.previousPorts } : {}),
    });
  }
}

/** Feeds an informer's events to onChange and its connection state to the health probes. */
function attach(parts: Parts, kind: WatchedKind, inf: ResilientInformer): void {
  const { timers, log, state } = parts;
  const ctx = { onChange: (c: Change) => onChange(parts, c), timers, log, stopping: () => state.stopping };
  parts.health.set(kind, attachInformer(kind, inf, ctx));
}

/**
 * Asks the cluster which optional route kinds it serves and attaches an informer for each; a
 * failed attempt counts against /healthz until the kind is known.
 */
async function discoverOptionalKinds(parts: Parts): Promise<void> {
  const { informers, state } = parts;
  const optional = await optionalRouteInformers(parts.kc, informers, informerSettings(parts), {
    timers: parts.timers,
    log: parts.log,
    stopped: () => state.stopping,
    failed: (kind: WatchedKind) => {
      const h = parts.health.get(kind) ?? new InformerHealth();
      h.onError(parts.timers.now());
      parts.health.set(kind, h);
    },
  });
  for (const [kind, inf] of optional) attach(parts, kind, inf);
  // A kind found absent after failed attempts is not failing any more: it is not watched.
  for (const kind of OPTIONAL_ROUTE_KINDS) if (!informers.byKind.has(kind)) parts.health.delete(kind);
}

const informerSettings = (parts: Parts) => ({ ...parts.settings, random: parts.random });

/**
 * Once synced: the parent sweep, and the look for CRDs installed later (a kind found then is
 * attached and started; its routes reach their parents as additions).
 */
function startBackgroundTasks(parts: Parts): void {
  const { state, settings, timers, log } = parts;
  if (state.stopping) return;
  state.sweeper ??= startParentSweep({
    memory: parts.knownParents,
    routes: () => parts.informers.statusRoutes(),
    coalescer: parts.coalescer,
    publisher: parts.publisher,
    clusterId: settings.clusterId,
    intervalMs: settings.parentSweepIntervalMs ?? 60_000,
    timers,
    log,
  });
  state.crdWatch ??= lookForAbsentKinds(parts.kc, parts.informers, informerSettings(parts), {
    timers,
    log,
    stopped: () => state.stopping,
    intervalMs: settings.crdRecheckIntervalMs ?? 60_000,
    found: (kind, inf) => {
      attach(parts, kind, inf);
      void inf.start();
    },
  });
}

/**
 * Starts the informers (the optional route kinds once the cluster said which it serves); once all
 * have synced, remembers every parent routes name, starts the background tasks and (resyncOnStart)
 * opens a window for each parent.
 */
async function syncInformers(parts: Parts): Promise<void> {
  const { informers, knownParents, settings, state } = parts;
  await discoverOptionalKinds(parts);
  if (state.stopping) return;
  await Promise.all([...informers.byKind.values()].map((i) => i.start()));
  state.synced = true;
  const parents = new Map<string, ServiceRef>();
  const routes = informers.statusRoutes();
  for (const r of routes) for (const p of parentRefsOf(r)) parents.set(refKey(p), p);
  for (const key of parents.keys()) knownParents.see(key);
  startBackgroundTasks(parts);
  parts.log.info('informers synced', {
    services: informers.list('services').length,
    routes: routes.length,
    parents: parents.size,
    resyncOnStart: settings.resyncOnStart ?? true,
  });
  if (settings.resyncOnStart ?? true)
    for (const key of parents.keys()) parts.coalescer.touch(key, { reasons: ['resync'] });
}

/** Stops watching, publishes what is pending (bounded wait); true when everything was published. */
async function stopWatching(parts: Parts, closePubsub: () => Promise<void>): Promise<boolean> {
  const { state, publisher, log } = parts;
  state.stopping = true;
  state.sweeper?.stop();
  state.crdWatch?.stop();
  for (const inf of parts.informers.byKind.values()) inf.stop();
  parts.coalescer.flushAll();
  const flushed = await publisher.drain(parts.settings.shutdownTimeoutMs ?? 10_000);
  const left = publisher.stats().pending;
  publisher.close();
  if (flushed) log.info('watcher stopped, all route events published');
  else log.error(`watcher stopped with ${left} parent(s) unpublished; the scheduled reconcile covers them`);
  await closePubsub();
  return flushed;
}

export async function startWatcher(settings: WatcherSettings, deps: WatcherDeps = {}): Promise<Watcher> {
  const log = deps.logger ?? makeLogger(settings.logFormat);
  const timers = deps.timers ?? realTimers;
  const kc = deps.kubeConfig ?? kubeConfigFor(settings);
  const { publisher, closePubsub } = makePublisher(settings, deps, log, timers);
  const state: WatcherState = {
    synced: false,
    stopping: false,
    counters: { changes: 0, ignored: 0, flushes: 0 },
  };
  const parts: Parts = {
    settings,
    kc,
    random: deps.random,
    log,
    timers,
    informers: makeInformers(kc, { ...settings, random: deps.random }),
    health: new Map<string, InformerHealth>(),
    publisher,
    coalescer: new Coalescer<Pending>({
      debounceMs: settings.debounceMs,
      maxWaitMs: settings.maxWaitMs,
      merge: mergePending,
      fire: (key, pending) => emit(parts, key, pending),
      timers,
    }),
    knownParents: new ParentMemory({
      now: () => timers.now(),
      forgetAfterMs: settings.forgetParentsAfterMs ?? 600_000,
    }),
    version: new ClusterVersion(),
    state,
  };
  for (const [kind, inf] of parts.informers.byKind) attach(parts, kind, inf);
  const probes = healthProbes({
    health: parts.health,
    absentKinds: () => parts.informers.absentKinds,
    publisher,
    timers,
    unhealthyAfterMs: settings.unhealthyAfterMs ?? 300_000,
    synced: () => state.synced,
    closing: () => state.closing !== undefined,
  });
  const healthServer = await startHealthServer(settings.healthPort, settings.healthHost ?? '0.0.0.0', probes);
  const ready = syncInformers(parts);
  ready.catch(() => {});
  const shutdown = async () => {
    const flushed = await stopWatching(parts, closePubsub);
    await healthServer.close();
    return flushed;
  };
  return {
    ready,
    healthPort: healthServer.port,
    stats: () => ({
      ...publisher.stats(),
      ...state.counters,
      synced: state.synced,
      coalescing: parts.coalescer.pendingKeys().length,
      rememberedParents: parts.knownParents.size,
      rememberedCounts: publisher.rememberedParents(),
    }),
    close: () => (state.closing ??= shutdown()),
  };
}
