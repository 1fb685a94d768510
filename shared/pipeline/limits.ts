// What one parent may cost a sync run (docs/security.md §5): ports (each costs two Network Services
// reads), routes and Services in its snapshot (each costs a cluster read), and how many cluster
// reads run at once. A snapshot over a cap is refused visibly (sync.ts writes it into the parent's
// route status), never silently dropped.
import type { RouteEvent } from '../events/index.ts';
import { backendRefsOf, refKey, serviceRefOf } from '../gamma/refs.ts';
import type { Route } from '../gamma/types.ts';
import { candidatePorts } from './parent-scope.ts';

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

/**
 * Pure: the part of the event its parent's owner answers for. Consumer routes (other namespaces)
 * are rejected by translate whatever they say, so another tenant must not be able to grow this
 * parent's cost with them: at most `maxRoutesPerSnapshot` of them are kept (by name) for their
 * rejection status (the reconcile writes the status of any beyond), and their backend Services
 * only fill what the Services cap leaves after the parent's and its producer routes' own.
 */
export function scopeToOwner(event: RouteEvent, limits: PipelineLimits): RouteEvent {
  const { namespace } = event.parent;
  const s = event.snapshot;
  const producer = (r: Route) => (r.metadata.namespace ?? 'default') === namespace;
  const name = (r: Route) => `${r.metadata.namespace}/${r.metadata.name}`;
  const all = [...s.httpRoutes, ...s.grpcRoutes] as Route[];
  const consumers = all
    .filter((r) => !producer(r))
    .sort((a, b) => name(a).localeCompare(name(b)))
    .slice(0, limits.maxRoutesPerSnapshot);
  const own = new Set([refKey(event.parent)]);
  for (const r of all.filter(producer)) for (const b of backendRefsOf(r)) own.add(refKey(b));
  const theirs = new Set<string>();
  for (const r of consumers) for (const b of backendRefsOf(r)) if (!own.has(refKey(b))) theirs.add(refKey(b));
  const ownServices = s.services.filter((svc) => own.has(refKey(serviceRefOf(svc))));
  const room = Math.max(0, limits.maxServicesPerSnapshot - ownServices.length);
  const theirServices = s.services.filter((svc) => theirs.has(refKey(serviceRefOf(svc)))).slice(0, room);
  const keep = <T extends Route>(list: T[]) => list.filter((r) => producer(r) || consumers.includes(r));
  return {
    ...event,
    snapshot: {
      ...s,
      services: s.services.filter((svc) => ownServices.includes(svc) || theirServices.includes(svc)),
      httpRoutes: keep(s.httpRoutes),
      grpcRoutes: keep(s.grpcRoutes),
    },
  };
}

/** Pure: why the event is over a cap (naming the variable that raises it), or undefined. */
export function oversizedBy(event: RouteEvent, limits: PipelineLimits): string | undefined {
  const { snapshot } = event;
  const { namespace } = event.parent;
  const routes = [...snapshot.httpRoutes, ...snapshot.grpcRoutes].filter(
    (r) => (r.metadata.namespace ?? 'default') === namespace,
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
