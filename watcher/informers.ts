// The informers the watcher runs (Services, the route kinds, ReferenceGrants when needed) and how
// their events and connection state reach it. TCPRoute, TLSRoute and UDPRoute are experimental kinds
// a cluster may lack: their informers exist only when the cluster serves them, at the version it
// serves. UDPRoutes are watched only so that their rejection (translate/udp.ts) reaches their
// parents' events in seconds; they send nowhere gamma-csm follows.
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import type {
  BackoffOptions,
  OptionalRouteKind,
  ResilientInformer,
  WatchedKind,
} from '../shared/cluster/index.ts';
import {
  OPTIONAL_ROUTE_KINDS,
  ROUTE_KIND_OF,
  isNotFound,
  makeInformer,
  servedRouteVersion,
} from '../shared/cluster/index.ts';
import type { ParentSnapshotSource } from '../shared/cluster/parent-snapshot.ts';
import type {
  GRPCRoute,
  HTTPRoute,
  Route,
  Service,
  TCPRoute,
  TLSRoute,
  UDPRoute,
} from '../shared/gamma/types.ts';
import type { Change, WatchedObject } from './affected.ts';
import type { Timers } from './coalescer.ts';
import { InformerHealth } from './informer-health.ts';
import type { Logger } from './log.ts';

export interface InformerSettings {
  minWatchIntervalMs?: number;
  informerBackoff?: BackoffOptions;
  crossNamespaceBackends?: string;
  random?: () => number;
}

/** The watcher's informers by kind, and their caches in the shapes the watcher reads. */
export class WatchedInformers {
  readonly byKind = new Map<WatchedKind, ResilientInformer>();
  /** Optional route kinds the cluster has no CRD for (their Kind names): not watched. */
  readonly absentKinds: string[] = [];

  list<T>(kind: WatchedKind): T[] {
    return (this.byKind.get(kind)?.list() ?? []) as T[];
  }

  /** The caches as a per-parent snapshot is cut from them. */
  cache(): ParentSnapshotSource {
    return {
      services: this.list<Service>('services'),
      httpRoutes: this.list<HTTPRoute>('httproutes'),
      grpcRoutes: this.list<GRPCRoute>('grpcroutes'),
      tcpRoutes: this.list<TCPRoute>('tcproutes'),
      tlsRoutes: this.list<TLSRoute>('tlsroutes'),
      udpRoutes: this.udpRoutes(),
    };
  }

  /** Every cached route of the kinds gamma-csm translates. */
  routes(): Route[] {
    return [
      ...this.list<HTTPRoute>('httproutes'),
      ...this.list<GRPCRoute>('grpcroutes'),
      ...this.list<TCPRoute>('tcproutes'),
      ...this.list<TLSRoute>('tlsroutes'),
    ];
  }

  /** Every cached UDPRoute (none when the cluster has no UDPRoute CRD). */
  udpRoutes(): UDPRoute[] {
    return this.list<UDPRoute>('udproutes');
  }

  /** Every cached route gamma-csm writes status on (so every route naming a parent): routes(), then UDPRoutes. */
  statusRoutes(): (Route | UDPRoute)[] {
    return [...this.routes(), ...this.udpRoutes()];
  }
}

const informerOptions = (s: InformerSettings) => ({
  ...(s.minWatchIntervalMs !== undefined ? { minWatchIntervalMs: s.minWatchIntervalMs } : {}),
  ...(s.informerBackoff ? { backoff: s.informerBackoff } : {}),
  ...(s.random ? { random: s.random } : {}),
});

/**
 * The informers the watcher always runs: Services, HTTPRoutes and GRPCRoutes, and ReferenceGrants
 * when needed. Not started; the optional route kinds come later (optionalRouteInformers).
 */
export function makeInformers(kc: KubeConfig, settings: InformerSettings): WatchedInformers {
  const opts = informerOptions(settings);
  const set = new WatchedInformers();
  const add = (kind: WatchedKind) =>
    set.byKind.set(kind, makeInformer<KubernetesObject>(kc, kind, opts) as unknown as ResilientInformer);
  add('services');
  add('httproutes');
  add('grpcroutes');
  // Grants matter only when cross-namespace backendRefs need them (docs/security.md §2): a grant
  // change then republishes the parents whose routes reach into its namespace. The sync function
  // reads the grants itself, from the cluster (events are hints).
  if (settings.crossNamespaceBackends === 'referencegrant') add('referencegrants');
  return set;
}

export interface DiscoveryContext {
  timers: Timers;
  log: Logger;
  stopped(): boolean;
  /** A failed attempt (counted like an informer's error by the health probes). */
  failed(kind: OptionalRouteKind): void;
}

/** Waits like the informers do between attempts: initial * 2^n capped at max, times a jitter in [0.5, 1). */
function backoffDelay(settings: InformerSettings, attempt: number): number {
  const { initialMs, maxMs } = settings.informerBackoff ?? { initialMs: 500, maxMs: 30_000 };
  const base = Math.min(maxMs, initialMs * 2 ** attempt);
  return Math.round(base * (0.5 + (settings.random ?? Math.random)() / 2));
}

