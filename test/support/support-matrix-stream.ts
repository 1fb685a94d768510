// The TCPRoute, TLSRoute, UDPRoute and "route kinds on one port" rows of docs/support-matrix.md, as
// data: each row is a small scenario on one parent Service, the route whose status it checks and,
// for rows that claim the spec's behaviour, a connection on which evaluateNsConnection(translate())
// must equal evaluateGammaConnection() (test/conformance/support-matrix.test.ts).
import type {
  BackendRef,
  HTTPRoute,
  KubeObject,
  GRPCRoute,
  Service,
  TCPRoute,
  TLSRoute,
} from '../../shared/gamma/types.ts';
import type { MeshConnection } from './connection.ts';
import type { StreamObjects } from './evaluate-gamma-stream.ts';
import type { Support } from './support-matrix-data.ts';

export type StreamSection = 'TCPRoute' | 'TLSRoute' | 'UDPRoute' | 'Route kinds on one port';

export interface StreamRow {
  id: string;
  section: StreamSection;
  field: string;
  support: Support;
  how: string;
  /** The route whose status the row checks, whether it is Accepted, and text its status must carry. */
  check: { route: string; accepted: boolean; status?: string };
  objects: StreamObjects;
  /** Supported rows: a connection the translation must route as the spec says. */
  connection?: MeshConnection;
}

const NS = 'd';
const IP = '10.1.0.1';
const svc = (name: string, spec: Partial<Service['spec']>, ports: Service['spec']['ports']): Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: NS },
  spec: { ...spec, ports },
});
const PARENT_PORTS = [
  { name: 'db', port: 5432 },
  { name: 'tls', port: 443 },
  { name: 'http', port: 80 },
];
const backends = ['b1', 'b2'].map((n, i) =>
  svc(n, { clusterIP: `10.1.0.${i + 2}` }, [{ name: 'tcp', port: 5432 }]),
);
const services = (spec: Partial<Service['spec']> = { clusterIP: IP }) => [
  svc('svc', spec, PARENT_PORTS),
  ...backends,
];

const parent = (port?: number) => [{ group: '', kind: 'Service', name: 'svc', ...(port ? { port } : {}) }];
const refs = (...list: [string, number?][]): BackendRef[] =>
  list.map(([name, weight]) => ({ name, port: 5432, ...(weight === undefined ? {} : { weight }) }));
const meta = (name: string, created?: string) => ({
  name,
  namespace: NS,
  ...(created ? { creationTimestamp: created } : {}),
});

function tcp(
  name: string,
  backendRefs = refs(['b1']),
  port: number | null = 5432,
  extra: Partial<TCPRoute> = {},
): TCPRoute {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'TCPRoute',
    metadata: meta(name),
    spec: { parentRefs: parent(port ?? undefined), rules: [{ backendRefs }] },
    ...extra,
  };
}

function tls(
  name: string,
  hostnames: string[] | undefined,
  backendRefs = refs(['b1']),
  created?: string,
): TLSRoute {
  return {
    apiVersion: `gateway.networking.k8s.io/${hostnames ? 'v1' : 'v1alpha2'}`,
    kind: 'TLSRoute',
    metadata: meta(name, created),
    spec: { parentRefs: parent(443), ...(hostnames ? { hostnames } : {}), rules: [{ backendRefs }] },
  };
}

const http = (name: string, port: number): HTTPRoute => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: meta(name),
  spec: { parentRefs: parent(port), rules: [{ backendRefs: refs(['b1']) }] },
});

const grpc = (name: string, port: number): GRPCRoute => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'GRPCRoute',
  metadata: meta(name),
  spec: { parentRefs: parent(port), rules: [{ backendRefs: refs(['b1']) }] },
});

const conn = (port: number, sni?: string): MeshConnection => ({
  clientNamespace: NS,
  address: IP,
  port,
  ...(sni ? { sni } : {}),
});
const on = (objects: Partial<StreamObjects>, spec?: Partial<Service['spec']>): StreamObjects => ({
  services: services(spec),
  ...objects,
});
const many = Array.from({ length: 101 }, (_, i) => `h${i}.example.com`);

