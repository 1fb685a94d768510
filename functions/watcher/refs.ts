// What a route points at: the parent Services it attaches to and the Services it sends traffic to
// (backendRefs and RequestMirror destinations). Pure helpers over plain objects.
import type { BackendObjectReference, Route, Service } from '../../shared/gamma/types.ts';

export interface ServiceRef {
  namespace: string;
  name: string;
}

export const refKey = (r: ServiceRef): string => `${r.namespace}/${r.name}`;

export function serviceRefOf(svc: Service): ServiceRef {
  return { namespace: svc.metadata.namespace ?? 'default', name: svc.metadata.name };
}

const routeNamespace = (route: Route): string => route.metadata.namespace ?? 'default';

/** Parent Services of a route (GAMMA parentRefs: group "" or "core", kind Service), deduplicated. */
export function parentRefsOf(route: Route): ServiceRef[] {
  const out = new Map<string, ServiceRef>();
  for (const ref of route.spec?.parentRefs ?? []) {
    if (ref.kind !== 'Service' || (ref.group !== '' && ref.group !== 'core')) continue;
    const parent = { namespace: ref.namespace ?? routeNamespace(route), name: ref.name };
    out.set(refKey(parent), parent);
  }
  return [...out.values()];
}

function isServiceBackend(b: BackendObjectReference): boolean {
  return (b.kind ?? 'Service') === 'Service' && (b.group ?? '') === '';
}

/** Services a route sends to: every backendRef and every RequestMirror target, rule or backend level. */
export function backendRefsOf(route: Route): ServiceRef[] {
  const out = new Map<string, ServiceRef>();
  const add = (b: BackendObjectReference | undefined) => {
    if (!b?.name || !isServiceBackend(b)) return;
    const ref = { namespace: b.namespace ?? routeNamespace(route), name: b.name };
    out.set(refKey(ref), ref);
  };
  for (const rule of route.spec?.rules ?? []) {
    for (const f of rule.filters ?? []) add(f.requestMirror?.backendRef);
    for (const b of rule.backendRefs ?? []) {
      add(b);
      for (const f of b.filters ?? []) add(f.requestMirror?.backendRef);
    }
  }
  return [...out.values()];
}

export function routeTargets(route: Route, parent: ServiceRef): boolean {
  return parentRefsOf(route).some((p) => p.namespace === parent.namespace && p.name === parent.name);
}

export function routeUses(route: Route, svc: ServiceRef): boolean {
  return backendRefsOf(route).some((b) => b.namespace === svc.namespace && b.name === svc.name);
}
