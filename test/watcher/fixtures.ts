// Small object builders for the watcher tests (plain objects, as the informers hold them).
import type {
  GRPCRoute,
  HTTPRoute,
  HTTPRouteRule,
  Service,
  TCPRoute,
  TLSRoute,
  UDPRoute,
} from '../../shared/gamma/types.ts';

export const GROUP = 'gateway.networking.k8s.io';

export function svc(
  name: string,
  namespace = 'default',
  ports: number[] = [80],
  extra: Partial<Service['metadata']> = {},
): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, ...extra },
    spec: { ports: ports.map((port) => ({ name: `p${port}`, port })) },
  };
}

export interface RouteSpec {
  parents?: (string | { name: string; namespace?: string })[];
  backends?: (string | { name: string; namespace?: string; port?: number })[];
  mirror?: string;
  namespace?: string;
  labels?: Record<string, string>;
}

function rules(spec: RouteSpec): HTTPRouteRule[] {
  const backendRefs = (spec.backends ?? []).map((b) =>
    typeof b === 'string' ? { name: b, port: 80 } : { port: 80, ...b },
  );
  const filters = spec.mirror
    ? [{ type: 'RequestMirror', requestMirror: { backendRef: { name: spec.mirror, port: 80 } } }]
    : undefined;
  return [{ backendRefs, ...(filters ? { filters } : {}) }];
}

const parentRefs = (spec: RouteSpec) =>
  (spec.parents ?? []).map((p) =>
    typeof p === 'string' ? { group: '', kind: 'Service', name: p } : { group: '', kind: 'Service', ...p },
  );

export function http(name: string, spec: RouteSpec = {}): HTTPRoute {
  return {
    apiVersion: `${GROUP}/v1`,
    kind: 'HTTPRoute',
    metadata: {
      name,
      namespace: spec.namespace ?? 'default',
      ...(spec.labels ? { labels: spec.labels } : {}),
    },
    spec: { parentRefs: parentRefs(spec), rules: rules(spec) },
  };
}

export function grpc(name: string, spec: RouteSpec = {}): GRPCRoute {
  return {
    apiVersion: `${GROUP}/v1`,
    kind: 'GRPCRoute',
    metadata: { name, namespace: spec.namespace ?? 'default' },
    spec: { parentRefs: parentRefs(spec), rules: rules(spec) as GRPCRoute['spec']['rules'] },
  };
}

/** A TCPRoute or TLSRoute (experimental kinds, served as v1 from Gateway API 1.6): backends, no filters. */
export function stream<K extends 'TCPRoute' | 'TLSRoute'>(
  kind: K,
  name: string,
  spec: RouteSpec = {},
): K extends 'TCPRoute' ? TCPRoute : TLSRoute {
  const backendRefs = (spec.backends ?? []).map((b) =>
    typeof b === 'string' ? { name: b, port: 80 } : { port: 80, ...b },
  );
  return {
    apiVersion: `${GROUP}/v1alpha2`,
    kind,
    metadata: { name, namespace: spec.namespace ?? 'default' },
    spec: { parentRefs: parentRefs(spec), rules: [{ backendRefs }] },
  } as K extends 'TCPRoute' ? TCPRoute : TLSRoute;
}
export const tcp = (name: string, spec: RouteSpec = {}) => stream('TCPRoute', name, spec);
export const tls = (name: string, spec: RouteSpec = {}) => stream('TLSRoute', name, spec);

/** A UDPRoute (v1alpha2 only): gamma-csm reads only its parents, to reject it in status. */
export function udp(name: string, spec: RouteSpec = {}): UDPRoute {
  const backendRefs = (spec.backends ?? []).map((b) =>
    typeof b === 'string' ? { name: b, port: 53 } : { port: 53, ...b },
  );
  return {
    apiVersion: `${GROUP}/v1alpha2`,
    kind: 'UDPRoute',
    metadata: { name, namespace: spec.namespace ?? 'default' },
    spec: { parentRefs: parentRefs(spec), rules: [{ backendRefs }] },
  };
}
