// The snapshot of one parent Service, the one form a route event carries (docs/architecture.md §3.1,
// §3.3): the watcher builds it from its informer caches, the tests from a whole-cluster read, so
// both feed sync the same input. Pure: plain objects in, a new Snapshot out (the inputs are not
// modified); no Kubernetes client here, which is also why shared/cluster/index.ts does not re-export it.
//
// It holds the Service (absent when deleted), every route of every kind naming it as a parent, the
// Services those routes send to or mirror to, and the namespaces of every Service sharing the
// parent's short name (docs/architecture.md §4.3). UDPRoutes naming it are in it too, to be rejected
// in their status (translate/udp.ts); they send nowhere gamma-csm follows, so their backends are
// not. Routes from other namespaces naming it (consumer routes, which translate rejects visibly) are
// capped like sync caps them (scopeSnapshotToOwner, docs/security.md §2), so another tenant cannot
// grow what is published for this parent. ReferenceGrants are not part of it: sync reads them from
// the cluster itself.
import type {
  GRPCRoute,
  HTTPRoute,
  KubeObject,
  Route,
  Service,
  TCPRoute,
  TLSRoute,
  UDPRoute,
} from '../gamma/types.ts';
import type { ServiceRef } from '../gamma/refs.ts';
import { backendRefsOf, refKey, routeTargets, serviceRefOf } from '../gamma/refs.ts';
import type { Snapshot } from '../translate/types.ts';
import { stripForTransport } from '../events/strip.ts';
import { DEFAULT_LIMITS, scopeSnapshotToOwner, type PipelineLimits } from '../pipeline/limits.ts';

/** The objects a parent's snapshot is cut from: informer caches, or a whole-cluster read. */
export interface ParentSnapshotSource {
  services: readonly Service[];
  httpRoutes: readonly HTTPRoute[];
  grpcRoutes: readonly GRPCRoute[];
  /** Absent (or empty) when the cluster has no TCPRoute / TLSRoute CRD. */
  tcpRoutes?: readonly TCPRoute[];
  tlsRoutes?: readonly TLSRoute[];
  /** Absent (or empty) when the cluster has no UDPRoute CRD. */
  udpRoutes?: readonly UDPRoute[];
}

export type SnapshotLimits = Pick<PipelineLimits, 'maxRoutesPerSnapshot' | 'maxServicesPerSnapshot'>;

const byNamespacedName = (a: { metadata: { namespace?: string; name: string } }, b: typeof a) =>
  `${a.metadata.namespace ?? ''}/${a.metadata.name}`.localeCompare(
    `${b.metadata.namespace ?? ''}/${b.metadata.name}`,
  );

/** The routes of one kind naming `parent`, by namespace/name. */
const naming = <T extends Route | UDPRoute>(routes: readonly T[] | undefined, parent: ServiceRef): T[] =>
  (routes ?? []).filter((r) => routeTargets(r, parent)).sort(byNamespacedName);

/** Every object of a snapshot, of every kind (e.g. for its sequence). */
export function snapshotObjects(s: Snapshot): (Service | Route | KubeObject)[] {
  return [
    ...s.services,
    ...s.httpRoutes,
    ...s.grpcRoutes,
    ...(s.tcpRoutes ?? []),
    ...(s.tlsRoutes ?? []),
    ...(s.udpRoutes ?? []),
  ];
}

export function buildParentSnapshot(
  source: ParentSnapshotSource,
  parent: ServiceRef,
  limits: SnapshotLimits = DEFAULT_LIMITS,
): Snapshot {
  const routes = {
    httpRoutes: naming(source.httpRoutes, parent),
    grpcRoutes: naming(source.grpcRoutes, parent),
    tcpRoutes: naming(source.tcpRoutes, parent),
    tlsRoutes: naming(source.tlsRoutes, parent),
  };
  const wanted = new Set([refKey(parent)]);
  for (const list of Object.values(routes) as Route[][])
    for (const r of list) for (const b of backendRefsOf(r)) wanted.add(refKey(b));
  const services = source.services.filter((s) => wanted.has(refKey(serviceRefOf(s)))).sort(byNamespacedName);
  const namespaces = source.services
    .filter((s) => s.metadata.name === parent.name)
    .map((s) => serviceRefOf(s).namespace)
    .sort();
  // Scoped before stripping, so the copies are made only of what is published.
  const udpRoutes = naming(source.udpRoutes, parent);
  const scoped = scopeSnapshotToOwner({ services, ...routes, udpRoutes }, parent, limits);
  return {
    services: scoped.services.map(stripForTransport),
    httpRoutes: scoped.httpRoutes.map(stripForTransport),
    grpcRoutes: scoped.grpcRoutes.map(stripForTransport),
    tcpRoutes: (scoped.tcpRoutes ?? []).map(stripForTransport),
    tlsRoutes: (scoped.tlsRoutes ?? []).map(stripForTransport),
    udpRoutes: (scoped.udpRoutes ?? []).map(stripForTransport),
    serviceNamespacesByName: { [parent.name]: [...new Set(namespaces)] },
  };
}
