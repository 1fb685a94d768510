// Objects as the API server sends them: plain JSON. client-node's typed core APIs turn timestamps
// into Date objects; we turn them back, and strip what nobody downstream should see. And routes by
// kind: which group, plural and version to read each at, and what "not served" means.
import { ApiException } from '@kubernetes/client-node';
import type { CustomObjectsApi } from '@kubernetes/client-node';
import type { KubeObject, Route, RouteKind, StatusRouteKind } from '../gamma/types.ts';
import { GATEWAY_GROUP } from '../gamma/types.ts';

export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

function toPlain(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString().replace(/\.000Z$/, 'Z');
  if (Array.isArray(value)) return value.map(toPlain);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toPlain(v);
    return out;
  }
  return value;
}

/** Plain JSON copy without managedFields and the kubectl last-applied annotation. */
export function cleanObject<T>(obj: unknown): T {
  const plain = toPlain(obj) as {
    metadata?: { managedFields?: unknown; annotations?: Record<string, string> };
  };
  if (plain.metadata) {
    delete plain.metadata.managedFields;
    const annotations = plain.metadata.annotations;
    if (annotations && LAST_APPLIED in annotations) {
      delete annotations[LAST_APPLIED];
      if (!Object.keys(annotations).length) delete plain.metadata.annotations;
    }
  }
  return plain as T;
}

// ---- routes by kind: group, plural and the versions to read them at ----

/**
 * Where each route kind is served: its plural and the versions to try, preferred first. TCPRoute and
 * TLSRoute moved to v1 in Gateway API v1.6 (the experimental channel still serves v1alpha2, and
 * v1alpha3 for TLSRoute; older releases serve only those), so a read falls back down the list when
 * the cluster does not serve a version. The versions share one stored shape (no conversion).
 */
export const ROUTE_RESOURCES: Record<RouteKind, { plural: string; versions: readonly string[] }> = {
  HTTPRoute: { plural: 'httproutes', versions: ['v1'] },
  GRPCRoute: { plural: 'grpcroutes', versions: ['v1'] },
  TCPRoute: { plural: 'tcproutes', versions: ['v1', 'v1alpha2'] },
  TLSRoute: { plural: 'tlsroutes', versions: ['v1', 'v1alpha3', 'v1alpha2'] },
};

/**
 * The kinds read to write status on: the translated ones and UDPRoute, which is only ever rejected
 * (translate/udp.ts). UDPRoute is experimental and served at v1alpha2 only.
 */
export const STATUS_ROUTE_RESOURCES: Record<
  StatusRouteKind,
  { plural: string; versions: readonly string[] }
> = { ...ROUTE_RESOURCES, UDPRoute: { plural: 'udproutes', versions: ['v1alpha2'] } };

/** Why nothing of a kind was read: the cluster serves none of its versions (CRD not installed). */
export function notServedMessage(kind: RouteKind): string {
  const { plural, versions } = ROUTE_RESOURCES[kind];
  return (
    `the cluster does not serve ${plural}.${GATEWAY_GROUP} (${versions.join(', ')}): ` +
    `the ${kind} CRD is not installed, so there are no ${kind}s to translate`
  );
}

/**
 * A 404 that says the resource is not served (no such CRD or version), as opposed to a missing
 * object, whose Status names it in `details.name` (a missing namespace too).
 */
export function isNotServed(e: unknown): boolean {
  if (!(e instanceof ApiException) || e.code !== 404) return false;
  try {
    const body = (typeof e.body === 'string' ? JSON.parse(e.body) : e.body) as {
      details?: { name?: string };
    };
    return !body?.details?.name;
  } catch {
    return true;
  }
}

