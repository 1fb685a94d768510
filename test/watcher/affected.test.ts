// The "affected parents" rule as a table: one change plus the caches after it -> the parents whose
// snapshot may differ, with previous ports where the parent itself changed its ports or vanished.
import test from 'ava';
import { affectedParents } from '../../watcher/affected.ts';
import type { Change, ClusterView } from '../../watcher/affected.ts';
import type { ReferenceGrant, Route, Service, ServicePort } from '../../shared/gamma/types.ts';
import { grpc, http, svc, tcp, tls } from './fixtures.ts';

interface Row {
  title: string;
  change: Change;
  services?: Service[];
  routes?: Route[];
  knownParents?: string[];
  /** "ns/name" or "ns/name previous=80,81" */
  expected: string[];
}

const routeA = http('r', { parents: ['a'], backends: ['b'] });
const routeB = http('r', { parents: ['b2'], backends: ['b'] });
const withStatus: Route = {
  ...routeA,
  status: { parents: [] },
  metadata: { ...routeA.metadata, resourceVersion: '9' },
};

/** A ReferenceGrant in `namespace` letting HTTPRoutes of namespace `from` reach its Services. */
function grant(namespace: string, from = 'a', name = 'g'): ReferenceGrant {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1beta1',
    kind: 'ReferenceGrant',
    metadata: { name, namespace },
    spec: {
      from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: from }],
      to: [{ group: '', kind: 'Service' }],
    },
  };
}
// Routes in namespace `a`: one sends to `b/api`, one mirrors to `c/audit`, one stays home.
const crossRoutes = [
  http('to-b', { namespace: 'a', parents: ['front'], backends: [{ name: 'api', namespace: 'b' }] }),
  {
    ...http('mirror-c', { namespace: 'a', parents: ['side'], backends: ['local'] }),
    spec: {
      parentRefs: [{ group: '', kind: 'Service', name: 'side' }],
      rules: [
        {
          backendRefs: [{ name: 'local', port: 80 }],
          filters: [
            {
              type: 'RequestMirror',
              requestMirror: { backendRef: { name: 'audit', namespace: 'c', port: 80 } },
            },
          ],
        },
      ],
    },
  } as Route,
  http('home', { namespace: 'a', parents: ['home'], backends: ['local'] }),
  http('in-b', { namespace: 'b', parents: ['own'], backends: ['api'] }),
];

/** A backend Service `b` with port 80 and the given annotations / port fields. */
function backend(
  annotations: Record<string, string> = {},
  port: Partial<ServicePort> = {},
  extra: object = {},
): Service {
  const base = svc('b', 'default', [80], Object.keys(annotations).length ? { annotations } : {});
  return { ...base, spec: { ports: [{ name: 'p80', port: 80, ...port }] }, ...extra } as Service;
}

const NEG = 'cloud.google.com/neg';
const NEG_STATUS = 'cloud.google.com/neg-status';
const negStatus = (zones: string[]) =>
  JSON.stringify({ network_endpoint_groups: { '80': 'k8s1-abcd1234-default-b-80-0123abcd' }, zones });

function backendFieldChanges(): Array<[string, Service, Service]> {
  const exposed = { [NEG]: '{"exposed_ports":{"80":{}}}' };
  return [
    [
      'NEG status (controller wrote the NEGs)',
      backend(exposed),
      backend({ ...exposed, [NEG_STATUS]: negStatus(['us-central1-a']) }),
    ],
    [
      'NEG status (a zone added)',
      backend({ ...exposed, [NEG_STATUS]: negStatus(['us-central1-a']) }),
      backend({ ...exposed, [NEG_STATUS]: negStatus(['us-central1-a', 'us-central1-b']) }),
    ],
    ['NEG annotation', backend(), backend(exposed)],
    ['port appProtocol', backend({}, {}), backend({}, { appProtocol: 'kubernetes.io/h2c' })],
    ['port number', backend({}, {}), backend({}, { port: 8080 })],
    ['port targetPort', backend({}, { targetPort: 8080 }), backend({}, { targetPort: 9090 })],
    [
      'gamma-csm.dev/health-check.80',
      backend(),
      backend({ 'gamma-csm.dev/health-check.80': 'http:/healthz' }),
    ],
    [
      'gamma-csm.dev/backend-protocol.80',
      backend(),
      backend({ 'gamma-csm.dev/backend-protocol.80': 'GRPC' }),
    ],
    [
      'gamma-csm.dev/max-rate-per-endpoint.80',
      backend(),
      backend({ 'gamma-csm.dev/max-rate-per-endpoint.80': '500' }),
    ],
    ['gamma-csm.dev/backend-service.80', backend(), backend({ 'gamma-csm.dev/backend-service.80': 'my-bs' })],
  ];
}

