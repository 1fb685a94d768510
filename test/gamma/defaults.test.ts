import test from 'ava';
import fc from 'fast-check';
import { applyDefaults } from '../../shared/gamma/index.ts';
import type { GRPCRoute, HTTPRoute, KubeObject, Service } from '../../shared/gamma/index.ts';

const GW = 'gateway.networking.k8s.io/v1';
const meta = { name: 'r', namespace: 'ns' };
const root = { path: { type: 'PathPrefix', value: '/' } };

function http(spec: object): HTTPRoute {
  return { apiVersion: GW, kind: 'HTTPRoute', metadata: meta, spec } as HTTPRoute;
}
function grpc(spec: object): GRPCRoute {
  return { apiVersion: GW, kind: 'GRPCRoute', metadata: meta, spec } as GRPCRoute;
}

const cases: [string, KubeObject, unknown][] = [
  ['HTTPRoute without rules gets one catch-all rule', http({}), { rules: [{ matches: [root] }] }],
  [
    'HTTPRoute rule without matches gets PathPrefix /',
    http({ rules: [{}] }),
    { rules: [{ matches: [root] }] },
  ],
  [
    'empty path and missing path type/value',
    http({
      rules: [{ matches: [{}, { path: {} }, { path: { value: '/x' } }, { path: { type: 'Exact' } }] }],
    }),
    {
      rules: [
        {
          matches: [
            root,
            root,
            { path: { type: 'PathPrefix', value: '/x' } },
            { path: { type: 'Exact', value: '/' } },
          ],
        },
      ],
    },
  ],
  [
    'parentRef group and kind (Gateway, not Service)',
    http({
      parentRefs: [{ name: 'svc' }, { group: '', kind: 'Service', name: 'svc' }],
      rules: [{ matches: [root] }],
    }),
    {
      parentRefs: [
        { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'svc' },
        { group: '', kind: 'Service', name: 'svc' },
      ],
      rules: [{ matches: [root] }],
    },
  ],
  [
    'header and query param type Exact',
    http({
      rules: [
        {
          matches: [
            {
              path: root.path,
              headers: [{ name: 'a', value: '1' }],
              queryParams: [{ name: 'q', value: '2' }],
            },
          ],
        },
      ],
    }),
    {
      rules: [
        {
          matches: [
            {
              path: root.path,
              headers: [{ type: 'Exact', name: 'a', value: '1' }],
              queryParams: [{ type: 'Exact', name: 'q', value: '2' }],
            },
          ],
        },
      ],
    },
  ],
  [
    'backendRef group, kind, weight and its filters',
    http({
      rules: [
        {
          matches: [root],
          backendRefs: [
            {
              name: 'b',
              port: 80,
              filters: [{ type: 'RequestMirror', requestMirror: { backendRef: { name: 'm', port: 80 } } }],
            },
          ],
        },
      ],
    }),
    {
      rules: [
        {
          matches: [root],
          backendRefs: [
            {
              group: '',
              kind: 'Service',
              weight: 1,
              name: 'b',
              port: 80,
              filters: [
                {
                  type: 'RequestMirror',
                  requestMirror: { backendRef: { group: '', kind: 'Service', name: 'm', port: 80 } },
                },
              ],
            },
          ],
        },
      ],
    },
  ],
  [
    'redirect statusCode 302, CORS maxAge 5, mirror fraction denominator 100',
    http({
      rules: [
        {
          matches: [root],
          filters: [
            { type: 'RequestRedirect', requestRedirect: { hostname: 'x' } },
            { type: 'CORS', cors: { allowOrigins: ['*'] } },
            {
              type: 'RequestMirror',
              requestMirror: { backendRef: { name: 'm', port: 1 }, fraction: { numerator: 1 } },
            },
          ],
        },
      ],
    }),
    {
      rules: [
        {
          matches: [root],
          filters: [
            { type: 'RequestRedirect', requestRedirect: { statusCode: 302, hostname: 'x' } },
            { type: 'CORS', cors: { maxAge: 5, allowOrigins: ['*'] } },
            {
              type: 'RequestMirror',
              requestMirror: {
                backendRef: { group: '', kind: 'Service', name: 'm', port: 1 },
                fraction: { numerator: 1, denominator: 100 },
              },
            },
          ],
        },
      ],
    },
  ],
  [
    'session persistence type Cookie, lifetime Session',
    http({ rules: [{ matches: [root], sessionPersistence: { cookieConfig: {} } }] }),
    {
      rules: [
        {
          matches: [root],
          sessionPersistence: { type: 'Cookie', cookieConfig: { lifetimeType: 'Session' } },
        },
      ],
    },
  ],
  ['GRPCRoute: no default rules', grpc({}), {}],
  ['GRPCRoute rule: no default matches', grpc({ rules: [{}] }), { rules: [{}] }],
  [
    'GRPCRoute method type Exact, header type Exact, backendRef defaults',
    grpc({
      rules: [
        {
          matches: [{ method: { method: 'M' }, headers: [{ name: 'h', value: 'v' }] }],
          backendRefs: [{ name: 'b', port: 8080 }],
        },
      ],
    }),
    {
      rules: [
        {
          matches: [
            { method: { type: 'Exact', method: 'M' }, headers: [{ type: 'Exact', name: 'h', value: 'v' }] },
          ],
          backendRefs: [{ group: '', kind: 'Service', weight: 1, name: 'b', port: 8080 }],
        },
      ],
    },
  ],
];

