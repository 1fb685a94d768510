// The complete snapshot for one parent Service, built from the informer caches (docs/architecture.md §3.1, §3.3):
// the Service (absent when deleted), every route naming it as a parent in any namespace (consumer
// routes included so the translator can reject them visibly), the Services those routes send to or
// mirror to, and the namespaces of every Service sharing the parent's short name (docs/architecture.md §4.3).
import type { GRPCRoute, HTTPRoute, Service } from '../../shared/gamma/types.ts';
import type { Snapshot } from '../../shared/translate/types.ts';
import { stripForTransport } from '../../shared/events/index.ts';
import type { ServiceRef } from '../../shared/gamma/refs.ts';
import { backendRefsOf, refKey, routeTargets, serviceRefOf } from '../../shared/gamma/refs.ts';

export interface CacheContents {
  services: readonly Service[];
  httpRoutes: readonly HTTPRoute[];
  grpcRoutes: readonly GRPCRoute[];
}

const byNamespacedName = (a: { metadata: { namespace?: string; name: string } }, b: typeof a) =>
  `${a.metadata.namespace ?? ''}/${a.metadata.name}`.localeCompare(
    `${b.metadata.namespace ?? ''}/${b.metadata.name}`,
  );

export function buildParentSnapshot(cache: CacheContents, parent: ServiceRef): Snapshot {
  const httpRoutes = cache.httpRoutes.filter((r) => routeTargets(r, parent)).sort(byNamespacedName);
  const grpcRoutes = cache.grpcRoutes.filter((r) => routeTargets(r, parent)).sort(byNamespacedName);
  const wanted = new Set([refKey(parent)]);
  for (const r of [...httpRoutes, ...grpcRoutes]) for (const b of backendRefsOf(r)) wanted.add(refKey(b));
  const services = cache.services.filter((s) => wanted.has(refKey(serviceRefOf(s)))).sort(byNamespacedName);
  const namespaces = cache.services
    .filter((s) => s.metadata.name === parent.name)
    .map((s) => s.metadata.namespace ?? 'default')
    .sort();
  return {
    services: services.map(stripForTransport),
    httpRoutes: httpRoutes.map(stripForTransport),
    grpcRoutes: grpcRoutes.map(stripForTransport),
    serviceNamespacesByName: { [parent.name]: [...new Set(namespaces)] },
  };
}