/** Versions to try for a kind: `first` (say, the apiVersion an object was seen at) leads when served. */
function versionsFor(kind: StatusRouteKind, first?: string): string[] {
  const versions = [...STATUS_ROUTE_RESOURCES[kind].versions];
  const v = first?.startsWith(`${GATEWAY_GROUP}/`) ? first.slice(GATEWAY_GROUP.length + 1) : undefined;
  return v && versions.includes(v) ? [v, ...versions.filter((x) => x !== v)] : versions;
}

export type RouteRead =
  { found: true; object: Record<string, unknown>; version: string } | { found: false; notServed: boolean };

/**
 * One route (or its status subresource), at the first version the cluster serves. Missing object:
 * not found; no version served: not found and `notServed`. Any other failure throws.
 */
export async function readRoute(
  custom: CustomObjectsApi,
  kind: StatusRouteKind,
  namespace: string,
  name: string,
  opts: { status?: boolean; apiVersion?: string } = {},
): Promise<RouteRead> {
  const { plural } = STATUS_ROUTE_RESOURCES[kind];
  for (const version of versionsFor(kind, opts.apiVersion)) {
    const ref = { group: GATEWAY_GROUP, version, plural, namespace, name };
    try {
      const object = (await (opts.status
        ? custom.getNamespacedCustomObjectStatus(ref)
        : custom.getNamespacedCustomObject(ref))) as Record<string, unknown>;
      return { found: true, object, version };
    } catch (e) {
      if (isNotServed(e)) continue;
      if (e instanceof ApiException && e.code === 404) return { found: false, notServed: false };
      throw e;
    }
  }
  return { found: false, notServed: true };
}

export interface ListPage {
  items: unknown[];
  metadata?: { resourceVersion?: string; _continue?: string; continue?: string };
}

/**
 * Follows `continue` tokens until the last page; throws on any failing page. Each page is reduced to
 * what we keep as it arrives, so the raw (client-node typed) page can be collected before the next
 * one comes: over a large cluster the raw lists would otherwise double the peak memory.
 */
export async function listPages<T>(
  fetchPage: (cont: string | undefined) => Promise<ListPage>,
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
 * A list item as a snapshot holds it: plain JSON with its apiVersion and kind, without `status`
 * (translation reads spec and metadata only; route status is read again where it is written).
 */
export const listItem =
  <T>(apiVersion: string, kind: string) =>
  (o: unknown): T => {
    const { status: _status, ...rest } = o as { status?: unknown };
    return cleanObject<T>({ apiVersion, kind, ...rest });
  };

/**
 * Every route of a kind in the cluster (all pages, at the first version served), as plain JSON with
 * apiVersion and kind, without status (translation reads spec and metadata) unless `withStatus`. A kind the cluster does
 * not serve has no routes (`notServed`); any other failure, on any page, throws: a partial list must
 * never look like "no routes".
 */
export async function listRoutes<T extends KubeObject = Route>(
  custom: CustomObjectsApi,
  kind: StatusRouteKind,
  opts: { limit?: number; withStatus?: boolean } = {},
): Promise<{ items: T[]; resourceVersion: string; version?: string; notServed: boolean }> {
  const { plural } = STATUS_ROUTE_RESOURCES[kind];
  for (const version of versionsFor(kind)) {
    let firstPage = true;
    try {
      const list = await listPages(
        async (cont) => {
          const page = (await custom.listClusterCustomObject({
            group: GATEWAY_GROUP,
            version,
            plural,
            limit: opts.limit ?? 500,
            _continue: cont,
          })) as ListPage;
          firstPage = false;
          return page;
        },
        opts.withStatus
          ? (o) => cleanObject<T>({ apiVersion: `${GATEWAY_GROUP}/${version}`, kind, ...(o as object) })
          : listItem<T>(`${GATEWAY_GROUP}/${version}`, kind),
      );
      return { ...list, version, notServed: false };
    } catch (e) {
      // Only the first page can say "not served"; a later 404 is a failure like any other.
      if (firstPage && isNotServed(e)) continue;
      throw e;
    }
  }
  return { items: [], resourceVersion: '', notServed: true };
}
