// What Cloud Service Mesh's data plane does with a TCP connection, given translate's TcpRoutes and
// TlsRoutes (field docs of TcpRoute and TlsRoute in the Network Services v1 discovery document):
// - TcpRoute: the first rule with a match whose IPv4 CIDR `address` holds the destination and whose
//   `port` is the destination port (a rule without matches matches every connection). Two routes on
//   the Mesh matching one connection is an ambiguity this model refuses to decide (it throws).
// - otherwise TlsRoute: SNI matched exactly, then against ever broader wildcards (`*.example.com`,
//   then `*.com`), `alpn` ANDed when set.
// - destinations by weight (none set: an equal split); `originalDestination` and no matching route are
//   passthrough. Unverified on a live mesh: which of a TcpRoute and a TlsRoute wins when both match
//   (Envoy's filter chain match ranks the destination IP above the server name, as modelled here),
//   and what a sidecar does with a connection no route matches.
import type { networkservices_v1 as ns } from 'googleapis/build/src/apis/networkservices/v1.js';
import type { Desired } from '../../shared/translate/types.ts';
import type { BackendTarget } from './request.ts';
import type { ConnectionOutcome, MeshConnection } from './connection.ts';
import { PASSTHROUGH, weighted } from './connection.ts';

type Destination = ns.Schema$TcpRouteRouteDestination | ns.Schema$TlsRouteRouteDestination;

export function evaluateNsConnection(desired: Desired, conn: MeshConnection): ConnectionOutcome {
  const meshName = desired.mesh?.name;
  const onMesh = (r: { meshes?: string[] | null }) => !meshName || (r.meshes ?? []).includes(meshName);
  const tcp = tcpRule(desired.tcpRoutes.filter(onMesh), conn);
  if (tcp) {
    if (tcp.action?.originalDestination) return PASSTHROUGH;
    return destinationsOutcome(desired, tcp.action?.destinations ?? []);
  }
  const tls = tlsRule(desired.tlsRoutes.filter(onMesh), conn);
  if (tls) return destinationsOutcome(desired, tls.action?.destinations ?? []);
  return PASSTHROUGH;
}

function tcpRule(
  routes: ns.Schema$TcpRoute[],
  conn: MeshConnection,
): ns.Schema$TcpRouteRouteRule | undefined {
  const hits = routes
    .map((route) => ({ route, rule: (route.rules ?? []).find((r) => tcpRuleMatches(r, conn)) }))
    .filter((h) => h.rule !== undefined);
  if (hits.length > 1)
    throw new Error(
      `ambiguous: TcpRoutes ${hits.map((h) => h.route.name).join(', ')} all match ${conn.address}:${conn.port}`,
    );
  return hits[0]?.rule;
}

function tcpRuleMatches(rule: ns.Schema$TcpRouteRouteRule, conn: MeshConnection): boolean {
  const matches = rule.matches ?? [];
  if (matches.length === 0) return true;
  return matches.some((m) => String(conn.port) === m.port && inCidr(conn.address, m.address ?? ''));
}

/** IPv4 only, as TcpRoute documents; a bare address is a /32. */
export function inCidr(address: string, cidr: string): boolean {
  const [base, bits = '32'] = cidr.split('/');
  const a = ipv4(address);
  const b = ipv4(base);
  const n = Number(bits);
  if (a === undefined || b === undefined || !Number.isInteger(n) || n < 0 || n > 32) return false;
  const mask = n === 0 ? 0 : (0xffffffff << (32 - n)) >>> 0;
  return (a & mask) >>> 0 === (b & mask) >>> 0;
}

function ipv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

/** Exact SNI first, then `*.` plus each broader parent domain; the first rule (in route order) holding it. */
function tlsRule(
  routes: ns.Schema$TlsRoute[],
  conn: MeshConnection,
): ns.Schema$TlsRouteRouteRule | undefined {
  if (conn.sni === undefined) return undefined;
  const labels = conn.sni.toLowerCase().split('.');
  const candidates = [
    labels.join('.'),
    ...labels.slice(1).map((_, i) => `*.${labels.slice(i + 1).join('.')}`),
  ];
  for (const name of candidates) {
    for (const route of routes)
      for (const rule of route.rules ?? [])
        if ((rule.matches ?? []).some((m) => (m.sniHost ?? []).includes(name) && (m.alpn ?? []).length === 0))
          return rule;
  }
  return undefined;
}

function destinationsOutcome(desired: Desired, destinations: Destination[]): ConnectionOutcome {
  const byName = new Map(desired.backends.map((b) => [b.serviceName, b]));
  const anyWeight = destinations.some((d) => d.weight != null);
  return weighted(
    destinations.map((d) => {
      const b = byName.get(d.serviceName ?? '');
      if (!b) throw new Error(`destination ${d.serviceName} is not listed in desired.backends`);
      const backend: BackendTarget = { namespace: b.namespace, service: b.service, port: b.port };
      return { weight: anyWeight ? (d.weight ?? 0) : 1, backend };
    }),
  );
}
