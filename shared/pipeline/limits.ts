// What one parent may cost a sync run (docs/security.md §5): ports (each costs two Network Services
// reads), routes and Services in its snapshot (each costs a cluster read), and how many cluster
// reads run at once. A snapshot over a cap is refused visibly (sync.ts writes it into the parent's
// route status), never silently dropped.
import type { RouteEvent } from '../events/index.ts';
import { backendRefsOf, refKey, serviceRefOf, type ServiceRef } from '../gamma/refs.ts';
import type { Route, UDPRoute } from '../gamma/types.ts';
import type { Snapshot } from '../translate/types.ts';
import { candidatePorts } from './parent-scope.ts';
import { mapRouteLists, snapshotRoutes, statusRoutes, udpRoutesOf } from './snapshot-routes.ts';

export interface PipelineLimits {
  maxPortsPerParent: number;
  maxRoutesPerSnapshot: number;
  maxServicesPerSnapshot: number;
  /** Cluster reads of one event in flight at once. */
  clusterReadConcurrency: number;
}

export const DEFAULT_LIMITS: PipelineLimits = {
  maxPortsPerParent: 64,
  maxRoutesPerSnapshot: 128,
  maxServicesPerSnapshot: 256,
  clusterReadConcurrency: 8,
};

/** Pure: the part of the event its parent's owner answers for (scopeSnapshotToOwner). */
export function scopeToOwner(event: RouteEvent, limits: PipelineLimits): RouteEvent {
  return { ...event, snapshot: scopeSnapshotToOwner(event.snapshot, event.parent, limits) };
}

/**
 * Pure: a parent's snapshot without what another tenant could grow it with. Consumer routes (other
 * namespaces) are rejected by translate whatever they say, so at most `maxRoutesPerSnapshot` of them,
 * UDPRoutes included, are kept (by namespace/name) for their rejection status (the reconcile writes
 * the status of any beyond), and their backend Services only fill what the Services cap leaves after
 * the parent's and its producer routes' own (a UDPRoute's backends are never in a snapshot).
 * Producer routes and their Services are never dropped here (oversizedBy refuses a parent whose own
 * are over a cap). The watcher applies it before publishing (shared/cluster/parent-snapshot.ts),
 * sync again on receipt.
 */
export function scopeSnapshotToOwner(
  s: Snapshot,
  parent: ServiceRef,
  limits: Pick<PipelineLimits, 'maxRoutesPerSnapshot' | 'maxServicesPerSnapshot'>,
): Snapshot {
  const producer = (r: Route | UDPRoute) => (r.metadata.namespace ?? 'default') === parent.namespace;
  const name = (r: Route | UDPRoute) => `${r.metadata.namespace}/${r.metadata.name}`;
  const consumers = new Set(
    statusRoutes(s)
      .map((r) => r.route)
      .filter((r) => !producer(r))
      .sort((a, b) => name(a).localeCompare(name(b)))
      .slice(0, limits.maxRoutesPerSnapshot),
  );
  const own = new Set([refKey(parent)]);
  for (const { route: r } of snapshotRoutes(s))
    if (producer(r)) for (const b of backendRefsOf(r)) own.add(refKey(b));
  const theirs = new Set<string>();
  for (const r of consumers) {
    if (r.kind === 'UDPRoute') continue;
    for (const b of backendRefsOf(r)) if (!own.has(refKey(b))) theirs.add(refKey(b));
  }
  const ownServices = new Set(s.services.filter((svc) => own.has(refKey(serviceRefOf(svc)))));
  const room = Math.max(0, limits.maxServicesPerSnapshot - ownServices.size);
  const theirServices = new Set(
    s.services.filter((svc) => theirs.has(refKey(serviceRefOf(svc)))).slice(0, room),
  );
  const keep = <T extends Route | UDPRoute>(list: T[]) => list.filter((r) => producer(r) || consumers.has(r));
  return {
    ...s,
    services: s.services.filter((svc) => ownServices.has(svc) || theirServices.has(svc)),
    ...mapRouteLists(s, keep),
    ...(s.udpRoutes !== undefined ? { udpRoutes: keep(udpRoutesOf(s)) } : {}),
  };
}

/**
 * Pure: why the event is over a cap (naming the variable that raises it), or undefined. Producer
 * UDPRoutes count as routes: each costs a cluster read and a status write like any other.
 */
export function oversizedBy(event: RouteEvent, limits: PipelineLimits): string | undefined {
  const { snapshot } = event;
  const { namespace } = event.parent;
  const routes = statusRoutes(snapshot).filter(
    ({ route: r }) => (r.metadata.namespace ?? 'default') === namespace,
  ).length;
  const ports = candidatePorts(event).length;
  const over = (what: string, n: number, max: number, variable: string) =>
    `the parent's snapshot has ${n} ${what}, over the limit of ${max} (raise ${variable} if this is intended)`;
  if (routes > limits.maxRoutesPerSnapshot)
    return over('producer routes', routes, limits.maxRoutesPerSnapshot, 'GAMMA_MAX_ROUTES_PER_SNAPSHOT');
  if (snapshot.services.length > limits.maxServicesPerSnapshot)
    return over(
      'Services',
      snapshot.services.length,
      limits.maxServicesPerSnapshot,
      'GAMMA_MAX_SERVICES_PER_SNAPSHOT',
    );
  if (ports > limits.maxPortsPerParent)
    return over('candidate ports', ports, limits.maxPortsPerParent, 'GAMMA_MAX_PORTS_PER_PARENT');
  return undefined;
}
