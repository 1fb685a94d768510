// Whole-cluster reads for translate: every page of every kind, or nothing. A failed or partial read
// must never look like "no routes" (docs/architecture.md §3.1), so any error rejects. The one
// exception is a kind whose CRD the cluster does not have (TCPRoute, TLSRoute, UDPRoute, ReferenceGrant):
// every version answering 404 means there are none.
import { ApiException, CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import type {
  GRPCRoute,
  HTTPRoute,
  Namespace,
  ReferenceGrant,
  Route,
  Service,
  TCPRoute,
  TLSRoute,
  UDPRoute,
} from '../gamma/types.ts';
import { GATEWAY_GROUP } from '../gamma/types.ts';
import type { Snapshot } from '../translate/types.ts';
import { listItem, listPages, listRoutes, notServedMessage, type ListPage } from './objects.ts';

export interface ClusterSnapshot extends Snapshot {
  /** Empty when the cluster has no CRD for the kind. */
  tcpRoutes: TCPRoute[];
  tlsRoutes: TLSRoute[];
  udpRoutes: UDPRoute[];
  namespaces: Namespace[];
  referenceGrants: ReferenceGrant[];
  /** Optional kinds the cluster has no CRD for (so none of them were read). */
  notServed: Array<'TCPRoute' | 'TLSRoute'>;
  /** Highest list resourceVersion seen: a cluster-wide sequence for freshness checks. */
  resourceVersion: string;
}

export async function readClusterSnapshot(
  kc: KubeConfig,
  opts: { pageSize?: number } = {},
): Promise<ClusterSnapshot> {
  const limit = opts.pageSize ?? 500;
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const [services, httpRoutes, grpcRoutes, tcpRoutes, tlsRoutes, udpRoutes, namespaces, referenceGrants] =
    await Promise.all([
      listPages(
        (cont) => core.listServiceForAllNamespaces({ limit, _continue: cont }) as Promise<ListPage>,
        listItem<Service>('v1', 'Service'),
      ),
      requiredRoutes<HTTPRoute>(custom, 'HTTPRoute', limit),
      requiredRoutes<GRPCRoute>(custom, 'GRPCRoute', limit),
      listRoutes<TCPRoute>(custom, 'TCPRoute', { limit }),
      listRoutes<TLSRoute>(custom, 'TLSRoute', { limit }),
      // Only to reject them in status (translate/udp.ts); without the CRD there are none.
      listRoutes<UDPRoute>(custom, 'UDPRoute', { limit }),
      listPages(
        (cont) => core.listNamespace({ limit, _continue: cont }) as Promise<ListPage>,
        listItem<Namespace>('v1', 'Namespace'),
      ),
      listReferenceGrants(custom, limit),
    ]);
  const lists = [
    services,
    httpRoutes,
    grpcRoutes,
    tcpRoutes,
    tlsRoutes,
    udpRoutes,
    namespaces,
    referenceGrants,
  ];
  const rv = lists.map((l) => Number(l.resourceVersion) || 0);
  return {
    services: services.items,
    httpRoutes: httpRoutes.items,
    grpcRoutes: grpcRoutes.items,
    tcpRoutes: tcpRoutes.items,
    tlsRoutes: tlsRoutes.items,
    udpRoutes: udpRoutes.items,
    namespaces: namespaces.items,
    referenceGrants: referenceGrants.items,
    notServed: [
      ...(tcpRoutes.notServed ? ['TCPRoute' as const] : []),
      ...(tlsRoutes.notServed ? ['TLSRoute' as const] : []),
    ],
    resourceVersion: String(Math.max(...rv)),
  };
}

/**
 * HTTPRoutes and GRPCRoutes: a cluster that does not serve them is a failure, not "no routes" (the
 * standard channel's CRDs are a prerequisite, docs/gke.md; an empty list would delete everything).
 */
async function requiredRoutes<T extends Route>(
  custom: CustomObjectsApi,
  kind: 'HTTPRoute' | 'GRPCRoute',
  limit: number,
): Promise<{ items: T[]; resourceVersion: string }> {
  const list = await listRoutes<T>(custom, kind, { limit });
  if (list.notServed) throw new Error(notServedMessage(kind));
  return list;
}

/** The ReferenceGrant version every Gateway API release serves (v1 only from 1.5 on). */
export const REFERENCE_GRANT_VERSION = 'v1beta1';

/**
 * Every ReferenceGrant in the cluster. A cluster without the CRD (404) has none; any other failure
 * rejects like every other list (docs/security.md §2).
 */
export async function listReferenceGrants(
  custom: CustomObjectsApi,
  limit: number,
): Promise<{ items: ReferenceGrant[]; resourceVersion: string }> {
  const base = { group: GATEWAY_GROUP, version: REFERENCE_GRANT_VERSION, plural: 'referencegrants', limit };
  try {
    return await listPages(
      (cont) => custom.listClusterCustomObject({ ...base, _continue: cont }) as Promise<ListPage>,
      listItem<ReferenceGrant>(`${GATEWAY_GROUP}/${REFERENCE_GRANT_VERSION}`, 'ReferenceGrant'),
    );
  } catch (e) {
    if (e instanceof ApiException && e.code === 404) return { items: [], resourceVersion: '' };
    throw e;
  }
}