function unrelatedChanges(): Array<[string, Service, Service]> {
  const lb = (ip: string) => ({ status: { loadBalancer: { ingress: [{ ip }] } } });
  return [
    ['label', backend(), { ...backend(), metadata: { ...backend().metadata, labels: { team: 'x' } } }],
    ['status.loadBalancer', backend({}, {}, lb('10.0.0.1')), backend({}, {}, lb('10.0.0.2'))],
    [
      'resourceVersion and managedFields',
      { ...backend(), metadata: { ...backend().metadata, resourceVersion: '1' } },
      {
        ...backend(),
        metadata: { ...backend().metadata, resourceVersion: '2', managedFields: [{ manager: 'kubectl' }] },
      } as Service,
    ],
  ];
}

const grantRows: Row[] = [
  {
    title: 'a ReferenceGrant added: parents of routes of other namespaces sending to its namespace',
    change: { type: 'add', new: grant('b') },
    routes: crossRoutes,
    expected: ['a/front'],
  },
  {
    title: 'a ReferenceGrant deleted: routes mirroring into its namespace count too',
    change: { type: 'delete', old: grant('c') },
    routes: crossRoutes,
    expected: ['a/side'],
  },
  {
    title: 'a ReferenceGrant whose spec changed republishes; one with the same spec does not',
    change: { type: 'update', old: grant('b'), new: grant('b', 'z') },
    routes: crossRoutes,
    expected: ['a/front'],
  },
  {
    title: 'a ReferenceGrant updated without a spec change affects nothing',
    change: {
      type: 'update',
      old: grant('b'),
      new: { ...grant('b'), metadata: { name: 'g', namespace: 'b', resourceVersion: '7' } },
    },
    routes: crossRoutes,
    expected: [],
  },
  {
    title: 'a ReferenceGrant in a namespace no route reaches into affects nothing',
    change: { type: 'add', new: grant('a') },
    routes: crossRoutes,
    expected: [],
  },
];

