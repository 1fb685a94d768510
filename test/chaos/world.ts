// The cluster a chaos run mutates: a seeded generator of route and Service changes (create, update,
// delete routes, move parentRefs, change Service ports, delete and re-create Services), applied
// straight into the k8s stand-in so the watcher sees them as watch events. Services but one carry
// GKE's NEG annotation for every port, so the stand-in's NEG controller writes neg-status and the
// pipeline provisions backend services (docs/backends.md); `cache` has none (BackendNotFound path).
import type { K8sEmulator, KubeObj } from '../../infra/local/k8s/index.ts';
import { NEG_ANNOTATION } from '../../shared/compute/types.ts';

export const GROUP = 'gateway.networking.k8s.io';
export const NAMESPACES = ['ns-a', 'ns-b'];
const SERVICES = ['api', 'web', 'db', 'cache', 'auth'];
const PATHS = ['/', '/v1', '/v2', '/api', '/static', '/admin', '/v1/users'];
/** Services without the NEG annotation: routes to them report BackendNotFound, no backend service. */
export const NEGLESS = new Set(['cache']);

export type Random = () => number;

export function pick<T>(rng: Random, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)];
}

function service(name: string, ns: string, ports: number[]): KubeObj {
  const exposed = Object.fromEntries(ports.map((p) => [String(p), {}]));
  const annotations: Record<string, string> = NEGLESS.has(name)
    ? {}
    : { [NEG_ANNOTATION]: JSON.stringify({ exposed_ports: exposed }) };
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: ns, annotations },
    spec: { ports: ports.map((port) => ({ name: `p${port}`, port, protocol: 'TCP' })) },
  };
}

interface RouteShape {
  kind: 'HTTPRoute' | 'GRPCRoute';
  parent: string;
  port?: number;
  paths: string[];
  backends: string[];
  /** A regex RE2 refuses, so some routes carry a visible partial rejection. */
  badRegex: boolean;
}

function httpRoute(name: string, ns: string, s: RouteShape): KubeObj {
  const backendRefs = s.backends.map((b, i) => ({ name: b, port: 80, weight: i + 1 }));
  const rules: unknown[] = s.paths.map((p) => ({
    matches: [{ path: { type: 'PathPrefix', value: p } }],
    backendRefs,
  }));
  if (s.badRegex)
    rules.push({ matches: [{ path: { type: 'RegularExpression', value: '/(?=x)' } }], backendRefs });
  return {
    apiVersion: `${GROUP}/v1`,
    kind: 'HTTPRoute',
    metadata: { name, namespace: ns },
    spec: {
      parentRefs: [{ group: '', kind: 'Service', name: s.parent, ...(s.port ? { port: s.port } : {}) }],
      rules,
    },
  };
}

function grpcRoute(name: string, ns: string, s: RouteShape): KubeObj {
  return {
    apiVersion: `${GROUP}/v1`,
    kind: 'GRPCRoute',
    metadata: { name, namespace: ns },
    spec: {
      parentRefs: [{ group: '', kind: 'Service', name: s.parent, ...(s.port ? { port: s.port } : {}) }],
      rules: [
        {
          matches: [
            {
              method: {
                type: 'Exact',
                service: `pkg.${s.parent}`,
                method: s.paths[0].replace(/\W/g, '') || 'Get',
              },
            },
          ],
          backendRefs: s.backends.map((b) => ({ name: b, port: 80 })),
        },
      ],
    },
  };
}

export interface ChangeCounts {
  [change: string]: number;
}

export class World {
  private readonly routes = new Map<string, { ns: string; name: string; kind: RouteShape['kind'] }>();
  private readonly services = new Map<string, number[]>();
  private serial = 0;
  readonly counts: ChangeCounts = {};
  /** Every change, in order, for replaying a failed seed by eye. */
  readonly trace: string[] = [];

  constructor(
    private readonly k8s: K8sEmulator,
    private readonly rng: Random,
  ) {}

