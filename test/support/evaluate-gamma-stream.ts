// What the Gateway API spec says a mesh does with a TCP connection (TCPRoute, TLSRoute; GEP-1294):
// the frontend is the Service whose cluster IP the client connects to; on that port only one route
// kind applies (GRPCRoute, HTTPRoute, TLSRoute, TCPRoute, first wins); between routes of one kind the
// most specific match, then the oldest route, then namespace/name wins; a rule sends connections to
// its backendRefs by weight, and the share of an invalid backend is refused.
import type {
  BackendRef,
  GRPCRoute,
  HTTPRoute,
  KubeObject,
  Service,
  TCPRoute,
  TLSRoute,
} from '../../shared/gamma/types.ts';
import type { BackendTarget } from './request.ts';
import { compareKeys, routeSet, routeTieBreak, serviceHasPort } from './evaluate-gamma.ts';
import type { ConnectionOutcome, MeshConnection } from './connection.ts';
import { PASSTHROUGH, weighted } from './connection.ts';

export interface StreamObjects {
  services: Service[];
  httpRoutes?: HTTPRoute[];
  grpcRoutes?: GRPCRoute[];
  tcpRoutes?: TCPRoute[];
  tlsRoutes?: TLSRoute[];
  /** Never routed (no Network Services counterpart): only rejected in status. */
  udpRoutes?: KubeObject[];
}

export function evaluateGammaConnection(objects: StreamObjects, conn: MeshConnection): ConnectionOutcome {
  const frontend = objects.services.find(
    (s) => s.spec.clusterIP === conn.address || (s.spec.clusterIPs ?? []).includes(conn.address),
  );
  if (!frontend || frontend.spec.clusterIP === 'None') return PASSTHROUGH;
  const port = (frontend.spec.ports ?? []).find(
    (p) => p.port === conn.port && (p.protocol ?? 'TCP') === 'TCP',
  );
  if (!port) return PASSTHROUGH;
  const attached = <R extends HTTPRoute | GRPCRoute | TCPRoute | TLSRoute>(routes: R[] | undefined) =>
    routeSet(routes ?? [], frontend, port, conn.clientNamespace);
  // GRPCRoute and HTTPRoute come first: such a port is judged request by request (evaluate-gamma.ts).
  if (attached(objects.grpcRoutes).length || attached(objects.httpRoutes).length) return PASSTHROUGH;
  const tls = attached(objects.tlsRoutes);
  if (tls.length) return tlsOutcome(tls, objects.services, conn);
  const tcp = attached(objects.tcpRoutes);
  if (tcp.length) return ruleOutcome(oldest(tcp), objects.services);
  return PASSTHROUGH;
}

function oldest<R extends TCPRoute | TLSRoute>(routes: R[]): R {
  return [...routes].sort((a, b) => compareKeys(routeTieBreak(a), routeTieBreak(b)))[0];
}

/** Exact hostname over wildcards, a longer wildcard over a shorter; 0 when it does not match. */
export function sniScore(hostname: string, sni: string): number {
  if (hostname === sni) return Number.MAX_SAFE_INTEGER;
  if (hostname.startsWith('*.') && sni.endsWith(hostname.slice(1)) && sni.length > hostname.length - 1)
    return hostname.length;
  return 0;
}

/** The most specific hostname match wins, then the oldest route; no match refuses the connection. */
function tlsOutcome(routes: TLSRoute[], services: Service[], conn: MeshConnection): ConnectionOutcome {
  const sni = conn.sni?.toLowerCase();
  let best: { route: TLSRoute; score: number } | undefined;
  for (const route of [...routes].sort((a, b) => compareKeys(routeTieBreak(a), routeTieBreak(b)))) {
    for (const h of route.spec.hostnames ?? []) {
      const score = sni === undefined ? 0 : sniScore(h.toLowerCase(), sni);
      if (score > (best?.score ?? 0)) best = { route, score };
    }
  }
  if (!best) return { kind: 'routed', branches: [{ weight: 1 }] };
  return ruleOutcome(best.route, services);
}

/** The route's first rule (TCPRoute and TLSRoute rules have no matches): its backendRefs by weight. */
function ruleOutcome(route: TCPRoute | TLSRoute, services: Service[]): ConnectionOutcome {
  const routeNs = route.metadata.namespace ?? 'default';
  const refs: BackendRef[] = route.spec.rules?.[0]?.backendRefs ?? [];
  return weighted(
    refs.map((ref) => {
      const backend = resolve(ref, routeNs, services);
      const weight = ref.weight ?? 1;
      return backend ? { weight, backend } : { weight };
    }),
  );
}

function resolve(ref: BackendRef, routeNs: string, services: Service[]): BackendTarget | undefined {
  if ((ref.group ?? '') !== '' || (ref.kind ?? 'Service') !== 'Service') return undefined;
  const namespace = ref.namespace ?? routeNs;
  if (!serviceHasPort(services, namespace, ref.name, ref.port)) return undefined;
  return { namespace, service: ref.name, port: ref.port as number };
}
