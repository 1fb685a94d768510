// Deterministic synthetic clusters for the benchmarks: Services with HTTP and gRPC ports, and
// HTTPRoutes / GRPCRoutes attached to them with a realistic mix of matches, filters and weighted
// backends. Same seed and sizes -> the same objects, so runs are comparable.
import type { GRPCRoute, HTTPRoute, HTTPRouteMatch, KubeObject, Service } from '../shared/gamma/types.ts';
import type { Snapshot, TranslateOptions } from '../shared/translate/types.ts';
import { seededRandom } from '../infra/local/netsvc/faults.ts';
import { applyDefaults } from '../shared/gamma/index.ts';

export interface ClusterSize {
  routes: number;
  services: number;
  /** Share of routes that are GRPCRoutes (default 0.1). */
  grpcShare?: number;
  seed?: number;
}

export const BENCH_TRANSLATE_OPTIONS: TranslateOptions = {
  project: 'bench-proj',
  location: 'global',
  mesh: 'bench-mesh',
  clusterId: 'bench',
  controllerName: 'gamma-csm.dev/controller',
  clusterDomain: 'cluster.local',
};

// seededRandom (mulberry32) is the NS emulator's fault-injection PRNG: one implementation for both.
export { seededRandom };

const NAMESPACES = 20;
const CREATED = Date.UTC(2025, 0, 1);

function namespaceOf(serviceIndex: number): string {
  return `team-${serviceIndex % NAMESPACES}`;
}

function serviceName(serviceIndex: number): string {
  return `svc-${serviceIndex}`;
}

export function makeService(i: number): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: serviceName(i), namespace: namespaceOf(i), uid: `uid-svc-${i}`, resourceVersion: '1' },
    spec: {
      type: 'ClusterIP',
      clusterIP: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
      selector: { app: serviceName(i) },
      ports: [
        { name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 },
        { name: 'grpc', port: 9090, protocol: 'TCP', appProtocol: 'kubernetes.io/h2c', targetPort: 9090 },
      ],
    },
  };
}

function meta(kind: string, i: number, serviceIndex: number) {
  return {
    name: `${kind}-${i}`,
    namespace: namespaceOf(serviceIndex),
    uid: `uid-${kind}-${i}`,
    resourceVersion: String(1000 + i),
    generation: 1,
    creationTimestamp: new Date(CREATED + i * 1000).toISOString(),
  };
}

/** A backend in the same namespace as the parent (the producer-route shape GAMMA expects). */
function backend(serviceIndex: number, services: number, rnd: () => number, port: number) {
  const pick = serviceIndex + NAMESPACES * Math.floor(rnd() * 3);
  const target = pick < services ? pick : serviceIndex;
  return { name: serviceName(target), port, weight: 1 + Math.floor(rnd() * 99) };
}

function httpMatches(i: number, rnd: () => number): HTTPRouteMatch[] {
  const shape = Math.floor(rnd() * 5);
  if (shape === 0) return [{ path: { type: 'PathPrefix' as const, value: `/api/v${i % 3}/items-${i}` } }];
  if (shape === 1)
    return [{ path: { type: 'Exact' as const, value: `/health-${i}` }, method: 'GET' as const }];
  if (shape === 2)
    return [
      {
        path: { type: 'PathPrefix' as const, value: `/users-${i}` },
        headers: [{ type: 'Exact' as const, name: 'x-tenant', value: `t${i % 7}` }],
      },
      {
        path: { type: 'PathPrefix' as const, value: `/accounts-${i}` },
        queryParams: [{ name: 'v', value: '2' }],
      },
    ];
  if (shape === 3) return [{ path: { type: 'RegularExpression' as const, value: `/orders-${i}/[0-9]+` } }];
  return [{ headers: [{ name: 'x-canary', value: 'true' }] }];
}

function httpFilters(i: number, rnd: () => number) {
  const shape = Math.floor(rnd() * 4);
  if (shape === 0)
    return [
      {
        type: 'RequestHeaderModifier' as const,
        requestHeaderModifier: { set: [{ name: 'x-route', value: `r${i}` }], remove: ['x-debug'] },
      },
    ];
  if (shape === 1)
    return [
      {
        type: 'URLRewrite' as const,
        urlRewrite: { path: { type: 'ReplacePrefixMatch' as const, replacePrefixMatch: '/v2' } },
      },
    ];
  return [];
}

