// The complete snapshot for one parent Service, built from the informer caches (docs/architecture.md §3.1, §3.3):
// the Service (absent when deleted), every route in its namespace naming it as a parent, the Services
// those routes send to or mirror to, and the namespaces of every Service sharing the parent's short name
// (docs/architecture.md §4.3). Routes from other namespaces naming it (consumer routes, which translate
// rejects visibly) are capped like sync caps them (scopeSnapshotToOwner, docs/security.md §2), so
// another tenant cannot grow what the watcher publishes for this parent.
import type { GRPCRoute, HTTPRoute, Service } from '../../shared/gamma/types.ts';
import type { Snapshot } from '../../shared/translate/types.ts';
import { stripForTransport } from '../../shared/events/index.ts';
import type { ServiceRef } from '../../shared/gamma/refs.ts';
import { backendRefsOf, refKey, routeTargets, serviceRefOf } from '../../shared/gamma/refs.ts';
import { DEFAULT_LIMITS, scopeSnapshotToOwner, type PipelineLimits } from '../../shared/pipeline/limits.ts';

export interface CacheContents {
  services: readonly Service[];
  httpRoutes: readonly HTTPRoute[];
  grpcRoutes: readonly GRPCRoute[];
}

const byNamespacedName = (a: { metadata: { namespace?: string; name: string } }, b: typeof a) =>
  `${a.metadata.namespace ?? ''}/${a.metadata.name}`.localeCompare(
    `${b.metadata.namespace ?? ''}/${b.metadata.name}`,
  );

export function buildParentSnapshot(
  cache: CacheContents,
  parent: ServiceRef,
  limits: Pick<PipelineLimits, 'maxRoutesPerSnapshot' | 'maxServicesPerSnapshot'> = DEFAULT_LIMITS,
): Snapshot {
  const httpRoutes = cache.httpRoutes.filter((r) => routeTargets(r, parent)).sort(byNamespacedName);
  const grpcRoutes = cache.grpcRoutes.filter((r) => routeTargets(r, parent)).sort(byNamespacedName);
  const wanted = new Set([refKey(parent)]);
  for (const r of [...httpRoutes, ...grpcRoutes]) for (const b of backendRefsOf(r)) wanted.add(refKey(b));
  const services = cache.services.filter((s) => wanted.has(refKey(serviceRefOf(s)))).sort(byNamespacedName);
  const namespaces = cache.services
    .filter((s) => s.metadata.name === parent.name)
    .map((s) => s.metadata.namespace ?? 'default')
    .sort();
  // Scoped before stripping, so the copies are made only of what is published.
  const scoped = scopeSnapshotToOwner({ services, httpRoutes, grpcRoutes }, parent, limits);
  return {
    services: scoped.services.map(stripForTransport),
    httpRoutes: scoped.httpRoutes.map(stripForTransport),
    grpcRoutes: scoped.grpcRoutes.map(stripForTransport),
    serviceNamespacesByName: { [parent.name]: [...new Set(namespaces)] },
  };
}
