// TCPRoute -> TcpRoute and TLSRoute -> TlsRoute (shared/translate/stream.ts, kinds.ts): matches,
// weights, backend services of their own, precedence between routes and kinds on one port, and every
// case that cannot be expressed said in status (docs/support-matrix.md, "TCPRoute" and "TLSRoute").
import test from 'ava';
import { translate } from '../../shared/translate/index.ts';
import type { Desired } from '../../shared/translate/types.ts';
import type { Condition, Service, TCPRoute, TLSRoute } from '../../shared/gamma/types.ts';
import { OPTIONS, httpRoute, grpcRoute, parent } from './support.ts';

type Ports = { name?: string; port: number; appProtocol?: string }[];

function svc(
  name: string,
  ports: Ports,
  spec: Partial<Service['spec']> = { clusterIP: '10.0.0.12' },
): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'ns' }, spec: { ...spec, ports } };
}

const db = svc('db', [{ name: 'postgres', port: 5432, appProtocol: 'postgresql' }]);
const v1 = svc('db-v1', [{ name: 'postgres', port: 5432 }], { clusterIP: '10.0.0.13' });
const v2 = svc('db-v2', [{ name: 'postgres', port: 5432 }], { clusterIP: '10.0.0.14' });

function tcp(name: string, spec: TCPRoute['spec'], created?: string, version = 'v1'): TCPRoute {
  return {
    apiVersion: `gateway.networking.k8s.io/${version}`,
    kind: 'TCPRoute',
    metadata: { name, namespace: 'ns', ...(created ? { creationTimestamp: created } : {}) },
    spec,
  };
}

function tls(
  name: string,
  hostnames: string[] | undefined,
  backends = ['db-v1'],
  created?: string,
): TLSRoute {
  return {
    apiVersion: `gateway.networking.k8s.io/${hostnames ? 'v1' : 'v1alpha2'}`,
    kind: 'TLSRoute',
    metadata: { name, namespace: 'ns', ...(created ? { creationTimestamp: created } : {}) },
    spec: {
      parentRefs: [parent('front', { port: 443 })],
      ...(hostnames ? { hostnames } : {}),
      rules: [{ backendRefs: backends.map((b) => ({ name: b, port: 5432 })) }],
    },
  };
}

const split = tcp('db-split', {
  parentRefs: [parent('db', { port: 5432 })],
  rules: [
    {
      backendRefs: [
        { name: 'db-v1', port: 5432, weight: 90 },
        { name: 'db-v2', port: 5432, weight: 10 },
      ],
    },
  ],
});

function condition(d: Desired, name: string, type: string, parentIndex = 0): Condition | undefined {
  return d.statuses
    .find((s) => s.name === name)
    ?.parents[parentIndex]?.conditions.find((c) => c.type === type);
}

const BS = 'projects/demo/locations/global/backendServices/';

test('TCPRoute 90/10 on 10.0.0.12:5432: one TcpRoute, IPv4 /32 and port, weights, TCP backend services', (t) => {
  const d = translate(
    { services: [db, v1, v2], httpRoutes: [], grpcRoutes: [], tcpRoutes: [split] },
    OPTIONS,
  );
  t.is(d.tcpRoutes.length, 1);
  const route = d.tcpRoutes[0];
  t.regex(
    route.name ?? '',
    /^projects\/demo\/locations\/global\/tcpRoutes\/gamma-test-ns-db-5432-[0-9a-f]{8}$/,
  );
  t.deepEqual(Object.keys(route), ['name', 'description', 'labels', 'meshes', 'rules']);
  t.is(route.description, 'TCPRoute ns/db-split -> Service ns/db:5432');
  t.deepEqual(route.labels, {
    'managed-by': 'gamma-csm',
    'gamma-csm-cluster': 'test',
    'gamma-csm-parent': 'ns_db',
  });
  t.deepEqual(route.meshes, ['projects/demo/locations/global/meshes/demo-mesh']);
  t.deepEqual(route.rules?.[0].matches, [{ address: '10.0.0.12/32', port: '5432' }]);
  const destinations = route.rules?.[0].action?.destinations ?? [];
  t.deepEqual(
    destinations.map((x) => x.weight),
    [90, 10],
  );
  for (const x of destinations)
    t.regex(
      x.serviceName ?? '',
      /^projects\/demo\/.*\/backendServices\/gamma-test-ns-db-v[12]-5432-[0-9a-f]{8}-tcp$/,
    );
  t.deepEqual(
    d.backends.map((b) => [b.service, b.transport, b.serviceName.startsWith(BS)]),
    [
      ['db-v1', 'TCP', true],
      ['db-v2', 'TCP', true],
    ],
  );
  t.is(condition(d, 'db-split', 'Accepted')?.status, 'True');
  t.is(condition(d, 'db-split', 'ResolvedRefs')?.status, 'True');
  t.deepEqual(d.httpRoutes, []);
});

