// The connection evaluators on their own (test/support/evaluate-gamma-stream.ts, evaluate-ns-stream.ts):
// what the Gateway API says of a TCP/TLS connection, and what Network Services does with one.
import test from 'ava';
import type { Service, TCPRoute, TLSRoute } from '../../shared/gamma/types.ts';
import type { Desired, NsTcpRoute, NsTlsRoute } from '../../shared/translate/types.ts';
import { evaluateGammaConnection } from '../support/evaluate-gamma-stream.ts';
import { evaluateNsConnection, inCidr } from '../support/evaluate-ns-stream.ts';
import { normalizeConnection, withRefusedShareRedistributed } from '../support/connection.ts';

const svc = (name: string, ip: string, ports: number[]): Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'ns' },
  spec: { clusterIP: ip, ports: ports.map((port) => ({ port })) },
});
const services = [
  svc('db', '10.0.0.12', [5432, 443]),
  svc('v1', '10.0.0.13', [5432]),
  svc('v2', '10.0.0.14', [5432]),
];
const parentRefs = (port: number) => [{ group: '', kind: 'Service', name: 'db', port }];
const tcp = (name: string, refs: [string, number][], created?: string): TCPRoute => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'TCPRoute',
  metadata: { name, namespace: 'ns', ...(created ? { creationTimestamp: created } : {}) },
  spec: {
    parentRefs: parentRefs(5432),
    rules: [{ backendRefs: refs.map(([n, weight]) => ({ name: n, port: 5432, weight })) }],
  },
});
const tls = (name: string, hostnames: string[], backend: string, created?: string): TLSRoute => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'TLSRoute',
  metadata: { name, namespace: 'ns', ...(created ? { creationTimestamp: created } : {}) },
  spec: { parentRefs: parentRefs(443), hostnames, rules: [{ backendRefs: [{ name: backend, port: 5432 }] }] },
});
const conn = (port: number, sni?: string) => ({
  clientNamespace: 'ns',
  address: '10.0.0.12',
  port,
  ...(sni ? { sni } : {}),
});
const to = (service: string) => ({ namespace: 'ns', service, port: 5432 });

test('GAMMA: TCPRoute split by weight; an invalid backend share is refused', (t) => {
  const out = evaluateGammaConnection(
    {
      services,
      tcpRoutes: [
        tcp('r', [
          ['v1', 3],
          ['gone', 1],
        ]),
      ],
    },
    conn(5432),
  );
  t.deepEqual(normalizeConnection(out), {
    kind: 'routed',
    branches: [{ weight: 0.75, backend: to('v1') }, { weight: 0.25 }],
  });
  t.deepEqual(withRefusedShareRedistributed(out), {
    kind: 'routed',
    branches: [{ weight: 1, backend: to('v1') }],
  });
});

test('GAMMA: the oldest TCPRoute wins; an HTTPRoute on the port wins over both', (t) => {
  const routes = [
    tcp('a', [['v2', 1]], '2026-02-01T00:00:00Z'),
    tcp('b', [['v1', 1]], '2026-01-01T00:00:00Z'),
  ];
  t.deepEqual(evaluateGammaConnection({ services, tcpRoutes: routes }, conn(5432)), {
    kind: 'routed',
    branches: [{ weight: 1, backend: to('v1') }],
  });
  const http = {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute' as const,
    metadata: { name: 'h', namespace: 'ns' },
    spec: { parentRefs: parentRefs(5432) },
  };
  t.deepEqual(evaluateGammaConnection({ services, tcpRoutes: routes, httpRoutes: [http] }, conn(5432)), {
    kind: 'passthrough',
  });
});

test('GAMMA: TLSRoute by SNI, most specific hostname first; no match is refused', (t) => {
  const routes = [
    tls('wild', ['*.example.com'], 'v1', '2026-01-01T00:00:00Z'),
    tls('exact', ['a.example.com'], 'v2'),
  ];
  const objects = { services, tlsRoutes: routes };
  t.deepEqual(evaluateGammaConnection(objects, conn(443, 'a.example.com')).kind, 'routed');
  t.deepEqual(evaluateGammaConnection(objects, conn(443, 'a.example.com')), {
    kind: 'routed',
    branches: [{ weight: 1, backend: to('v2') }],
  });
  t.deepEqual(evaluateGammaConnection(objects, conn(443, 'b.example.com')), {
    kind: 'routed',
    branches: [{ weight: 1, backend: to('v1') }],
  });
  t.deepEqual(evaluateGammaConnection(objects, conn(443, 'example.org')), {
    kind: 'routed',
    branches: [{ weight: 1 }],
  });
  t.deepEqual(evaluateGammaConnection(objects, conn(5432)), { kind: 'passthrough' }, 'no route on that port');
});