export function makeHttpRoute(i: number, services: number, rnd: () => number): HTTPRoute {
  const svc = i % services;
  const rules = Array.from({ length: 1 + Math.floor(rnd() * 3) }, (_, r) => {
    const matches = httpMatches(i * 3 + r, rnd);
    const rewriteOk = matches.length === 1 && matches[0].path?.type === 'PathPrefix';
    const filters = httpFilters(i, rnd).filter((f) => f.type !== 'URLRewrite' || rewriteOk);
    const backends = Array.from({ length: 1 + Math.floor(rnd() * 2) }, () => backend(svc, services, rnd, 80));
    return {
      matches,
      ...(filters.length ? { filters } : {}),
      backendRefs: backends,
      ...(rnd() < 0.2 ? { timeouts: { request: '10s' } } : {}),
    };
  });
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: meta('http', i, svc),
    spec: {
      parentRefs: [{ group: '', kind: 'Service', name: serviceName(svc), port: 80 }],
      rules,
    },
  } as HTTPRoute;
}

export function makeGrpcRoute(i: number, services: number, rnd: () => number): GRPCRoute {
  const svc = i % services;
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'GRPCRoute',
    metadata: meta('grpc', i, svc),
    spec: {
      parentRefs: [{ group: '', kind: 'Service', name: serviceName(svc), port: 9090 }],
      rules: [
        {
          matches: [
            { method: { type: 'Exact', service: `bench.v1.Svc${i}`, method: 'Get' } },
            { headers: [{ type: 'Exact', name: 'x-shard', value: String(i % 4) }] },
          ],
          backendRefs: [backend(svc, services, rnd, 9090)],
        },
      ],
    },
  } as GRPCRoute;
}

/**
 * A cluster of `routes` routes spread over `services` Services (several routes per Service), shaped
 * as translate receives it in production: every path into translate starts from decoded JSON (the
 * API server's responses, Pub/Sub messages) with the CRD defaults filled in (by the API server, or
 * by buildSnapshot for YAML files), and a cluster-wide LIST returns its items in etcd key order
 * (namespace, then name). Object literals in generation order would have other hidden classes, lack
 * the defaults and lie in memory in another order than translate reads them, which changes what is
 * measured (each about 15-20% slower translates).
 */
export function generateCluster(size: ClusterSize): Snapshot {
  const objects = generateObjects(size);
  const listed = <T extends KubeObject>(items: T[]) => [...items].sort(byKey).map((o) => applyDefaults(o));
  return JSON.parse(
    JSON.stringify({
      services: listed(objects.services),
      httpRoutes: listed(objects.httpRoutes),
      grpcRoutes: listed(objects.grpcRoutes),
    }),
  ) as Snapshot;
}

/** etcd key order: namespace, then name, compared by UTF-16 code units (ASCII names: byte order). */
function byKey(a: KubeObject, b: KubeObject): number {
  const x = `${a.metadata.namespace}/${a.metadata.name}`;
  const y = `${b.metadata.namespace}/${b.metadata.name}`;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The same cluster as plain object literals, without CRD defaults (as hand-written YAML would be). */
export function generateObjects(
  size: ClusterSize,
): Required<Pick<Snapshot, 'services' | 'httpRoutes' | 'grpcRoutes'>> {
  const rnd = seededRandom(size.seed ?? 42);
  const grpcEvery = Math.max(1, Math.round(1 / (size.grpcShare ?? 0.1)));
  const services = Array.from({ length: size.services }, (_, i) => makeService(i));
  const httpRoutes: HTTPRoute[] = [];
  const grpcRoutes: GRPCRoute[] = [];
  for (let i = 0; i < size.routes; i++) {
    if (i % grpcEvery === grpcEvery - 1) grpcRoutes.push(makeGrpcRoute(i, size.services, rnd));
    else httpRoutes.push(makeHttpRoute(i, size.services, rnd));
  }
  return { services, httpRoutes, grpcRoutes };
}