const rows: Row[] = [
  ...grantRows,
  { title: 'route created -> its parent', change: { type: 'add', new: routeA }, expected: ['default/a'] },
  {
    title: 'route deleted -> its parent',
    change: { type: 'delete', old: routeA },
    expected: ['default/a'],
  },
  {
    title: 'route moved from a to b2 -> both',
    change: { type: 'update', old: routeA, new: routeB },
    routes: [routeB],
    expected: ['default/a', 'default/b2'],
  },
  {
    title: 'route status-only update -> nothing',
    change: { type: 'update', old: routeA, new: withStatus },
    routes: [withStatus],
    expected: [],
  },
  {
    title: 'route with two parents, one in another namespace (consumer route) -> both',
    change: {
      type: 'add',
      new: http('c', { namespace: 'client', parents: ['x', { name: 'y', namespace: 'prod' }] }),
    },
    expected: ['client/x', 'prod/y'],
  },
  {
    title: 'route whose parentRef is a Gateway -> nothing',
    change: {
      type: 'add',
      new: {
        ...routeA,
        spec: {
          parentRefs: [{ name: 'gw' }, { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'gw2' }],
        },
      },
    },
    expected: [],
  },
  {
    title: 'GRPCRoute created -> its parent',
    change: { type: 'add', new: grpc('g', { parents: ['grpc-svc'] }) },
    expected: ['default/grpc-svc'],
  },
  {
    title: 'backend Service created -> parents of routes using it',
    change: { type: 'add', new: svc('b') },
    services: [svc('a'), svc('b')],
    routes: [routeA, http('other', { parents: ['z'], backends: ['q'] })],
    expected: ['default/a'],
  },
  {
    title: 'backend Service deleted -> parents of routes using it',
    change: { type: 'delete', old: svc('b') },
    services: [svc('a')],
    routes: [routeA, http('r2', { parents: ['c'], backends: [{ name: 'b' }] })],
    expected: ['default/a', 'default/c'],
  },
  {
    title: 'mirror target Service created -> parents of routes mirroring to it',
    change: { type: 'add', new: svc('m') },
    routes: [http('r', { parents: ['a'], backends: ['b'], mirror: 'm' })],
    expected: ['default/a'],
  },
  {
    title: 'backend Service in another namespace, referenced cross-namespace',
    change: { type: 'add', new: svc('b', 'other') },
    routes: [routeA, http('x', { parents: ['p'], backends: [{ name: 'b', namespace: 'other' }] })],
    expected: ['default/p'],
  },
  {
    title: 'backend Service ports changed -> parents of routes using it (no previous ports: not the parent)',
    change: { type: 'update', old: svc('b', 'default', [80]), new: svc('b', 'default', [8080]) },
    routes: [routeA],
    expected: ['default/a'],
  },
  {
    title: 'backend Service unrelated change (labels, resourceVersion) -> nothing',
    change: {
      type: 'update',
      old: svc('b', 'default', [80], { resourceVersion: '1' }),
      new: svc('b', 'default', [80], { resourceVersion: '2', labels: { x: 'y' } }),
    },
    routes: [routeA],
    expected: [],
  },
  // The backend-services stage reads these fields of a backend Service (docs/backends.md): a change
  // of any of them must republish every parent whose routes send to it.
  ...backendFieldChanges().map(([what, old, now]) => ({
    title: `backend Service ${what} changed -> parents of routes using or mirroring to it`,
    change: { type: 'update' as const, old, new: now },
    routes: [
      routeA,
      http('mirrors', { parents: ['m1'], backends: ['z'], mirror: 'b' }),
      http('x', { parents: ['q'], backends: ['z'] }),
    ],
    expected: ['default/a', 'default/m1'],
  })),
  ...unrelatedChanges().map(([what, old, now]) => ({
    title: `backend Service ${what} changed -> nothing`,
    change: { type: 'update' as const, old, new: now },
    routes: [routeA, http('mirrors', { parents: ['m1'], backends: ['z'], mirror: 'b' })],
    expected: [],
  })),
  {
    title: 'parent Service created -> itself',
    change: { type: 'add', new: svc('a') },
    routes: [routeA],
    expected: ['default/a'],
  },
  {
    title: 'parent Service ports changed -> itself with the old ports',
    change: { type: 'update', old: svc('a', 'default', [80, 81]), new: svc('a', 'default', [80]) },
    routes: [routeA],
    expected: ['default/a previous=80,81'],
  },
  {
    title: 'parent Service annotation changed (backend override) -> itself, ports unchanged',
    change: {
      type: 'update',
      old: svc('a'),
      new: svc('a', 'default', [80], { annotations: { 'gamma-csm.dev/backend-service': 'bs' } }),
    },
    routes: [routeA],
    expected: ['default/a'],
  },
  {
    title: 'parent Service deleted -> itself with its ports',
    change: { type: 'delete', old: svc('a', 'default', [80, 9090]) },
    routes: [routeA],
    expected: ['default/a previous=80,9090'],
  },
  {
    title: 'former parent deleted after its routes (one coalescing window) -> itself with its ports',
    change: { type: 'delete', old: svc('a', 'default', [80, 9090]) },
    routes: [],
    knownParents: ['default/a'],
    expected: ['default/a previous=80,9090'],
  },
  {
    title: 'Service that was never a parent deleted -> nothing',
    change: { type: 'delete', old: svc('lonely', 'default', [80]) },
    routes: [routeA],
    knownParents: ['default/a'],
    expected: [],
  },
  {
    title: 'Service with no routes created -> nothing',
    change: { type: 'add', new: svc('lonely') },
    routes: [routeA],
    expected: [],
  },
  {
    title: 'same short name appears in another namespace -> every parent with that name',
    change: { type: 'add', new: svc('a', 'other') },
    services: [svc('a'), svc('a', 'other')],
    routes: [routeA, http('r3', { namespace: 'third', parents: ['a'] }), http('r4', { parents: ['zz'] })],
    expected: ['default/a', 'third/a'],
  },
  {
    title: 'same short name disappears from another namespace -> the parents sharing it',
    change: { type: 'delete', old: svc('a', 'other') },
    services: [svc('a')],
    routes: [routeA],
    expected: ['default/a'],
  },
  {
    title: 'a parent that is also a backend and shares its name: one entry, reasons merged',
    change: { type: 'delete', old: svc('a', 'default', [80]) },
    routes: [
      http('self', { parents: ['a'], backends: ['a'] }),
      http('n', { namespace: 'n2', parents: ['a'] }),
    ],
    expected: ['default/a previous=80', 'n2/a'],
  },
  // TCPRoute and TLSRoute: parents, backends, grants and short names work as for HTTP and gRPC routes.
  {
    title: 'TCPRoute added -> its parent',
    change: { type: 'add', new: tcp('t', { parents: ['db'], backends: ['db-v2'] }) },
    routes: [tcp('t', { parents: ['db'], backends: ['db-v2'] })],
    expected: ['default/db'],
  },
  {
    title: 'TLSRoute moved from one parent to another -> both',
    change: {
      type: 'update',
      old: tls('s', { parents: ['old'], backends: ['x'] }),
      new: tls('s', { parents: ['new'], backends: ['x'] }),
    },
    routes: [tls('s', { parents: ['new'], backends: ['x'] })],
    expected: ['default/new', 'default/old'],
  },
  {
    title: 'TCPRoute deleted -> its parent',
    change: { type: 'delete', old: tcp('t', { parents: ['db'], backends: ['db'] }) },
    expected: ['default/db'],
  },
  {
    title: 'a backend Service of a TCPRoute and a TLSRoute changes ports -> both parents',
    change: { type: 'update', old: svc('pool', 'default', [5432]), new: svc('pool', 'default', [5433]) },
    routes: [
      tcp('t', { parents: ['db'], backends: ['pool'] }),
      tls('s', { parents: ['secure'], backends: ['pool'] }),
      http('h', { parents: ['web'], backends: ['other'] }),
    ],
    expected: ['default/db', 'default/secure'],
  },
  {
    title: 'the parent Service of a TCPRoute is deleted -> itself, with its old ports',
    change: { type: 'delete', old: svc('db', 'default', [5432]) },
    routes: [tcp('t', { parents: ['db'], backends: ['other'] })],
    expected: ['default/db previous=5432'],
  },
  {
    title: 'a ReferenceGrant in the namespace a TLSRoute sends to -> its parent',
    change: { type: 'add', new: grant('b', 'a') },
    routes: [tls('s', { namespace: 'a', parents: ['front'], backends: [{ name: 'api', namespace: 'b' }] })],
    expected: ['a/front'],
  },
];