test('a TCP destination and an HTTP destination of one Service port use two backend services', (t) => {
  const web = svc('web', [{ name: 'http', port: 80 }]);
  const both = svc('both', [{ name: 'http', port: 8080 }]);
  const d = translate(
    {
      services: [db, web, both],
      httpRoutes: [
        httpRoute('h', {
          parentRefs: [parent('web')],
          rules: [{ backendRefs: [{ name: 'both', port: 8080 }] }],
        }),
      ],
      grpcRoutes: [],
      tcpRoutes: [
        tcp('t', {
          parentRefs: [parent('db', { port: 5432 })],
          rules: [{ backendRefs: [{ name: 'both', port: 8080 }] }],
        }),
      ],
    },
    OPTIONS,
  );
  const names = d.backends.filter((b) => b.service === 'both');
  t.is(names.length, 2);
  t.deepEqual(names.map((b) => b.transport ?? 'HTTP').sort(), ['HTTP', 'TCP']);
  t.not(names[0].serviceName, names[1].serviceName);
});

test('dual-stack: every IPv4 cluster IP matched; IPv6 ones named in a note (TcpRoute matches IPv4 only)', (t) => {
  const dual = svc('db', [{ port: 5432 }], { clusterIP: '10.0.0.12', clusterIPs: ['10.0.0.12', 'fd00::12'] });
  const d = translate(
    { services: [dual, v1, v2], httpRoutes: [], grpcRoutes: [], tcpRoutes: [split] },
    OPTIONS,
  );
  t.deepEqual(d.tcpRoutes[0].rules?.[0].matches, [{ address: '10.0.0.12/32', port: '5432' }]);
  const accepted = condition(d, 'db-split', 'Accepted');
  t.is(accepted?.status, 'True');
  t.regex(
    accepted?.message ?? '',
    /IPv6 cluster IP fd00::12 is not matched \(Network Services TcpRoute matches IPv4 addresses only\)/,
  );
});

const noRoute: [string, Partial<Service['spec']>, RegExp][] = [
  ['offline manifest without clusterIP', {}, /Service ns\/db has no spec\.clusterIP: .*offline manifest/],
  [
    'IPv6-only Service',
    { clusterIP: 'fd00::12', clusterIPs: ['fd00::12'] },
    /only IPv6 cluster IPs \(fd00::12\)/,
  ],
  ['headless Service', { clusterIP: 'None' }, /headless \(clusterIP: None\), which cannot be a mesh parent/],
  ['malformed clusterIP', { clusterIP: '10.0.0.300' }, /cluster IP "10\.0\.0\.300" is not an IP address/],
];

for (const [name, spec, message] of noRoute) {
  test(`no TcpRoute, Accepted=False: ${name}`, (t) => {
    const parentSvc = svc('db', [{ port: 5432 }], spec);
    const d = translate(
      { services: [parentSvc, v1, v2], httpRoutes: [], grpcRoutes: [], tcpRoutes: [split] },
      OPTIONS,
    );
    t.deepEqual(d.tcpRoutes, []);
    const accepted = condition(d, 'db-split', 'Accepted');
    t.is(accepted?.status, 'False');
    t.regex(accepted?.message ?? '', message);
  });
}

test('an unresolved backend: its share goes to the resolved ones, and ResolvedRefs says so', (t) => {
  const d = translate({ services: [db, v1], httpRoutes: [], grpcRoutes: [], tcpRoutes: [split] }, OPTIONS);
  t.deepEqual(
    d.tcpRoutes[0].rules?.[0].action?.destinations?.map((x) => x.weight),
    [90],
  );
  const refs = condition(d, 'db-split', 'ResolvedRefs');
  t.is(refs?.status, 'False');
  t.is(refs?.reason, 'BackendNotFound');
  t.regex(
    refs?.message ?? '',
    /db-v2 not found; Network Services cannot refuse TCP connections .* goes to the resolved backends/,
  );
  t.is(condition(d, 'db-split', 'Accepted')?.status, 'True');
});

