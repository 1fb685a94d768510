// The informers the watcher runs (Services, the route kinds, ReferenceGrants when needed) and how
// their events and connection state reach it.
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import type { BackoffOptions, ResilientInformer, WatchedKind } from '../../shared/cluster/index.ts';
import { isNotFound, makeInformer } from '../../shared/cluster/index.ts';
import type { ParentSnapshotSource } from '../../shared/cluster/parent-snapshot.ts';
import type { GRPCRoute, HTTPRoute, Route, Service } from '../../shared/gamma/types.ts';
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

  list<T>(kind: WatchedKind): T[] {
    return (this.byKind.get(kind)?.list() ?? []) as T[];
  }

  /** The caches as a per-parent snapshot is cut from them. */
  cache(): ParentSnapshotSource {
    return {
      services: this.list<Service>('services'),
      httpRoutes: this.list<HTTPRoute>('httproutes'),
      grpcRoutes: this.list<GRPCRoute>('grpcroutes'),
    };
  }

  /** Every cached route, of every kind. */
  routes(): Route[] {
    return [...this.list<HTTPRoute>('httproutes'), ...this.list<GRPCRoute>('grpcroutes')];
  }
}

const informerOptions = (s: InformerSettings) => ({
  ...(s.minWatchIntervalMs !== undefined ? { minWatchIntervalMs: s.minWatchIntervalMs } : {}),
  ...(s.informerBackoff ? { backoff: s.informerBackoff } : {}),
  ...(s.random ? { random: s.random } : {}),
});

/** The informers the watcher runs: Services and both route kinds, and ReferenceGrants when needed. Not started. */
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