const render = (r: ReturnType<typeof affectedParents>[number]) =>
  `${r.parent.namespace}/${r.parent.name}${r.previousPorts ? ` previous=${r.previousPorts.join(',')}` : ''}`;

for (const row of rows) {
  test(row.title, (t) => {
    const view: ClusterView = {
      services: row.services ?? [],
      routes: row.routes ?? [],
      knownParents: new Set(row.knownParents ?? []),
    };
    const got = affectedParents(row.change, view);
    t.deepEqual(got.map(render), row.expected);
    for (const g of got) t.true(g.reasons.length > 0, 'every parent says why');
  });
}

test('reasons name the object and the change', (t) => {
  const [moved] = affectedParents(
    { type: 'update', old: routeA, new: routeB },
    { services: [], routes: [routeB] },
  );
  t.deepEqual(moved.reasons, ['HTTPRoute default/r modified']);
  const got = affectedParents(
    { type: 'delete', old: svc('a', 'default', [80]) },
    { services: [], routes: [http('self', { parents: ['a'], backends: ['a'] })] },
  );
  t.deepEqual(got[0].reasons, ['Service default/a deleted', 'backend Service default/a deleted']);
  const short = affectedParents({ type: 'add', new: svc('a', 'other') }, { services: [], routes: [routeA] });
  t.deepEqual(short[0].reasons, ['short name "a": Service other/a added']);
  const [stream] = affectedParents(
    { type: 'add', new: tls('s', { parents: ['db'] }) },
    { services: [], routes: [] },
  );
  t.deepEqual(stream.reasons, ['TLSRoute default/s added']);
});