const MESH = 'projects/p/locations/global/meshes/m';
const BS = (n: string) => `projects/p/locations/global/backendServices/${n}-tcp`;
function desired(tcpRoutes: NsTcpRoute[], tlsRoutes: NsTlsRoute[] = []): Desired {
  return {
    mesh: { name: MESH },
    httpRoutes: [],
    grpcRoutes: [],
    tcpRoutes: tcpRoutes.map((r) => ({ meshes: [MESH], ...r })),
    tlsRoutes: tlsRoutes.map((r) => ({ meshes: [MESH], ...r })),
    backends: ['v1', 'v2'].map((n) => ({
      serviceName: BS(n),
      namespace: 'ns',
      service: n,
      port: 5432,
      transport: 'TCP' as const,
    })),
    statuses: [],
  };
}
const action = (...names: [string, number][]) => ({
  destinations: names.map(([n, weight]) => ({ serviceName: BS(n), weight })),
});

test('NS: TcpRoute by IPv4 CIDR and port, first rule wins; other meshes and ports pass through', (t) => {
  const d = desired([
    {
      name: 'r',
      rules: [
        { matches: [{ address: '10.0.0.0/8', port: '443' }], action: action(['v2', 1]) },
        { matches: [{ address: '10.0.0.12/32', port: '5432' }], action: action(['v1', 9], ['v2', 1]) },
      ],
    },
  ]);
  t.deepEqual(evaluateNsConnection(d, conn(5432)), {
    kind: 'routed',
    branches: [
      { weight: 0.9, backend: to('v1') },
      { weight: 0.1, backend: to('v2') },
    ],
  });
  t.deepEqual(evaluateNsConnection(d, conn(80)), { kind: 'passthrough' });
  t.deepEqual(evaluateNsConnection({ ...d, mesh: { name: 'other' } }, conn(5432)), { kind: 'passthrough' });
  t.true(inCidr('10.0.0.12', '10.0.0.12'));
  t.false(inCidr('10.0.0.13', '10.0.0.12/32'));
  t.true(inCidr('192.168.1.1', '0.0.0.0/0'));
});

test('NS: two TcpRoutes matching one connection is an ambiguity the model refuses', (t) => {
  const rule = { matches: [{ address: '10.0.0.12', port: '5432' }], action: action(['v1', 1]) };
  const d = desired([
    { name: 'a', rules: [rule] },
    { name: 'b', rules: [rule] },
  ]);
  t.throws(() => evaluateNsConnection(d, conn(5432)), { message: /ambiguous: TcpRoutes a, b/ });
});

test('NS: TlsRoute SNI exact, then broader wildcards; a TcpRoute on the address wins first', (t) => {
  const tlsRoute: NsTlsRoute = {
    name: 's',
    rules: [
      { matches: [{ sniHost: ['*.example.com'] }], action: action(['v1', 1]) },
      { matches: [{ sniHost: ['a.b.example.com'] }], action: action(['v2', 1]) },
    ],
  };
  const d = desired([], [tlsRoute]);
  t.deepEqual(evaluateNsConnection(d, conn(443, 'a.b.example.com')), {
    kind: 'routed',
    branches: [{ weight: 1, backend: to('v2') }],
  });
  t.deepEqual(evaluateNsConnection(d, conn(443, 'c.b.example.com')), {
    kind: 'routed',
    branches: [{ weight: 1, backend: to('v1') }],
  });
  t.deepEqual(evaluateNsConnection(d, conn(443, 'example.org')), { kind: 'passthrough' });
  const both = desired(
    [
      {
        name: 't',
        rules: [{ matches: [{ address: '10.0.0.12/32', port: '443' }], action: action(['v2', 1]) }],
      },
    ],
    [tlsRoute],
  );
  t.deepEqual(evaluateNsConnection(both, conn(443, 'c.b.example.com')), {
    kind: 'routed',
    branches: [{ weight: 1, backend: to('v2') }],
  });
});