for (const [title, input, expectedSpec] of cases) {
  test(`defaults: ${title}`, (t) => {
    const before = structuredClone(input);
    const out = applyDefaults(input) as KubeObject & { spec: unknown };
    t.deepEqual(out.spec, expectedSpec);
    t.deepEqual(input, before, 'input not mutated');
    t.deepEqual(applyDefaults(out), out, 'idempotent');
  });
}

test('defaults: explicit values are kept, even of the wrong type', (t) => {
  const route = http({
    rules: [
      {
        matches: [{ path: { type: 'Exact', value: '/a' } }],
        backendRefs: [{ name: 'b', port: 1, weight: 0, group: 'x', kind: 'Y' }],
      },
    ],
  });
  t.deepEqual(applyDefaults(route), route);
  const weird = http({ rules: 'nope', parentRefs: [null, 3, 'x'] });
  t.deepEqual(applyDefaults(weird), weird);
});

test('defaults: Service type ClusterIP, port protocol TCP and targetPort = port', (t) => {
  const svc = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta,
    spec: { ports: [{ port: 80 }, { port: 81, targetPort: 'web', protocol: 'UDP' }] },
  } as Service;
  t.deepEqual(applyDefaults(svc).spec, {
    type: 'ClusterIP',
    ports: [
      { port: 80, protocol: 'TCP', targetPort: 80 },
      { port: 81, targetPort: 'web', protocol: 'UDP' },
    ],
  });
});

test('defaults: other kinds and other groups are returned unchanged (same reference)', (t) => {
  const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta, spec: {} };
  t.is(applyDefaults(deployment), deployment);
  const foreign = { apiVersion: 'example.com/v1', kind: 'HTTPRoute', metadata: meta, spec: {} };
  t.is(applyDefaults(foreign), foreign);
});

test('defaults: the defaulted rule is a fresh object, not a shared constant', (t) => {
  const a = applyDefaults(http({})) as HTTPRoute;
  const b = applyDefaults(http({})) as HTTPRoute;
  t.not(a.spec.rules, b.spec.rules);
  t.not(a.spec.rules![0].matches![0].path, b.spec.rules![0].matches![0].path);
});

// Arbitrary JSON shaped loosely like routes: known keys with random (often wrong) values.
const jsonValue = fc.jsonValue({ maxDepth: 3 });
const loose = <T>(arb: fc.Arbitrary<T>) => fc.oneof(arb, jsonValue);
const matchArb = fc.record(
  {
    path: loose(
      fc.record(
        { type: loose(fc.constantFrom('Exact', 'PathPrefix')), value: jsonValue },
        { requiredKeys: [] },
      ),
    ),
    headers: loose(fc.array(loose(fc.record({ name: fc.string(), value: fc.string() })))),
  },
  { requiredKeys: [] },
);
const ruleArb = fc.record(
  {
    matches: loose(fc.array(loose(matchArb))),
    backendRefs: loose(
      fc.array(
        loose(fc.record({ name: fc.string(), port: jsonValue, weight: jsonValue }, { requiredKeys: [] })),
      ),
    ),
    filters: loose(
      fc.array(
        loose(
          fc.record(
            { type: fc.string(), requestRedirect: jsonValue, requestMirror: jsonValue },
            { requiredKeys: [] },
          ),
        ),
      ),
    ),
  },
  { requiredKeys: [] },
);
const routeArb = fc.record({
  apiVersion: fc.constantFrom(GW, 'gateway.networking.k8s.io/v1beta1', 'v1'),
  kind: fc.constantFrom('HTTPRoute', 'GRPCRoute', 'Service'),
  metadata: fc.constant(meta),
  spec: loose(
    fc.record(
      {
        parentRefs: loose(fc.array(jsonValue)),
        rules: loose(fc.array(loose(ruleArb))),
        ports: loose(fc.array(jsonValue)),
      },
      { requiredKeys: [] },
    ),
  ),
});

test('property: applyDefaults is idempotent, total and never mutates its input', (t) => {
  fc.assert(
    fc.property(routeArb, (obj) => {
      const before = JSON.stringify(obj);
      const once = applyDefaults(obj as KubeObject);
      const twice = applyDefaults(once);
      return JSON.stringify(obj) === before && JSON.stringify(twice) === JSON.stringify(once);
    }),
    { numRuns: 500 },
  );
  t.pass();
});