/**
 * The version the cluster serves `kind` at, or undefined when it has no CRD for it. Other failures
 * (API server down, 403) are retried with backoff until an answer comes or the watcher stops, and
 * count against /healthz like a failing informer. A kind is never given up on because the API was
 * away or refused: snapshots without the routes of a kind the cluster has would make sync remove them.
 */
async function discoverVersion(
  kc: KubeConfig,
  kind: OptionalRouteKind,
  settings: InformerSettings,
  ctx: DiscoveryContext,
): Promise<string | undefined> {
  for (let attempt = 0; !ctx.stopped(); attempt++) {
    try {
      return await servedRouteVersion(kc, kind);
    } catch (err) {
      ctx.failed(kind);
      ctx.log.warn(
        `cannot tell whether the cluster serves ${kind} (the watcher needs list on it), retrying: ${(err as Error)?.message ?? err}`,
        {
          informer: kind,
        },
      );
      await new Promise<void>((resolve) => ctx.timers.setTimeout(resolve, backoffDelay(settings, attempt)));
    }
  }
  return undefined;
}

/** A new informer for an optional route kind at the version the cluster serves, in the set. Not started. */
function addOptional(
  kc: KubeConfig,
  set: WatchedInformers,
  settings: InformerSettings,
  kind: OptionalRouteKind,
  version: string,
): ResilientInformer {
  const inf = makeInformer<KubernetesObject>(kc, kind, { ...informerOptions(settings), version });
  set.byKind.set(kind, inf as unknown as ResilientInformer);
  return inf as unknown as ResilientInformer;
}

/**
 * Informers for the optional route kinds the cluster serves, each at the version it serves; the
 * others are recorded in `set.absentKinds` and said once in the log (lookForAbsentKinds notices
 * their CRDs when they are installed later).
 */
export async function optionalRouteInformers(
  kc: KubeConfig,
  set: WatchedInformers,
  settings: InformerSettings,
  ctx: DiscoveryContext,
): Promise<[WatchedKind, ResilientInformer][]> {
  const found = await Promise.all(
    OPTIONAL_ROUTE_KINDS.map(async (kind) => ({
      kind,
      version: await discoverVersion(kc, kind, settings, ctx),
    })),
  );
  const made: [WatchedKind, ResilientInformer][] = [];
  for (const { kind, version } of found) {
    if (ctx.stopped()) break;
    if (version !== undefined) {
      made.push([kind, addOptional(kc, set, settings, kind, version)]);
      continue;
    }
    const kindName = ROUTE_KIND_OF[kind];
    set.absentKinds.push(kindName);
    ctx.log.info(`no ${kindName} CRD in the cluster: ${kindName}s are not watched until it is installed`, {
      informer: kind,
    });
  }
  return made;
}

/**
 * Every `intervalMs`, looks again for the CRDs of the kinds in `set.absentKinds`; a kind the
 * cluster now serves gets its informer, handed to `found` (which attaches and starts it), and leaves
 * the absent list. Failures wait for the next look. Stops once no kind is absent.
 */
export function lookForAbsentKinds(
  kc: KubeConfig,
  set: WatchedInformers,
  settings: InformerSettings,
  ctx: Omit<DiscoveryContext, 'failed'> & {
    intervalMs: number;
    found(kind: WatchedKind, inf: ResilientInformer): void;
  },
): { stop(): void } {
  let stopped = false;
  let handle: unknown;
  const done = () => stopped || ctx.stopped();
  const look = async () => {
    for (const kind of OPTIONAL_ROUTE_KINDS) {
      const kindName = ROUTE_KIND_OF[kind];
      if (!set.absentKinds.includes(kindName)) continue;
      const version = await servedRouteVersion(kc, kind).catch((err: unknown) => {
        ctx.log.debug(`looking for the ${kindName} CRD failed: ${(err as Error)?.message ?? err}`);
        return undefined;
      });
      if (version === undefined || done()) continue;
      set.absentKinds.splice(set.absentKinds.indexOf(kindName), 1);
      ctx.log.info(`${kindName} CRD found (${version}): ${kindName}s are watched from now on`, {
        informer: kind,
      });
      ctx.found(kind, addOptional(kc, set, settings, kind, version));
    }
  };
  const schedule = () => {
    handle = ctx.timers.setTimeout(() => {
      if (done()) return;
      void look().finally(() => {
        if (!done() && set.absentKinds.length > 0) schedule();
      });
    }, ctx.intervalMs);
  };
  if (set.absentKinds.length > 0) schedule();
  return {
    stop: () => {
      stopped = true;
      ctx.timers.clearTimeout(handle);
    },
  };
}

export interface AttachContext {
  onChange(change: Change): void;
  timers: Timers;
  log: Logger;
  stopping(): boolean;
}

/** Feeds an informer's events to `onChange` and its connection state to a health record. */
export function attachInformer(
  kind: WatchedKind,
  inf: ResilientInformer,
  ctx: AttachContext,
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