test('no usable backend: no TcpRoute, Accepted=False says why (connections cannot be refused)', (t) => {
  const zero = tcp('zero', {
    parentRefs: [parent('db', { port: 5432 })],
    rules: [{ backendRefs: [{ name: 'db-v1', port: 5432, weight: 0 }] }],
  });
  for (const [route, why] of [
    [split, /no backendRef resolves/],
    [zero, /every resolved backendRef has weight 0/],
  ] as const) {
    const d = translate(
      { services: [db, ...(route === zero ? [v1] : [])], httpRoutes: [], grpcRoutes: [], tcpRoutes: [route] },
      OPTIONS,
    );
    t.deepEqual(d.tcpRoutes, []);
    const accepted = condition(d, route.metadata.name, 'Accepted');
    t.is(accepted?.status, 'False');
    t.regex(accepted?.message ?? '', why);
    t.regex(
      accepted?.message ?? '',
      /cannot refuse TCP connections, so no TcpRoute is written for Service ns\/db port 5432/,
    );
  }
});

test('several TCPRoutes on one port: the oldest wins, the others are Conflicted', (t) => {
  const spec = (b: string): TCPRoute['spec'] => ({
    parentRefs: [parent('db', { port: 5432 })],
    rules: [{ backendRefs: [{ name: b, port: 5432 }] }],
  });
  const newer = tcp('a-newer', spec('db-v2'), '2026-02-01T00:00:00Z');
  const older = tcp('z-older', spec('db-v1'), '2026-01-01T00:00:00Z');
  const d = translate(
    { services: [db, v1, v2], httpRoutes: [], grpcRoutes: [], tcpRoutes: [newer, older] },
    OPTIONS,
  );
  t.is(d.tcpRoutes.length, 1);
  t.regex(d.tcpRoutes[0].rules?.[0].action?.destinations?.[0].serviceName ?? '', /db-v1/);
  t.is(condition(d, 'z-older', 'Accepted')?.status, 'True');
  const lost = condition(d, 'a-newer', 'Accepted');
  t.is(lost?.status, 'False');
  t.is(lost?.reason, 'Conflicted');
  t.regex(
    lost?.message ?? '',
    /port 5432 is served by TCPRoute ns\/z-older \(a TCPRoute has no matches, so on one Service port the oldest TCPRoute takes every connection/,
  );
  // Without creation times, namespace/name decides.
  const plain = [tcp('b', spec('db-v2')), tcp('a', spec('db-v1'))];
  const byName = translate(
    { services: [db, v1, v2], httpRoutes: [], grpcRoutes: [], tcpRoutes: plain },
    OPTIONS,
  );
  t.is(condition(byName, 'a', 'Accepted')?.status, 'True');
  t.is(condition(byName, 'b', 'Accepted')?.reason, 'Conflicted');
});

test('v1alpha2 TCPRoute with several rules: the first applies, the others are named in a warning', (t) => {
  const route = tcp(
    'multi',
    {
      parentRefs: [parent('db', { port: 5432 })],
      rules: [
        { backendRefs: [{ name: 'db-v1', port: 5432 }] },
        { name: 'later', backendRefs: [{ name: 'db-v2', port: 5432 }] },
      ],
    },
    undefined,
    'v1alpha2',
  );
  const d = translate(
    { services: [db, v1, v2], httpRoutes: [], grpcRoutes: [], tcpRoutes: [route] },
    OPTIONS,
  );
  t.is(d.tcpRoutes[0].rules?.length, 1);
  t.regex(d.tcpRoutes[0].rules?.[0].action?.destinations?.[0].serviceName ?? '', /db-v1/);
  t.deepEqual(d.statuses[0].warnings, [
    'spec.rules[1] (name later) never applies: TCPRoute rules have no matches, so the first rule takes every connection',
  ]);
});

const front = svc('front', [{ name: 'tls', port: 443 }], { clusterIP: '10.0.0.20' });

test('TLSRoute: hostnames become sniHost; the note says TlsRoute cannot match the port', (t) => {
  const d = translate(
    {
      services: [front, v1],
      httpRoutes: [],
      grpcRoutes: [],
      tlsRoutes: [tls('pass', ['api.example.com', '*.example.org'])],
    },
    OPTIONS,
  );
  t.is(d.tlsRoutes.length, 1);
  const route = d.tlsRoutes[0];
  t.regex(route.name ?? '', /\/tlsRoutes\/gamma-test-ns-front-443-[0-9a-f]{8}$/);
  t.deepEqual(route.rules, [
    {
      matches: [{ sniHost: ['api.example.com', '*.example.org'] }],
      action: { destinations: [{ serviceName: d.backends[0].serviceName, weight: 1 }] },
    },
  ]);
  t.is(d.backends[0].transport, 'TCP');
  const accepted = condition(d, 'pass', 'Accepted');
  t.is(accepted?.status, 'True');
  t.regex(accepted?.message ?? '', /TlsRoute matches SNI names only \(no address or port\)/);
  t.deepEqual(d.statuses[0].warnings, undefined, 'hostnames of a TLSRoute are not "ignored"');
});

test('TLSRoutes on one port: each hostname to the oldest route listing it; one left with none is Conflicted', (t) => {
  const older = tls('older', ['a.example.com', 'b.example.com'], ['db-v1'], '2026-01-01T00:00:00Z');
  const partly = tls('partly', ['b.example.com', 'c.example.com'], ['db-v2'], '2026-02-01T00:00:00Z');
  const none = tls('none', ['a.example.com'], ['db-v2'], '2026-03-01T00:00:00Z');
  const d = translate(
    { services: [front, v1, v2], httpRoutes: [], grpcRoutes: [], tlsRoutes: [none, partly, older] },
    OPTIONS,
  );
  t.deepEqual(
    d.tlsRoutes[0].rules?.map((r) => r.matches?.[0].sniHost),
    [['a.example.com', 'b.example.com'], ['c.example.com']],
  );
  t.is(d.tlsRoutes[0].description, 'TLSRoute ns/older, ns/partly -> Service ns/front:443');
  t.regex(
    d.statuses.find((s) => s.name === 'partly')?.warnings?.[0] ?? '',
    /hostnames b\.example\.com are not routed to this TLSRoute/,
  );
  const lost = condition(d, 'none', 'Accepted');
  t.is(lost?.reason, 'Conflicted');
  t.regex(lost?.message ?? '', /served by TLSRoute ns\/older \(Service ns\/front port 443\)/);
});

test('TLSRoute without hostnames (v1alpha2): Accepted=False, TlsRoute needs SNI names', (t) => {
  const d = translate(
    { services: [front, v1], httpRoutes: [], grpcRoutes: [], tlsRoutes: [tls('bare', undefined)] },
    OPTIONS,
  );
  t.deepEqual(d.tlsRoutes, []);
  t.regex(
    condition(d, 'bare', 'Accepted')?.message ?? '',
    /without spec\.hostnames cannot be translated: .*matches connections by SNI/,
  );
});

test('TLSRoute over the 100 SNI names of one TlsRoute: not written, said in status', (t) => {
  const many = Array.from({ length: 101 }, (_, i) => `h${i}.example.com`);
  const d = translate(
    { services: [front, v1], httpRoutes: [], grpcRoutes: [], tlsRoutes: [tls('many', many)] },
    OPTIONS,
  );
  t.deepEqual(d.tlsRoutes, []);
  t.regex(
    condition(d, 'many', 'Accepted')?.message ?? '',
    /would match 101 SNI names, over the Network Services limit of 100/,
  );
});

// ---- kinds on one port (GEP-1294) ----

const mixed = svc('mixed', [
  { name: 'http', port: 80 },
  { name: 'grpc', port: 7070, appProtocol: 'grpc' },
  { name: 'tls', port: 443 },
  { port: 9000 },
]);

test('kinds on one port: HTTPRoute beats TCPRoute, GRPCRoute beats TLSRoute, losers Conflicted', (t) => {
  const d = translate(
    {
      services: [mixed, v1],
      httpRoutes: [
        httpRoute('h', {
          parentRefs: [parent('mixed', { port: 9000 })],
          rules: [{ backendRefs: [{ name: 'db-v1', port: 5432 }] }],
        }),
      ],
      grpcRoutes: [
        grpcRoute('g', {
          parentRefs: [parent('mixed', { port: 443 })],
          rules: [{ backendRefs: [{ name: 'db-v1', port: 5432 }] }],
        }),
      ],
      tcpRoutes: [
        tcp('t', {
          parentRefs: [parent('mixed', { port: 9000 })],
          rules: [{ backendRefs: [{ name: 'db-v1', port: 5432 }] }],
        }),
      ],
      tlsRoutes: [
        {
          ...tls('s', ['x.example.com']),
          spec: { ...tls('s', ['x.example.com']).spec, parentRefs: [parent('mixed', { port: 443 })] },
        },
      ],
    },
    { ...OPTIONS },
  );
  t.deepEqual(d.tcpRoutes, []);
  t.deepEqual(d.tlsRoutes, []);
  const tcpLost = condition(d, 't', 'Accepted');
  t.is(tcpLost?.reason, 'Conflicted');
  t.regex(
    tcpLost?.message ?? '',
    /port 9000 is served by HTTPRoute ns\/h \(GEP-1294: only one route kind applies on a Service port, GRPCRoute before HTTPRoute before TLSRoute before TCPRoute; this TCPRoute is ignored there\)/,
  );
  t.regex(condition(d, 's', 'Accepted')?.message ?? '', /port 443 is served by GRPCRoute ns\/g/);
  t.is(condition(d, 'h', 'Accepted')?.status, 'True');
  t.is(condition(d, 'g', 'Accepted')?.status, 'True');
});

test('kinds on one port: TLSRoute beats TCPRoute', (t) => {
  const both = svc('front', [{ name: 'tls', port: 443 }], { clusterIP: '10.0.0.20' });
  const d = translate(
    {
      services: [both, v1],
      httpRoutes: [],
      grpcRoutes: [],
      tlsRoutes: [tls('s', ['x.example.com'])],
      tcpRoutes: [
        tcp('t', {
          parentRefs: [parent('front', { port: 443 })],
          rules: [{ backendRefs: [{ name: 'db-v1', port: 5432 }] }],
        }),
      ],
    },
    OPTIONS,
  );
  t.is(d.tlsRoutes.length, 1);
  t.deepEqual(d.tcpRoutes, []);
  t.regex(condition(d, 't', 'Accepted')?.message ?? '', /served by TLSRoute ns\/s/);
});

test('a parentRef without port: HTTP routes skip TCP/TLS ports and TCP routes skip HTTP/gRPC ports', (t) => {
  const d = translate(
    {
      services: [mixed, v1],
      httpRoutes: [
        httpRoute('h', {
          parentRefs: [parent('mixed')],
          rules: [{ backendRefs: [{ name: 'db-v1', port: 5432 }] }],
        }),
      ],
      grpcRoutes: [],
      tcpRoutes: [
        tcp('t', {
          parentRefs: [parent('mixed')],
          rules: [{ backendRefs: [{ name: 'db-v1', port: 5432 }] }],
        }),
      ],
    },
    OPTIONS,
  );
  // HTTP: 80, 7070 and the unnamed 9000; TLS port 443 skipped. TCP: 443 and 9000; 80 and 7070 skipped.
  t.deepEqual(d.httpRoutes.map((r) => r.description?.replace(/.*:/, '')).sort(), ['7070', '80', '9000']);
  t.deepEqual(
    d.tcpRoutes.map((r) => r.rules?.[0].matches?.[0].port),
    ['443'],
    'the unnamed port 9000 goes to the HTTPRoute (GEP-1294 precedence)',
  );
  const tcpAccepted = condition(d, 't', 'Accepted');
  t.is(tcpAccepted?.status, 'True');
  t.regex(
    tcpAccepted?.message ?? '',
    /ports 80 \(http\), 7070 \(grpc\) skipped: HTTP or gRPC, which a TCPRoute cannot carry/,
  );
  t.regex(tcpAccepted?.message ?? '', /port 9000 is served by HTTPRoute ns\/h/);
  t.regex(condition(d, 'h', 'Accepted')?.message ?? '', /ports 443 \(tls\) skipped: not HTTP or gRPC/);
});

test('a TCPRoute parentRef without port on a Service with only HTTP ports: NoMatchingParent', (t) => {
  const web = svc('web', [{ name: 'http', port: 80 }]);
  const d = translate(
    {
      services: [web, v1],
      httpRoutes: [],
      grpcRoutes: [],
      tcpRoutes: [
        tcp('t', { parentRefs: [parent('web')], rules: [{ backendRefs: [{ name: 'db-v1', port: 5432 }] }] }),
      ],
    },
    OPTIONS,
  );
  const accepted = condition(d, 't', 'Accepted');
  t.is(accepted?.reason, 'NoMatchingParent');
  t.regex(
    accepted?.message ?? '',
    /has only HTTP or gRPC ports \(80\/http\); select one explicitly with port or sectionName/,
  );
});

test('TcpRoute and TlsRoute lists are sorted by name and independent of input order', (t) => {
  const other = svc('other', [{ port: 6379, name: 'redis' }], { clusterIP: '10.0.0.30' });
  const routes = [
    split,
    tcp('r', { parentRefs: [parent('other')], rules: [{ backendRefs: [{ name: 'db-v1', port: 5432 }] }] }),
  ];
  const a = translate(
    { services: [db, other, v1, v2], httpRoutes: [], grpcRoutes: [], tcpRoutes: routes },
    OPTIONS,
  );
  const b = translate(
    { services: [v2, v1, other, db], httpRoutes: [], grpcRoutes: [], tcpRoutes: [...routes].reverse() },
    OPTIONS,
  );
  t.deepEqual(a, b);
  t.is(a.tcpRoutes.length, 2);
  const names = a.tcpRoutes.map((r) => r.name ?? '');
  t.deepEqual(names, [...names].sort());
});

test('a parentRef whose every port is refused is Accepted=False naming each port (differential regression)', (t) => {
  const twoPorts = svc('front', [
    { name: 'tls', port: 443 },
    { name: 'tls-alt', port: 8443 },
  ]);
  const route = tls('gone', ['a.example.com'], ['missing']);
  route.spec.parentRefs = [parent('front')];
  const d = translate({ services: [twoPorts], httpRoutes: [], grpcRoutes: [], tlsRoutes: [route] }, OPTIONS);
  t.deepEqual(d.tlsRoutes, []);
  const accepted = condition(d, 'gone', 'Accepted');
  t.is(accepted?.status, 'False');
  t.is(accepted?.reason, 'UnsupportedValue');
  t.regex(accepted?.message ?? '', /^no Network Services route is written for it: .*port 443.*port 8443/);
});

test('hostile TCPRoute and TLSRoute input never throws: every problem is a status', (t) => {
  const junk = [
    null,
    42,
    { kind: 'TCPRoute', metadata: { name: 'x', namespace: 'ns' }, spec: 'nope' },
    tcp('bad-rules', { parentRefs: [parent('db', { port: 5432 })], rules: 'x' as never }),
    tcp('bad-refs', {
      parentRefs: [parent('db', { port: 5432 })],
      rules: [{ backendRefs: [null as never, 7 as never] }],
    }),
  ];
  const bad = svc('db', [{ port: 5432 }], { clusterIP: '10.0.0.12', clusterIPs: [7 as never] });
  const d = translate(
    {
      services: [bad, v1],
      httpRoutes: [],
      grpcRoutes: [],
      tcpRoutes: junk as TCPRoute[],
      tlsRoutes: [
        { ...tls('t', ['a.example.com']), spec: { hostnames: [3 as never], rules: [] } },
      ] as TLSRoute[],
    },
    OPTIONS,
  );
  t.deepEqual(d.tcpRoutes, []);
  for (const name of ['bad-rules', 'bad-refs']) t.is(condition(d, name, 'Accepted')?.status, 'False', name);
});

test('route size limits apply to TcpRoutes: over destinationsPerRule, not written, the limit named', (t) => {
  const d = translate(
    { services: [db, v1, v2], httpRoutes: [], grpcRoutes: [], tcpRoutes: [split] },
    { ...OPTIONS, limits: { destinationsPerRule: 1 } },
  );
  t.deepEqual(d.tcpRoutes, []);
  const accepted = condition(d, 'db-split', 'Accepted');
  t.is(accepted?.status, 'False');
  t.regex(
    accepted?.message ?? '',
    /Service ns\/db port 5432: its Network Services TcpRoute would have 2 destinations per rule \(rule 0\), over the limit of 1 \(GAMMA_MAX_DESTINATIONS_PER_RULE/,
  );
});
