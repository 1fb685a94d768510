// GAMMA_AUTO_NEG (docs/backends.md §11): instead of only telling the user to annotate a backend
// Service, add the missing port to its `cloud.google.com/neg` annotation, as Google's managed mesh
// does. Pure: which Services need which annotation value. Only ports routes actually send to, never
// a port the user names their own backend service for, and nothing is ever removed: the value keeps
// every key and port the user wrote (negAnnotationWith merges).
import { forEachBackendRef, isServiceBackendRef, refNamespace } from '../gamma/refs.ts';
import type { Route, Service } from '../gamma/types.ts';
import { hasBackendServiceOverride } from '../translate/names.ts';
import type { Snapshot } from '../translate/types.ts';
import { negAnnotationWith, negsRequested } from './neg.ts';
import { NEG_ANNOTATION } from './types.ts';

export interface NegAnnotationPatch {
  namespace: string;
  name: string;
  /** The full new value of the `cloud.google.com/neg` annotation. */
  value: string;
  ports: number[];
}

/** Backend Service ports the snapshot's routes send to (backendRefs and mirror targets) that lack NEGs. */
export function missingNegAnnotations(snapshot: Snapshot): NegAnnotationPatch[] {
  const services = new Map<string, Service>();
  for (const s of snapshot.services)
    services.set(`${s.metadata.namespace ?? 'default'}/${s.metadata.name}`, s);
  const wanted = new Map<string, Set<number>>();
  const routes: Route[] = [
    ...snapshot.httpRoutes,
    ...snapshot.grpcRoutes,
    ...(snapshot.tcpRoutes ?? []),
    ...(snapshot.tlsRoutes ?? []),
  ];
  for (const route of routes) {
    const namespace = route.metadata.namespace ?? 'default';
    forEachBackendRef(route.spec?.rules, (ref) => {
      if (!isServiceBackendRef(ref) || typeof ref.port !== 'number') return;
      const key = `${refNamespace(ref, namespace)}/${ref.name}`;
      const service = services.get(key);
      if (!service || service.spec?.type === 'ExternalName') return;
      if (!(service.spec?.ports ?? []).some((p) => p.port === ref.port)) return;
      if (hasBackendServiceOverride(service, ref.port) || negsRequested(service, ref.port)) return;
      let ports = wanted.get(key);
      if (!ports) wanted.set(key, (ports = new Set()));
      ports.add(ref.port);
    });
  }
  const patches: NegAnnotationPatch[] = [];
  for (const [key, ports] of [...wanted].sort(([a], [b]) => (a < b ? -1 : 1))) {
    let service = services.get(key) as Service;
    const sorted = [...ports].sort((a, b) => a - b);
    for (const port of sorted) service = withAnnotation(service, negAnnotationWith(service, port));
    patches.push({
      namespace: service.metadata.namespace ?? 'default',
      name: service.metadata.name,
      value: service.metadata.annotations?.[NEG_ANNOTATION] as string,
      ports: sorted,
    });
  }
  return patches;
}

function withAnnotation(service: Service, value: string): Service {
  return {
    ...service,
    metadata: {
      ...service.metadata,
      annotations: { ...service.metadata.annotations, [NEG_ANNOTATION]: value },
    },
  };
}

/** The snapshot as it reads once the patches land (status then says "waiting", not "add"). */
export function withNegAnnotations(snapshot: Snapshot, patches: NegAnnotationPatch[]): Snapshot {
  if (patches.length === 0) return snapshot;
  const byKey = new Map(patches.map((p) => [`${p.namespace}/${p.name}`, p.value]));
  return {
    ...snapshot,
    services: snapshot.services.map((s) => {
      const value = byKey.get(`${s.metadata.namespace ?? 'default'}/${s.metadata.name}`);
      return value === undefined ? s : withAnnotation(s, value);
    }),
  };
}
