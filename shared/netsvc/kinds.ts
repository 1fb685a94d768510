// The Network Services collections gamma-csm writes, named as the v1 API names them: the one table
// every layer (client, plan, apply, pipeline, uninstall) iterates, so a route kind is added here once.
import type { NsGrpcRoute, NsHttpRoute, NsMesh, NsTcpRoute, NsTlsRoute } from '../translate/types.ts';

/** Route collections and their bodies; Desired and ActualState carry one list per key. */
export interface RouteBodies {
  httpRoutes: NsHttpRoute;
  grpcRoutes: NsGrpcRoute;
  tcpRoutes: NsTcpRoute;
  tlsRoutes: NsTlsRoute;
}
export type RouteCollection = keyof RouteBodies;
export type NsRoute = RouteBodies[RouteCollection];

export interface NetsvcBodies extends RouteBodies {
  meshes: NsMesh;
}
export type NetsvcKind = keyof NetsvcBodies;
export type NetsvcBody<K extends NetsvcKind = NetsvcKind> = NetsvcBodies[K];

/** In planning and listing order. */
export const ROUTE_COLLECTIONS: readonly RouteCollection[] = [
  'httpRoutes',
  'grpcRoutes',
  'tcpRoutes',
  'tlsRoutes',
];
export const NETSVC_KINDS: readonly NetsvcKind[] = ['meshes', ...ROUTE_COLLECTIONS];

/** The create method's id parameter of each collection. */
export const ID_PARAM: Record<NetsvcKind, string> = {
  meshes: 'meshId',
  httpRoutes: 'httpRouteId',
  grpcRoutes: 'grpcRouteId',
  tcpRoutes: 'tcpRouteId',
  tlsRoutes: 'tlsRouteId',
};

export function isRouteCollection(kind: string): kind is RouteCollection {
  return (ROUTE_COLLECTIONS as readonly string[]).includes(kind);
}

/** One list of bodies per route collection (the route part of Desired and of ActualState). */
export type RouteLists = { [K in RouteCollection]: RouteBodies[K][] };

function perCollection(value: (k: RouteCollection) => NsRoute[]): RouteLists {
  return Object.fromEntries(ROUTE_COLLECTIONS.map((k) => [k, value(k)])) as unknown as RouteLists;
}

/**
 * The routes of one collection; a body written before that collection existed (JSON from an older
 * release, a partial fixture) lacks the list, which means none.
 */
export function routesOf(lists: RouteLists, k: RouteCollection): NsRoute[] {
  return (lists[k] as NsRoute[] | undefined) ?? [];
}

/** One list per route collection, each empty. */
export function noRoutes(): RouteLists {
  return perCollection(() => []);
}

/** Every route of every collection, in ROUTE_COLLECTIONS order. */
export function allRoutes(lists: RouteLists): NsRoute[] {
  return ROUTE_COLLECTIONS.flatMap((k) => routesOf(lists, k));
}

/** The same lists with `f` applied to every route (labels stamped, bounds applied...). */
export function mapRoutes(
  lists: RouteLists,
  f: <T extends NsRoute>(route: T, collection: RouteCollection) => T,
): RouteLists {
  return perCollection((k) => routesOf(lists, k).map((r) => f(r, k)));
}

/** The same lists keeping the routes `keep` accepts. */
export function filterRoutes(
  lists: RouteLists,
  keep: (route: NsRoute, collection: RouteCollection) => boolean,
): RouteLists {
  return perCollection((k) => routesOf(lists, k).filter((r) => keep(r, k)));
}
