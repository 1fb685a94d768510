// fast-check generators for the TCPRoute/TLSRoute differential test: random routes of every kind on
// one parent Service (so kinds, ages and hostnames collide often) and connections aimed at its
// ports, plus the comparison of evaluateNsConnection(translate(objects)) with evaluateGammaConnection.
import fc from 'fast-check';
import { stringify } from 'yaml';
import type {
  BackendRef,
  GRPCRoute,
  HTTPRoute,
  Service,
  TCPRoute,
  TLSRoute,
} from '../../shared/gamma/types.ts';
import { translate } from '../../shared/translate/index.ts';
import type { Desired } from '../../shared/translate/types.ts';
import { DIFF_OPTIONS, NS } from './diff-arbitraries.ts';
import type { ConnectionOutcome, MeshConnection } from './connection.ts';
import { diffConnections, normalizeConnection, withRefusedShareRedistributed } from './connection.ts';
import { evaluateGammaConnection, sniScore, type StreamObjects } from './evaluate-gamma-stream.ts';
import { evaluateNsConnection } from './evaluate-ns-stream.ts';

const FRONT_IP = '10.1.0.1';
const svc = (name: string, ip: string, ports: Service['spec']['ports']): Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: NS },
  spec: { clusterIP: ip, ports },
});

/** The parent: two unnamed ports (either family may take them) and a TLS one. */
export const STREAM_SERVICES: Service[] = [
  svc('db', FRONT_IP, [{ port: 5432 }, { name: 'tls', port: 443 }, { port: 9000 }]),
  ...['b1', 'b2', 'b3'].map((n, i) => svc(n, `10.1.0.${i + 2}`, [{ name: 'tcp', port: 5432 }])),
];

const HOSTNAMES = ['a.example.com', '*.example.com', 'b.example.com', '*.b.example.com'];
const SNIS = ['a.example.com', 'b.example.com', 'x.b.example.com', 'c.example.com'];
const TIMES = [undefined, '2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z'];

const backendRefs: fc.Arbitrary<BackendRef[]> = fc.array(
  fc
    .record(
      {
        name: fc.constantFrom('b1', 'b2', 'b3', 'gone'),
        weight: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
      },
      { requiredKeys: ['name'] },
    )
    .map(({ name, weight }) => ({ name, port: 5432, ...(weight === undefined ? {} : { weight }) })),
  { minLength: 1, maxLength: 3 },
);

const meta = (name: string, created: string | undefined) => ({
  name,
  namespace: NS,
  ...(created ? { creationTimestamp: created } : {}),
});

const parentOn = (port: number | undefined) => [
  { group: '', kind: 'Service', name: 'db', ...(port ? { port } : {}) },
];

const tcpRoute = (name: string): fc.Arbitrary<TCPRoute> =>
  fc
    .tuple(fc.constantFrom(...TIMES), fc.constantFrom(5432, 9000, undefined), backendRefs)
    .map(([created, port, refs]) => ({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'TCPRoute' as const,
      metadata: meta(name, created),
      spec: { parentRefs: parentOn(port), rules: [{ backendRefs: refs }] },
    }));

const tlsRoute = (name: string): fc.Arbitrary<TLSRoute> =>
  fc
    .tuple(
      fc.constantFrom(...TIMES),
      fc.constantFrom(443, 443, 443, undefined),
      fc.subarray(HOSTNAMES, { minLength: 1 }),
      backendRefs,
    )
    .map(([created, port, hostnames, refs]) => ({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'TLSRoute' as const,
      metadata: meta(name, created),
      spec: { parentRefs: parentOn(port), hostnames, rules: [{ backendRefs: refs }] },
    }));

/** Sometimes an HTTPRoute on port 9000, which beats a TCPRoute there (GEP-1294). */
const httpRoutes: fc.Arbitrary<HTTPRoute[]> = fc.boolean().map((on) =>
  on
    ? [
        {
          apiVersion: 'gateway.networking.k8s.io/v1',
          kind: 'HTTPRoute' as const,
          metadata: { name: 'h', namespace: NS },
          spec: { parentRefs: parentOn(9000), rules: [{ backendRefs: [{ name: 'b1', port: 5432 }] }] },
        },
      ]
    : [],
);

