import test from 'ava';
import { translate } from '../../shared/translate/index.ts';
import { OPTIONS, grpcRoute, httpRoute, parent, service } from './support.ts';

const conditions = (desired: ReturnType<typeof translate>, name: string, parentIndex = 0) =>
  Object.fromEntries(
    (desired.statuses.find((s) => s.name === name)?.parents[parentIndex]?.conditions ?? []).map((c) => [
      c.type,
      c,
    ]),
  );

test('a route failing validation is Accepted=False with the field path; observedGeneration is set', (t) => {
  const route = httpRoute(
    'bad',
    { parentRefs: [parent('svc', { port: 0 })], rules: [{ backendRefs: [{ name: 'svc', port: 80 }] }] },
    'ns',
    { generation: 3 },
  );
  const desired = translate({ services: [service('svc')], httpRoutes: [route], grpcRoutes: [] }, OPTIONS);
  const c = conditions(desired, 'bad');
  t.is(c.Accepted.status, 'False');
  t.is(c.Accepted.reason, 'UnsupportedValue');
  t.regex(c.Accepted.message, /spec\.parentRefs\[0\]\.port/);
  t.is(c.Accepted.observedGeneration, 3);
  t.is(desired.httpRoutes.length, 0);
});

test('a rule failing validation is dropped with PartiallyInvalid; the others are translated', (t) => {
  const route = httpRoute('half', {
    parentRefs: [parent('svc')],
    rules: [
      { matches: [{ path: { type: 'Exact', value: 'no-slash' } }], backendRefs: [{ name: 'svc', port: 80 }] },
      { backendRefs: [{ name: 'svc', port: 80 }] },
    ],
  });
  const desired = translate({ services: [service('svc')], httpRoutes: [route], grpcRoutes: [] }, OPTIONS);
  const c = conditions(desired, 'half');
  t.is(c.Accepted.status, 'True');
  t.is(c.PartiallyInvalid.status, 'True');
  t.regex(c.PartiallyInvalid.message, /^Dropped Rule spec\.rules\[0\]: spec\.rules\[0\]\.matches\[0\]\.path/);
  t.is(desired.httpRoutes[0].rules?.length, 1);
});

test('raw (undefaulted) input is defaulted: kind Service without group is not ours', (t) => {
  const route = httpRoute('gw', {
    parentRefs: [{ kind: 'Service', name: 'svc' }],
    rules: [{ backendRefs: [{ name: 'svc', port: 80 }] }],
  });
  const desired = translate({ services: [service('svc')], httpRoutes: [route], grpcRoutes: [] }, OPTIONS);
  t.deepEqual(desired.statuses, []);
  t.deepEqual(desired.httpRoutes, []);
});

test('every rule invalid -> Accepted=False and no NS route', (t) => {
  const route = httpRoute('allbad', {
    parentRefs: [parent('svc')],
    rules: [
      {
        matches: [{ path: { type: 'RegularExpression', value: '(?<=a)' } }],
        backendRefs: [{ name: 'svc', port: 80 }],
      },
    ],
  });
  const desired = translate({ services: [service('svc')], httpRoutes: [route], grpcRoutes: [] }, OPTIONS);
  const c = conditions(desired, 'allbad');
  t.is(c.Accepted.status, 'False');
  t.regex(c.Accepted.message, /Dropped Rule spec\.rules\[0\]/);
  t.false('PartiallyInvalid' in c);
  t.is(desired.httpRoutes.length, 0);
});

test('GRPCRoute beats HTTPRoute on the same port: the HTTPRoute is Conflicted', (t) => {
  const desired = translate(
    {
      services: [service('svc', 'ns', [7070])],
      httpRoutes: [
        httpRoute('h', {
          parentRefs: [parent('svc', { port: 7070 })],
          rules: [{ backendRefs: [{ name: 'svc', port: 7070 }] }],
        }),
      ],
      grpcRoutes: [
        grpcRoute('g', {
          parentRefs: [parent('svc', { port: 7070 })],
          rules: [{ backendRefs: [{ name: 'svc', port: 7070 }] }],
        }),
      ],
    },
    OPTIONS,
  );
  t.is(conditions(desired, 'h').Accepted.reason, 'Conflicted');
  t.regex(conditions(desired, 'h').Accepted.message, /GRPCRoute ns\/g/);
  t.is(conditions(desired, 'g').Accepted.status, 'True');
  t.is(desired.httpRoutes.length, 0);
  t.is(desired.grpcRoutes.length, 1);
});

test('mirror to a missing backend: ResolvedRefs=False, mirror omitted, warning', (t) => {
  const route = httpRoute('m', {
    parentRefs: [parent('svc')],
    rules: [
      {
        filters: [{ type: 'RequestMirror', requestMirror: { backendRef: { name: 'gone', port: 80 } } }],
        backendRefs: [{ name: 'svc', port: 80 }],
      },
    ],
  });
  const desired = translate({ services: [service('svc')], httpRoutes: [route], grpcRoutes: [] }, OPTIONS);
  t.is(conditions(desired, 'm').ResolvedRefs.reason, 'BackendNotFound');
  t.is(desired.httpRoutes[0].rules?.[0].action?.requestMirrorPolicy, undefined);
  t.true(desired.statuses[0].warnings?.some((w) => w.includes('RequestMirror')));
});

