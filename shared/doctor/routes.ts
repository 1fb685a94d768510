// A route as the cluster returns it (status included) -> what the doctor checks of it. Pure.
import { forEachBackendRef, isServiceBackendRef, refNamespace } from '../gamma/refs.ts';
import type { RouteFacts } from './types.ts';

interface RawRoute {
  metadata?: { name?: string; namespace?: string; annotations?: Record<string, string> };
  spec?: { rules?: unknown };
  status?: { parents?: { controllerName?: unknown }[] };
}

export function routeFacts(kind: RouteFacts['kind'], raw: unknown): RouteFacts {
  const r = raw as RawRoute;
  const namespace = r.metadata?.namespace ?? 'default';
  const backends: RouteFacts['backends'] = [];
  const seen = new Set<string>();
  forEachBackendRef(r.spec?.rules, (ref) => {
    if (!isServiceBackendRef(ref)) return;
    const b = {
      namespace: refNamespace(ref, namespace),
      service: ref.name,
      ...(typeof ref.port === 'number' ? { port: ref.port } : {}),
    };
    const key = `${b.namespace}/${b.service}:${b.port ?? ''}`;
    if (!seen.has(key)) backends.push(b);
    seen.add(key);
  });
  const controllers = (r.status?.parents ?? [])
    .map((p) => p.controllerName)
    .filter((c): c is string => typeof c === 'string');
  return {
    kind,
    namespace,
    name: r.metadata?.name ?? '',
    annotations: r.metadata?.annotations ?? {},
    controllers,
    backends,
  };
}
