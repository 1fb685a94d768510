// Whole-cluster reads for translate: every page of every kind, or nothing. A failed or partial read
// must never look like "no routes" (docs/architecture.md §3.1), so any error rejects. The one
// exception is a kind whose CRD the cluster does not have (TCPRoute, TLSRoute, ReferenceGrant):
// every version answering 404 means there are none.
import { ApiException, CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import type {
  GRPCRoute,
  HTTPRoute,
  Namespace,
  ReferenceGrant,
  Service,
  TCPRoute,
  TLSRoute,
} from '../gamma/types.ts';
import { GATEWAY_GROUP } from '../gamma/types.ts';
import type { Snapshot } from '../translate/types.ts';
import { cleanObject } from './objects.ts';
import type { OptionalRouteKind } from './route-versions.ts';
import { ROUTE_KIND_OF, servedRouteVersion } from './route-versions.ts';

export interface ClusterSnapshot extends Snapshot {
  /** Empty when the cluster has no CRD for the kind. */
  tcpRoutes: TCPRoute[];
  tlsRoutes: TLSRoute[];
  namespaces: Namespace[];
  referenceGrants: ReferenceGrant[];
  /** Highest list resourceVersion seen: a cluster-wide sequence for freshness checks. */
  resourceVersion: string;
}

interface Page {
  items: unknown[];
  metadata?: { resourceVersion?: string; _continue?: string; continue?: string };
}

/**
 * Follows `continue` tokens until the last page; throws on any failing page. Each page is reduced to
 * what we keep as it arrives, so the raw (client-node typed) page can be collected before the next
 * one comes: over a large cluster the raw lists would otherwise double the peak memory.
 */
async function listAll<T>(
  fetchPage: (cont: string | undefined) => Promise<Page>,
  keep: (item: unknown) => T,
): Promise<{ items: T[]; resourceVersion: string }> {
  const items: T[] = [];
  let cont: string | undefined;
  let resourceVersion = '';
  do {
    const page = await fetchPage(cont);
    for (const item of page.items) items.push(keep(item));
    resourceVersion ||= page.metadata?.resourceVersion ?? '';
    cont = page.metadata?._continue ?? page.metadata?.continue ?? undefined;
  } while (cont);
  return { items, resourceVersion };
}

/**
 * A list item as the snapshot holds it: plain JSON with its kind, without `status` (translation
 * reads spec and metadata only; route status is read again where it is written, shared/cluster/status.ts).
 */
const withKind =
  <T>(apiVersion: string, kind: string) =>
  (o: unknown): T => {
    const { status: _status, ...rest } = o as { status?: unknown };
    return cleanObject<T>({ apiVersion, kind, ...rest });
  };

export async function readClusterSnapshot(
  kc: KubeConfig,
  opts: { pageSize?: number } = {},
): Promise<ClusterSnapshot> {
  const limit = opts.pageSize ?? 500;
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const routes = <T>(plural: string, kind: string) =>
    listAll(
      (cont) =>
        custom.listClusterCustomObject({
          group: GATEWAY_GROUP,
          version: 'v1',
          plural,
          limit,
          _continue: cont,
        }) as Promise<Page>,
      withKind<T>(`${GATEWAY_GROUP}/v1`, kind),
    );
  const [services, httpRoutes, grpcRoutes, tcpRoutes, tlsRoutes, namespaces, referenceGrants] =
    await Promise.all([
      listAll(
        (cont) => core.listServiceForAllNamespaces({ limit, _continue: cont }) as Promise<Page>,
        withKind<Service>('v1', 'Service'),
      ),
      routes<HTTPRoute>('httproutes', 'HTTPRoute'),
      routes<GRPCRoute>('grpcroutes', 'GRPCRoute'),
      optionalRoutes<TCPRoute>(kc, custom, 'tcproutes', limit),
      optionalRoutes<TLSRoute>(kc, custom, 'tlsroutes', limit),
      listAll(
        (cont) => core.listNamespace({ limit, _continue: cont }) as Promise<Page>,
        withKind<Namespace>('v1', 'Namespace'),
      ),
      listReferenceGrants(custom, limit),
    ]);
  const lists = [services, httpRoutes, grpcRoutes, tcpRoutes, tlsRoutes, namespaces, referenceGrants];
  const rv = lists.map((l) => Number(l.resourceVersion) || 0);
  return {
    services: services.items,
    httpRoutes: httpRoutes.items,
    grpcRoutes: grpcRoutes.items,
    tcpRoutes: tcpRoutes.items,
    tlsRoutes: tlsRoutes.items,
    namespaces: namespaces.items,
    referenceGrants: referenceGrants.items,
    resourceVersion: String(Math.max(...rv)),
  };
}

/**
 * Every TCPRoute or TLSRoute, listed at the version the cluster serves (route-versions.ts); none
 * when no version is served (no CRD). Any other failure rejects like every other list.
 */
async function optionalRoutes<T>(
  kc: KubeConfig,
  custom: CustomObjectsApi,
  plural: OptionalRouteKind,
  limit: number,
): Promise<{ items: T[]; resourceVersion: string }> {
  const version = await servedRouteVersion(kc, plural);
  if (version === undefined) return { items: [], resourceVersion: '' };
  return listAll(
    (cont) =>
      custom.listClusterCustomObject({
        group: GATEWAY_GROUP,
        version,
        plural,
        limit,
        _continue: cont,
      }) as Promise<Page>,
    withKind<T>(`${GATEWAY_GROUP}/${version}`, ROUTE_KIND_OF[plural]),
  );
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
    return await listAll(
      (cont) => custom.listClusterCustomObject({ ...base, _continue: cont }) as Promise<Page>,
      withKind<ReferenceGrant>(`${GATEWAY_GROUP}/${REFERENCE_GRANT_VERSION}`, 'ReferenceGrant'),
    );
  } catch (e) {
    if (e instanceof ApiException && e.code === 404) return { items: [], resourceVersion: '' };
    throw e;
  }
}