/** A connection to one of the parent's ports; SNI only on the TLS port (plaintext ports carry none). */
const connection: fc.Arbitrary<MeshConnection> = fc
  .tuple(fc.constantFrom(5432, 443, 9000), fc.constantFrom(...SNIS))
  .map(([port, sni]) => ({ clientNamespace: NS, address: FRONT_IP, port, ...(port === 443 ? { sni } : {}) }));

export interface StreamCase {
  objects: StreamObjects & {
    tcpRoutes: TCPRoute[];
    tlsRoutes: TLSRoute[];
    httpRoutes: HTTPRoute[];
    grpcRoutes: GRPCRoute[];
  };
  connection: MeshConnection;
}

export const streamCases: fc.Arbitrary<StreamCase> = fc
  .tuple(
    fc.subarray(['t1', 't2', 't3'], { minLength: 1 }).chain((names) => fc.tuple(...names.map(tcpRoute))),
    fc.subarray(['s1', 's2', 's3'], { minLength: 1 }).chain((names) => fc.tuple(...names.map(tlsRoute))),
    httpRoutes,
    connection,
  )
  .map(([tcpRoutes, tlsRoutes, http, conn]) => ({
    objects: { services: STREAM_SERVICES, httpRoutes: http, grpcRoutes: [], tcpRoutes, tlsRoutes },
    connection: conn,
  }));

export interface StreamResult {
  diffs: string[];
  /** Which documented deviation made a difference acceptable, if one did. */
  allowed?: string;
  ns?: ConnectionOutcome;
  gamma?: ConnectionOutcome;
  desired: Desired;
}

/**
 * The GAMMA side with the documented deviations (docs/support-matrix.md, "TCPRoute" and "TLSRoute")
 * applied: a refused share goes to the resolved backends. Where the spec refuses every connection,
 * Network Services cannot: a difference is accepted when status says no route could be written for
 * that port (no usable backend: the connection then takes whatever else matches), or when no TLSRoute
 * hostname matches the SNI and Network Services has no route for it (passthrough).
 */
export function compareStreamCase({ objects, connection: conn }: StreamCase): StreamResult {
  const desired = translate(objects, DIFF_OPTIONS);
  const ns = evaluateNsConnection(desired, conn);
  const gamma = withRefusedShareRedistributed(evaluateGammaConnection(objects, conn));
  const diffs = diffConnections(ns, gamma);
  if (diffs.length === 0 || !allRefused(gamma)) return { diffs, ns, gamma, desired };
  const notWritten = desired.statuses.some((s) =>
    s.parents.some((p) =>
      p.conditions.some((c) => c.message.includes(`is written for Service ${NS}/db port ${conn.port}`)),
    ),
  );
  if (notWritten) return { diffs: [], allowed: 'no usable backend: no route written', ns, gamma, desired };
  const sniMatches = objects.tlsRoutes.some((r) =>
    (r.spec.hostnames ?? []).some((h) => conn.sni !== undefined && sniScore(h, conn.sni) > 0),
  );
  if (!sniMatches && ns.kind === 'passthrough')
    return { diffs: [], allowed: 'no TLSRoute hostname matches the SNI', ns, gamma, desired };
  return { diffs, ns, gamma, desired };
}

function allRefused(o: ConnectionOutcome): boolean {
  const n = normalizeConnection(o);
  return n.kind === 'routed' && n.branches.every((b) => !b.backend);
}

export function describeStreamCase(c: StreamCase): string {
  const r = compareStreamCase(c);
  return stringify({
    routes: [...c.objects.httpRoutes, ...c.objects.tcpRoutes, ...c.objects.tlsRoutes],
    connection: c.connection,
    differences: r.diffs,
    tcpRoutes: r.desired.tcpRoutes.map((x) => x.rules),
    tlsRoutes: r.desired.tlsRoutes.map((x) => x.rules),
    statuses: r.desired.statuses.map((s) => [s.name, s.parents.map((p) => p.conditions[0].message)]),
    evaluateNs: r.ns,
    evaluateGamma: r.gamma,
  });
}
