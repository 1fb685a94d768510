// Pure helpers that narrow the translation of one parent's snapshot to that parent: its resource ids,
// its desired routes, its route status entries, and the sequence label written on its resources.
import type { Service } from '../gamma/types.ts';
import { isServiceParentRef, parentRefNames } from '../gamma/refs.ts';
import type { ParentRefKey, RouteEvent } from '../events/index.ts';
import { parentLabelValue, routeId } from '../translate/index.ts';
import { rejectedCondition } from '../translate/status.ts';
import type { Desired, RouteStatusEntry, TranslateOptions } from '../translate/types.ts';
import { LABEL_PARENT } from '../translate/types.ts';
import { ROUTE_COLLECTIONS, filterRoutes, type RouteCollection } from '../netsvc/kinds.ts';
import type { RouteIdKind } from '../translate/names.ts';
import { liveRoute } from './liveness.ts';
import type { LiveObjects } from './liveness.ts';
import { snapshotRoutes } from './snapshot-routes.ts';

/** The Network Services collections a parent's routes live in (the one table: shared/netsvc/kinds.ts). */
export type { RouteCollection };

export interface ParentResourceId {
  kind: RouteCollection;
  id: string;
  port: number;
}

/**
 * Ports whose routes may exist for the parent: current Service ports, previous ports, ports named by
 * the parent's producer routes. Consumer routes (other namespaces) are rejected by translate and
 * never own a port, so they must not add ports here either: each port costs one read per route
 * collection (parentResourceIds).
 */
export function candidatePorts(event: RouteEvent): number[] {
  const { namespace, name } = event.parent;
  const ports = new Set<number>(event.previousPorts ?? []);
  for (const s of event.snapshot.services)
    if ((s.metadata.namespace ?? 'default') === namespace && s.metadata.name === name)
      for (const p of (s as Service).spec?.ports ?? []) ports.add(p.port);
  for (const { route: r } of snapshotRoutes(event.snapshot))
    for (const ref of r.spec?.parentRefs ?? [])
      if (
        ref.port !== undefined &&
        (r.metadata.namespace ?? 'default') === namespace &&
        isServiceParentRef(ref) &&
        parentRefNames(ref, r.metadata.namespace ?? 'default', event.parent)
      )
        ports.add(ref.port);
  return [...ports].sort((a, b) => a - b);
}

/** The route id kind (names.ts routeId) of each collection. */
const ID_KIND: Record<RouteCollection, RouteIdKind> = {
  httpRoutes: 'http',
  grpcRoutes: 'grpc',
  tcpRoutes: 'tcp',
  tlsRoutes: 'tls',
};

/** The deterministic ids of every route the parent can own, every collection, per port. */
export function parentResourceIds(
  options: TranslateOptions,
  parent: ParentRefKey,
  ports: number[],
): ParentResourceId[] {
  return ports.flatMap((port) =>
    ROUTE_COLLECTIONS.map((kind) => ({
      kind,
      id: routeId(ID_KIND[kind], options.clusterId, parent.namespace, parent.name, port),
      port,
    })),
  );
}

/** Desired routes of this parent only (a shared route also yields routes for its other parents). */
export function desiredForParent(desired: Desired, parent: ParentRefKey): Desired {
  const key = parentLabelValue(parent.namespace, parent.name);
  const mine = (r: { labels?: Record<string, string> | null }) => r.labels?.[LABEL_PARENT] === key;
  return { ...desired, ...filterRoutes(desired, mine) };
}

/**
 * Status entries for this parent's routes (UDPRoutes too) that still exist, limited to the
 * parentRefs naming this parent. Our entries for the route's other parents are not ours to write
 * here: sync writes with writeRouteStatuses' `onlyParents`, which keeps them as it reads them.
 */
export function statusesForParent(
  statuses: RouteStatusEntry[],
  live: LiveObjects,
  parent: ParentRefKey,
): RouteStatusEntry[] {
  const out: RouteStatusEntry[] = [];
  for (const entry of statuses) {
    const mine = entry.parents.filter((p) => parentRefNames(p.parentRef, entry.namespace, parent));
    if (mine.length === 0 || !liveRoute(live, entry.kind, entry.namespace, entry.name)) continue;
    out.push({ ...entry, parents: mine });
  }
  return out;
}

/**
 * Marks this parent's entries Accepted=False where the Network Services API refused (400) or we
 * could not write (owned by someone else) the route of a port the parentRef covers.
 */
export function markRejectedPorts(
  statuses: RouteStatusEntry[],
  parent: ParentRefKey,
  rejected: Map<number, string>,
): RouteStatusEntry[] {
  if (rejected.size === 0) return statuses;
  return statuses.map((entry) => ({
    ...entry,
    parents: entry.parents.map((p) => {
      if (!parentRefNames(p.parentRef, entry.namespace, parent)) return p;
      const ports = p.parentRef.port !== undefined ? [p.parentRef.port] : [...rejected.keys()];
      const messages = ports.filter((port) => rejected.has(port)).map((port) => rejected.get(port) as string);
      if (messages.length === 0) return p;
      const accepted = p.conditions.find((c) => c.type === 'Accepted');
      const message = `Network Services did not take the route: ${messages.join('; ')}`;
      return {
        ...p,
        conditions: [
          ...p.conditions.filter((c) => c.type !== 'Accepted'),
          rejectedCondition('UnsupportedValue', message, accepted?.observedGeneration),
        ],
      };
    }),
  }));
}