  /** Namespaces, every Service, and a few routes to start from. */
  seed(routes: number): void {
    for (const ns of NAMESPACES) {
      this.k8s.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
      for (const svc of SERVICES) this.putService(ns, svc, [80]);
    }
    for (let i = 0; i < routes; i++) this.createRoute();
  }

  private count(change: string): void {
    this.counts[change] = (this.counts[change] ?? 0) + 1;
  }

  private putService(ns: string, name: string, ports: number[]): void {
    this.services.set(`${ns}/${name}`, ports);
    this.trace.push(`Service ${ns}/${name} ports ${ports.join(',')}`);
    this.k8s.apply(service(name, ns, ports));
  }

  private shape(ns: string): RouteShape {
    const live = SERVICES.filter((s) => this.services.has(`${ns}/${s}`));
    const parent = pick(this.rng, live.length ? live : SERVICES);
    const n = 1 + Math.floor(this.rng() * 3);
    const paths = [...new Set(Array.from({ length: n }, () => pick(this.rng, PATHS)))];
    const backends = [...new Set([pick(this.rng, SERVICES), pick(this.rng, SERVICES)])].slice(
      0,
      1 + Math.floor(this.rng() * 2),
    );
    return {
      kind: this.rng() < 0.15 ? 'GRPCRoute' : 'HTTPRoute',
      parent,
      port: this.rng() < 0.7 ? 80 : undefined,
      paths,
      backends,
      badRegex: this.rng() < 0.1,
    };
  }

  private putRoute(ns: string, name: string, s: RouteShape): void {
    this.trace.push(
      `${s.kind} ${ns}/${name} -> ${s.parent}:${s.port ?? '*'} paths ${s.paths.join(',')} backends ${s.backends.join(',')}${s.badRegex ? ' +bad regex' : ''}`,
    );
    this.routes.set(`${s.kind}/${ns}/${name}`, { ns, name, kind: s.kind });
    this.k8s.apply(s.kind === 'GRPCRoute' ? grpcRoute(name, ns, s) : httpRoute(name, ns, s));
  }

  private createRoute(): void {
    const ns = pick(this.rng, NAMESPACES);
    const s = this.shape(ns);
    this.putRoute(ns, `r${++this.serial}`, s);
    this.count('route created');
  }

  private someRoute() {
    const all = [...this.routes.values()];
    return all.length ? pick(this.rng, all) : undefined;
  }

  /** One random change; returns what it was. */
  step(): string {
    const r = this.rng();
    const route = this.someRoute();
    if (r < 0.25 || !route) {
      this.createRoute();
      return 'route created';
    }
    if (r < 0.5) {
      // Same name, new paths / backends / parent: an update (a parent move when the parent changed).
      const s = { ...this.shape(route.ns), kind: route.kind };
      this.putRoute(route.ns, route.name, s);
      this.count('route updated');
      return 'route updated';
    }
    if (r < 0.62) {
      this.routes.delete(`${route.kind}/${route.ns}/${route.name}`);
      this.trace.push(`delete ${route.kind} ${route.ns}/${route.name}`);
      this.k8s.deleteObject(route.kind, route.ns, route.name);
      this.count('route deleted');
      return 'route deleted';
    }
    if (r < 0.75) {
      const s = { ...this.shape(route.ns), kind: route.kind };
      const others = SERVICES.filter((x) => x !== s.parent);
      this.putRoute(route.ns, route.name, { ...s, parent: pick(this.rng, others) });
      this.count('parentRef moved');
      return 'parentRef moved';
    }
    const ns = pick(this.rng, NAMESPACES);
    const svc = pick(this.rng, SERVICES);
    const key = `${ns}/${svc}`;
    if (r < 0.9 || !this.services.has(key)) {
      const ports = this.services.get(key)?.length === 1 ? [80, 8080] : [80];
      this.putService(ns, svc, ports);
      this.count('service ports changed');
      return 'service ports changed';
    }
    this.services.delete(key);
    this.trace.push(`delete Service ${key}`);
    this.k8s.deleteObject('Service', ns, svc);
    this.count('service deleted');
    return 'service deleted';
  }
}