test('hostile input never throws and gives clear statuses', (t) => {
  const garbage = [
    null,
    1,
    'x',
    [],
    { metadata: null },
    { metadata: { name: 'n' }, spec: { parentRefs: 'nope', rules: { a: 1 } } },
  ];
  const desired = translate(
    {
      services: garbage as never,
      httpRoutes: garbage as never,
      grpcRoutes: garbage as never,
      serviceNamespacesByName: 5 as never,
    },
    OPTIONS,
  );
  t.is(desired.httpRoutes.length, 0);
  t.notThrows(() => translate(null as never, OPTIONS));
  t.notThrows(() => translate({} as never, {} as never));
});

test('the mesh body carries the full name and ownership labels', (t) => {
  const desired = translate(
    { services: [], httpRoutes: [], grpcRoutes: [] },
    { ...OPTIONS, clusterId: 'Prod EU' },
  );
  t.is(desired.mesh.name, 'projects/demo/locations/global/meshes/demo-mesh');
  t.is(desired.mesh.labels?.['managed-by'], 'gamma-csm');
  t.regex(desired.mesh.labels?.['gamma-csm-cluster'] ?? '', /^[a-z0-9_-]{1,63}$/);
});

test('a per-parent snapshot uses serviceNamespacesByName to decide on the short name', (t) => {
  const route = httpRoute('r', {
    parentRefs: [parent('svc')],
    rules: [{ backendRefs: [{ name: 'svc', port: 80 }] }],
  });
  const alone = translate({ services: [service('svc')], httpRoutes: [route], grpcRoutes: [] }, OPTIONS);
  t.true(alone.httpRoutes[0].hostnames?.includes('svc'));
  const shared = translate(
    {
      services: [service('svc')],
      httpRoutes: [route],
      grpcRoutes: [],
      serviceNamespacesByName: { svc: ['ns', 'elsewhere'] },
    },
    OPTIONS,
  );
  t.false(shared.httpRoutes[0].hostnames?.includes('svc'));
  t.false(shared.httpRoutes[0].hostnames?.includes('svc:80'));
  t.regex(conditions(shared, 'r').Accepted.message, /short hostname "svc" omitted.*elsewhere/);
});

test('routes on one port merge into one NS route whose description names every source', (t) => {
  const a = httpRoute('a', {
    parentRefs: [parent('svc')],
    rules: [
      { matches: [{ path: { type: 'Exact', value: '/a' } }], backendRefs: [{ name: 'svc', port: 80 }] },
    ],
  });
  const b = httpRoute('b', {
    parentRefs: [parent('svc')],
    rules: [
      { matches: [{ path: { type: 'Exact', value: '/b' } }], backendRefs: [{ name: 'svc', port: 80 }] },
    ],
  });
  const desired = translate({ services: [service('svc')], httpRoutes: [b, a], grpcRoutes: [] }, OPTIONS);
  t.is(desired.httpRoutes.length, 1);
  t.is(desired.httpRoutes[0].description, 'HTTPRoute ns/a, ns/b -> Service ns/svc:80');
  t.deepEqual(
    desired.httpRoutes[0].rules?.map((r) => r.matches?.map((m) => m.fullPathMatch)),
    [['/a', '/b'], undefined],
  );
  t.deepEqual(desired.httpRoutes[0].rules?.[1].action, { directResponse: { status: 404 } });
});

test('routes translated onto one port get equal conditions, each its own: no output object is shared', (t) => {
  const route = (name: string, path: string, generation: number, extra: object = {}) =>
    httpRoute(
      name,
      {
        parentRefs: [parent('svc')],
        rules: [
          { matches: [{ path: { type: 'Exact', value: path } }], backendRefs: [{ name: 'svc', port: 80 }] },
        ],
        ...extra,
      },
      'ns',
      { generation },
    );
  const routes = [
    route('a', '/a', 1),
    route('b', '/b', 1),
    route('c', '/c', 2), // another generation
    route('d', '/d', 1, { hostnames: ['x.example'] }), // a warning
    route('e', '/e', 1, { parentRefs: [{ name: 'svc', kind: 'Service', group: '' }] }), // keys reordered
    route('f', '/f', 1, { parentRefs: [parent('svc2')] }), // another port
  ];
  const services = [service('svc'), service('svc2')];
  const desired = translate({ services, httpRoutes: routes, grpcRoutes: [] }, OPTIONS);
  const parents = (name: string) => desired.statuses.find((s) => s.name === name)?.parents;
  const list = (name: string) => parents(name)?.[0].conditions;
  t.deepEqual(list('a'), list('b'));
  t.regex(list('a')?.[0].message ?? '', /^Translated into gamma-/);
  t.is(list('c')?.[0].observedGeneration, 2);
  t.regex(list('d')?.[0].message ?? '', /warning: spec\.hostnames is ignored/);
  t.is(JSON.stringify(parents('e')?.[0].parentRef), '{"name":"svc","kind":"Service","group":""}');
  // Each route's status is its own: changing one (as a status writer might) leaves the others alone.
  const names = ['a', 'b', 'c', 'd', 'e', 'f'];
  const objects = names.flatMap((n) => [parents(n), list(n), ...(list(n) ?? [])]);
  t.is(new Set(objects).size, objects.length);
  t.false(objects.some((o) => Object.isFrozen(o)));
  t.true(
    desired.httpRoutes.every((r, i) => desired.httpRoutes.every((o, j) => i === j || o.meshes !== r.meshes)),
  );
});
