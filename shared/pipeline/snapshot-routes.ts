// The routes of a snapshot, every kind in one list: what the pipeline's checks (freshness, digest,
// ports, caps, status) walk. TCPRoutes and TLSRoutes are optional in a snapshot (events from a
// watcher that predates them carry none), so an absent list reads as empty and stays absent.
//
// UDPRoutes are not a RouteKind: nothing is translated from them, they are only rejected in their
// status (translate/udp.ts). So snapshotRoutes leaves them out, and with it everything about what
// Network Services gets: the freshness check, the digest on the parent's resources and the
// candidate ports. What is paid or written per route (the caps, the live reads, route status)
// walks statusRoutes, which adds them. They are optional like TCP/TLS routes.
import type { Route, RouteKind, StatusRouteKind, UDPRoute } from '../gamma/types.ts';
import type { Snapshot } from '../translate/types.ts';

export const SNAPSHOT_ROUTE_FIELDS = {
  HTTPRoute: 'httpRoutes',
  GRPCRoute: 'grpcRoutes',
  TCPRoute: 'tcpRoutes',
  TLSRoute: 'tlsRoutes',
} as const satisfies Record<RouteKind, keyof Snapshot>;

export const ROUTE_KINDS = Object.keys(SNAPSHOT_ROUTE_FIELDS) as RouteKind[];

export type SnapshotRouteField = (typeof SNAPSHOT_ROUTE_FIELDS)[RouteKind];

/** The snapshot's list of one kind (empty when absent). */
export function routesOfKind(s: Snapshot, kind: RouteKind): Route[] {
  return (s[SNAPSHOT_ROUTE_FIELDS[kind]] ?? []) as Route[];
}

/** Every route of the snapshot with its kind, in kind order (HTTP, gRPC, TCP, TLS). */
export function snapshotRoutes(s: Snapshot): { kind: RouteKind; route: Route }[] {
  return ROUTE_KINDS.flatMap((kind) => routesOfKind(s, kind).map((route) => ({ kind, route })));
}

/**
 * The snapshot's route lists, each passed through `f`; an optional list that is absent stays
 * absent (so a snapshot without TCP/TLS routes keeps its exact shape).
 */
export function mapRouteLists(
  s: Snapshot,
  f: (routes: Route[], kind: RouteKind) => Route[],
): Pick<Snapshot, SnapshotRouteField> {
  const out: Partial<Record<SnapshotRouteField, Route[]>> = {};
  for (const kind of ROUTE_KINDS) {
    const field = SNAPSHOT_ROUTE_FIELDS[kind];
    if (s[field] !== undefined) out[field] = f(s[field] as Route[], kind);
  }
  return out as Pick<Snapshot, SnapshotRouteField>;
}

/** The snapshot's UDPRoutes (empty when absent, as in events from a watcher that predates them). */
export function udpRoutesOf(s: Snapshot): UDPRoute[] {
  return (s.udpRoutes ?? []) as UDPRoute[];
}

/** Every route of the snapshot gamma-csm writes status on: snapshotRoutes, then the UDPRoutes. */
export function statusRoutes(s: Snapshot): { kind: StatusRouteKind; route: Route | UDPRoute }[] {
  return [...snapshotRoutes(s), ...udpRoutesOf(s).map((route) => ({ kind: 'UDPRoute' as const, route }))];
}