export const STREAM_ROWS: StreamRow[] = [
  {
    id: 't-parent-port',
    section: 'TCPRoute',
    field: 'parentRefs[].port (or sectionName)',
    support: 'supported',
    how: 'One TcpRoute per Service port attached to the Mesh: one rule matching each IPv4 cluster IP of the Service (`address: IP/32`) and the port (`port: "5432"`).',
    check: { route: 't', accepted: true },
    objects: on({ tcpRoutes: [tcp('t')] }),
    connection: conn(5432),
  },
  {
    id: 't-parent-implicit',
    section: 'TCPRoute',
    field: 'parentRefs[] without port',
    support: 'supported',
    how: 'Every TCP port of the Service except those whose name or appProtocol says HTTP or gRPC (http, http2, h2c, grpc, grpc-web, kubernetes.io/h2c, ws...): those are skipped with a note; select them explicitly with port or sectionName.',
    check: { route: 't', accepted: true, status: 'ports 80 (http) skipped: HTTP or gRPC' },
    objects: on({ tcpRoutes: [tcp('t', refs(['b1']), null)] }),
    connection: conn(443),
  },
  {
    id: 't-weights',
    section: 'TCPRoute',
    field: 'backendRefs[].weight',
    support: 'supported',
    how: '`destinations[].weight`, weight-0 backends dropped. Each destination is a backend service of its own for TCP (`<id>-tcp`, BackendMapping transport TCP), so an HTTP route and a TCP route sending to one Service port never share a backend service.',
    check: { route: 't', accepted: true },
    objects: on({ tcpRoutes: [tcp('t', refs(['b1', 9], ['b2', 1], ['b1', 0]))] }),
    connection: conn(5432),
  },
  {
    id: 't-missing-backend',
    section: 'TCPRoute',
    field: 'backendRefs[] to a missing Service (some resolve)',
    support: 'approximated',
    how: 'The spec refuses that share of connections; TcpRoute has no fault injection, so the share goes to the resolved backends. ResolvedRefs=False says so.',
    check: { route: 't', accepted: true, status: 'goes to the resolved backends' },
    objects: on({ tcpRoutes: [tcp('t', refs(['b1', 3], ['gone', 1]))] }),
  },
  {
    id: 't-no-backend',
    section: 'TCPRoute',
    field: 'no backendRef resolves (or all weight 0)',
    support: 'rejected',
    how: 'The spec refuses every connection; Network Services cannot, so no TcpRoute is written for the port (what the sidecar then does with the connections is not verified).',
    check: {
      route: 't',
      accepted: false,
      status: 'cannot refuse TCP connections, so no TcpRoute is written',
    },
    objects: on({ tcpRoutes: [tcp('t', refs(['gone']))] }),
  },
  {
    id: 't-oldest',
    section: 'TCPRoute',
    field: 'several TCPRoutes on one Service port',
    support: 'supported',
    how: 'A TCPRoute has no matches: the oldest (creationTimestamp, then namespace/name) takes every connection; the others are Conflicted.',
    check: { route: 'z-newer', accepted: false, status: 'the oldest TCPRoute takes every connection' },
    objects: on({
      tcpRoutes: [
        { ...tcp('z-newer', refs(['b2'])), metadata: meta('z-newer', '2026-02-01T00:00:00Z') },
        { ...tcp('a-older'), metadata: meta('a-older', '2026-01-01T00:00:00Z') },
      ],
    }),
    connection: conn(5432),
  },
  {
    id: 't-rules',
    section: 'TCPRoute',
    field: 'several rules (v1alpha2)',
    support: 'approximated',
    how: 'v1 allows one rule; v1alpha2 up to 16, without matches: the first valid rule takes every connection, the others are named in a warning.',
    check: { route: 't', accepted: true, status: 'never applies' },
    objects: on({
      tcpRoutes: [
        tcp('t', refs(['b1']), 5432, {
          apiVersion: 'gateway.networking.k8s.io/v1alpha2',
          spec: {
            parentRefs: parent(5432),
            rules: [{ backendRefs: refs(['b1']) }, { backendRefs: refs(['b2']) }],
          },
        }),
      ],
    }),
  },
  {
    id: 't-dual-stack',
    section: 'TCPRoute',
    field: 'dual-stack Service (spec.clusterIPs)',
    support: 'approximated',
    how: 'Every IPv4 cluster IP is matched; TcpRoute matches IPv4 addresses only, so IPv6 connections are not routed by it (a note names the IPv6 addresses).',
    check: { route: 't', accepted: true, status: 'IPv6 cluster IP fd00::1 is not matched' },
    objects: on({ tcpRoutes: [tcp('t')] }, { clusterIP: IP, clusterIPs: [IP, 'fd00::1'] }),
    connection: conn(5432),
  },
  {
    id: 't-ipv6-only',
    section: 'TCPRoute',
    field: 'IPv6-only Service',
    support: 'rejected',
    how: 'TcpRoute matches IPv4 addresses only.',
    check: { route: 't', accepted: false, status: 'has only IPv6 cluster IPs' },
    objects: on({ tcpRoutes: [tcp('t')] }, { clusterIP: 'fd00::1', clusterIPs: ['fd00::1'] }),
  },
  {
    id: 't-no-cluster-ip',
    section: 'TCPRoute',
    field: 'Service without spec.clusterIP (offline manifest)',
    support: 'rejected',
    how: 'A TcpRoute matches the cluster IP, which an offline manifest lacks until the API server assigns it: no guess.',
    check: { route: 't', accepted: false, status: 'has no spec.clusterIP' },
    objects: on({ tcpRoutes: [tcp('t')] }, {}),
  },
  {
    id: 't-headless',
    section: 'TCPRoute',
    field: 'headless Service parent',
    support: 'rejected',
    how: 'A headless Service has no cluster IP to match and is not a mesh parent (GEP-1294).',
    check: { route: 't', accepted: false, status: 'is headless' },
    objects: on({ tcpRoutes: [tcp('t')] }, { clusterIP: 'None' }),
  },
  {
    id: 's-hostnames',
    section: 'TLSRoute',
    field: 'hostnames[] (SNI)',
    support: 'supported',
    how: 'One TlsRoute per Service port: one rule per route, `matches[].sniHost` its hostnames (wildcards as written), its backendRefs as weighted destinations on TCP backend services.',
    check: { route: 's', accepted: true },
    objects: on({ tlsRoutes: [tls('s', ['a.example.com', '*.example.org'])] }),
    connection: conn(443, 'x.example.org'),
  },
  {
    id: 's-port',
    section: 'TLSRoute',
    field: 'parentRefs[] Service port',
    support: 'approximated',
    how: 'TlsRoute has no address or port match: connections with those SNI names are routed this way whichever mesh destination they are for (a note says so). The same SNI name on another port or Service is Conflicted there.',
    check: { route: 's', accepted: true, status: 'matches SNI names only' },
    objects: on({ tlsRoutes: [tls('s', ['a.example.com'])] }),
  },
  {
    id: 's-same-hostname',
    section: 'TLSRoute',
    field: 'several TLSRoutes on one port',
    support: 'supported',
    how: 'Merged into one TlsRoute; each SNI name goes to the oldest route listing it; a route left with none is Conflicted.',
    check: {
      route: 'newer',
      accepted: false,
      status: 'every hostname of this TLSRoute is routed by an older TLSRoute',
    },
    objects: on({
      tlsRoutes: [
        tls('newer', ['a.example.com'], refs(['b2']), '2026-02-01T00:00:00Z'),
        tls('older', ['a.example.com', 'b.example.com'], refs(['b1']), '2026-01-01T00:00:00Z'),
      ],
    }),
    connection: conn(443, 'a.example.com'),
  },
  {
    id: 's-unmatched-sni',
    section: 'TLSRoute',
    field: 'a connection whose SNI no TLSRoute lists',
    support: 'approximated',
    how: 'The spec refuses it; the TlsRoute simply does not match it (what the sidecar then does is not verified).',
    check: { route: 's', accepted: true },
    objects: on({ tlsRoutes: [tls('s', ['a.example.com'])] }),
  },
  {
    id: 's-no-hostnames',
    section: 'TLSRoute',
    field: 'no hostnames (v1alpha2)',
    support: 'rejected',
    how: 'A TlsRoute matches SNI names (or ALPN), so it needs them; TLSRoute v1 requires hostnames.',
    check: { route: 's', accepted: false, status: 'without spec.hostnames cannot be translated' },
    objects: on({ tlsRoutes: [tls('s', undefined)] }),
  },
  {
    id: 's-sni-limit',
    section: 'TLSRoute',
    field: 'more than 100 SNI names on one port',
    support: 'rejected',
    how: 'Network Services allows at most 100 SNI names per TlsRoute.',
    check: { route: 's', accepted: false, status: 'over the Network Services limit of 100' },
    objects: on({ tlsRoutes: [tls('s', many)] }),
  },
  {
    id: 'k-http-tcp',
    section: 'Route kinds on one port',
    field: 'HTTPRoute and TCPRoute on one port',
    support: 'supported',
    how: 'GEP-1294: only one kind applies per Service port, GRPCRoute before HTTPRoute before TLSRoute before TCPRoute; the others get Accepted=False, reason Conflicted (as Linkerd does; Istio merges HTTP and gRPC instead).',
    check: { route: 't', accepted: false, status: 'served by HTTPRoute d/h (GEP-1294' },
    objects: on({ httpRoutes: [http('h', 5432)], tcpRoutes: [tcp('t')] }),
  },
  {
    id: 'k-grpc-tls',
    section: 'Route kinds on one port',
    field: 'GRPCRoute and TLSRoute on one port',
    support: 'supported',
    how: 'GRPCRoute wins; the TLSRoute is Conflicted.',
    check: { route: 's', accepted: false, status: 'served by GRPCRoute d/g' },
    objects: on({ grpcRoutes: [grpc('g', 443)], tlsRoutes: [tls('s', ['a.example.com'])] }),
  },
  {
    id: 'k-tls-tcp',
    section: 'Route kinds on one port',
    field: 'TLSRoute and TCPRoute on one port',
    support: 'supported',
    how: 'TLSRoute wins; the TCPRoute is Conflicted.',
    check: { route: 't', accepted: false, status: 'served by TLSRoute d/s' },
    objects: on({ tlsRoutes: [tls('s', ['a.example.com'])], tcpRoutes: [tcp('t', refs(['b2']), 443)] }),
    connection: conn(443, 'a.example.com'),
  },
  {
    id: 'k-implicit',
    section: 'Route kinds on one port',
    field: 'parentRef without port',
    support: 'approximated',
    how: 'GEP-1294 attaches it to every port; gamma-csm skips the ports of the other family (an HTTPRoute skips ports named or appProtocol tls, https, tcp, mongo, mysql, redis...; a TCPRoute or TLSRoute skips http, grpc, h2c...), naming them in a note, so a port-less HTTP route never takes a TCP/TLS port and the reverse. Ports that say nothing follow the precedence above.',
    check: { route: 'h', accepted: true, status: 'ports 443 (tls) skipped: not HTTP or gRPC' },
    objects: on({
      httpRoutes: [
        { ...http('h', 80), spec: { parentRefs: parent(), rules: [{ backendRefs: refs(['b1']) }] } },
      ],
    }),
  },
  {
    id: 'u-udp',
    section: 'UDPRoute',
    field: 'UDPRoute with a Service parent',
    support: 'rejected',
    how: 'Network Services has no UDP route: nothing is written for it, and translate gives each Service parent Accepted=False (UnsupportedValue); `gamma-csm translate` also lists it as ignored. In a cluster the watcher publishes the parents a UDPRoute names, so sync writes that status within seconds of a change (the scheduled reconcile writes it too).',
    check: { route: 'u', accepted: false, status: 'UDPRoute is not supported' },
    objects: on({
      udpRoutes: [
        {
          apiVersion: 'gateway.networking.k8s.io/v1alpha2',
          kind: 'UDPRoute',
          metadata: { name: 'u', namespace: 'd' },
          spec: { parentRefs: parent(53), rules: [{ backendRefs: refs(['b1']) }] },
        } as KubeObject,
      ],
    }),
  },
];

