// Small builders for planner tests: resources shaped like translator output and API listings.
import type {
  Desired,
  NsGrpcRoute,
  NsHttpRoute,
  NsMesh,
  NsTcpRoute,
  NsTlsRoute,
} from '../../shared/translate/types.ts';
import { LABEL_CLUSTER, LABEL_MANAGED_BY, LABEL_PARENT } from '../../shared/translate/types.ts';
import type { ActualState, PlanOptions } from '../../shared/plan/index.ts';

export const P = 'projects/p/locations/global';
export const MESH = `${P}/meshes/m`;

export function ourLabels(cluster = 'c1', parent = 'ns-svc'): Record<string, string> {
  return { [LABEL_MANAGED_BY]: 'gamma-csm', [LABEL_CLUSTER]: cluster, [LABEL_PARENT]: parent };
}

export function mesh(extra: Partial<NsMesh> = {}): NsMesh {
  return { name: MESH, labels: { [LABEL_MANAGED_BY]: 'gamma-csm', [LABEL_CLUSTER]: 'c1' }, ...extra };
}

export function httpRoute(id: string, extra: Partial<NsHttpRoute> = {}): NsHttpRoute {
  return {
    name: `${P}/httpRoutes/${id}`,
    description: `HTTPRoute ns/${id} -> Service ns/${id}:80`,
    hostnames: [`${id}.ns.svc.cluster.local`, `${id}.ns`],
    meshes: [MESH],
    labels: ourLabels('c1', `ns-${id}`),
    rules: [
      {
        matches: [{ prefixMatch: '/' }],
        action: {
          destinations: [{ serviceName: `${P}/backendServices/${id}-80`, weight: 1 }],
          timeout: '10s',
        },
      },
    ],
    ...extra,
  };
}

export function grpcRoute(id: string, extra: Partial<NsGrpcRoute> = {}): NsGrpcRoute {
  return {
    name: `${P}/grpcRoutes/${id}`,
    hostnames: [`${id}.ns.svc.cluster.local:50051`],
    meshes: [MESH],
    labels: ourLabels('c1', `ns-${id}`),
    rules: [
      {
        matches: [{ method: { grpcService: 'pkg.Svc', grpcMethod: 'Get', caseSensitive: false } }],
        action: { destinations: [{ serviceName: `${P}/backendServices/${id}-50051`, weight: 0 }] },
      },
    ],
    ...extra,
  };
}

export function tcpRoute(id: string, extra: Partial<NsTcpRoute> = {}): NsTcpRoute {
  return {
    name: `${P}/tcpRoutes/${id}`,
    description: `TCPRoute ns/${id} -> Service ns/${id}:5432`,
    meshes: [MESH],
    labels: ourLabels('c1', `ns-${id}`),
    rules: [
      {
        matches: [{ address: '10.0.0.12/32', port: '5432' }],
        action: {
          destinations: [
            { serviceName: `${P}/backendServices/${id}-a-5432-tcp`, weight: 90 },
            { serviceName: `${P}/backendServices/${id}-b-5432-tcp`, weight: 10 },
          ],
        },
      },
    ],
    ...extra,
  };
}

export function tlsRoute(id: string, extra: Partial<NsTlsRoute> = {}): NsTlsRoute {
  return {
    name: `${P}/tlsRoutes/${id}`,
    description: `TLSRoute ns/${id} -> Service ns/${id}:443`,
    meshes: [MESH],
    labels: ourLabels('c1', `ns-${id}`),
    rules: [
      {
        matches: [{ sniHost: [`${id}.example.com`, `www.${id}.example.com`] }],
        action: { destinations: [{ serviceName: `${P}/backendServices/${id}-443-tcp`, weight: 1 }] },
      },
    ],
    ...extra,
  };
}

export function desired(parts: Partial<Desired> = {}): Desired {
  return {
    mesh: mesh(),
    httpRoutes: [],
    grpcRoutes: [],
    tcpRoutes: [],
    tlsRoutes: [],
    backends: [],
    statuses: [],
    ...parts,
  };
}

export function actual(parts: Partial<ActualState> = {}): ActualState {
  return {
    meshes: [mesh()],
    httpRoutes: [],
    grpcRoutes: [],
    tcpRoutes: [],
    tlsRoutes: [],
    complete: true,
    ...parts,
  };
}

export const OPTS: PlanOptions = { clusterId: 'c1', manageMesh: false, adopt: false, forceDelete: false };

/** What the API returns for a stored resource: output-only fields added, sets and maps reordered. */
export function asListed<T extends NsMesh | NsHttpRoute | NsGrpcRoute | NsTcpRoute | NsTlsRoute>(
  body: T,
  kind: string,
): T {
  const id = (body.name ?? '').split('/').pop();
  const listed = structuredClone(body) as T & Record<string, unknown>;
  listed.createTime = '2026-01-01T00:00:00.000000000Z';
  listed.updateTime = '2026-01-01T00:00:01.000000000Z';
  listed.selfLink = `https://networkservices.googleapis.com/v1alpha1/${P}/${kind}/${id}`;
  if (listed.labels) listed.labels = Object.fromEntries(Object.entries(listed.labels).reverse());
  const withLists = listed as { hostnames?: string[] | null; meshes?: string[] | null };
  if (withLists.hostnames) withLists.hostnames = [...withLists.hostnames].reverse();
  if (withLists.meshes) withLists.meshes = [...withLists.meshes].reverse();
  return listed;
}