export const STREAM_SECTIONS: { section: StreamSection; intro: string[] }[] = [
  {
    section: 'TCPRoute',
    intro: [
      'TCPRoute (served versions v1 and, in the experimental channel, v1alpha2) and TLSRoute (v1, v1alpha3,',
      'v1alpha2) are read in the version written, so its CRD limits apply. Nothing in these sections is',
      'verified against a live Cloud Service Mesh: the rows follow the TcpRoute and TlsRoute field',
      'documentation of the Network Services API and are checked against its model (`evaluateNsConnection`).',
    ],
  },
  { section: 'TLSRoute', intro: [] },
  {
    section: 'Route kinds on one port',
    intro: ['What GEP-1294 ("Route types") specifies, and how a parentRef without port is resolved.'],
  },
  { section: 'UDPRoute', intro: [] },
];

const esc = (s: string) => s.replace(/\|/g, '\\|');

/** The stream sections of docs/support-matrix.md. */
export function renderStreamSections(rows: StreamRow[] = STREAM_ROWS): string[] {
  const out: string[] = [];
  for (const { section, intro } of STREAM_SECTIONS) {
    out.push(`## ${section}`, '');
    if (intro.length) out.push(...intro, '');
    out.push('| Example | Case | Support | How (or why), and what status says |', '|---|---|---|---|');
    for (const r of rows.filter((x) => x.section === section)) {
      const how = r.check.status ? `${r.how} Status: "${r.check.status}".` : r.how;
      out.push(`| \`${r.id}\` | ${esc(r.field)} | ${r.support} | ${esc(how)} |`);
    }
    out.push('');
  }
  return out;
}
