// Table tests for evaluateGamma on hand-written Gateway API objects.
import test from 'ava';
import type { GRPCRoute, HTTPRoute, HTTPRouteRule, Service } from '../../shared/gamma/types.ts';
import { evaluateGamma, replacePrefixMatch, type GammaObjects } from '../support/evaluate-gamma.ts';
import { normalizeOutcome, type MeshRequest, type Outcome } from '../support/request.ts';

const service = (name: string, ns = 'ns', ip?: string): Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: ns },
  spec: {
    clusterIP: ip,
    ports: [
      { name: 'http', port: 80 },
      { name: 'alt', port: 8080 },
      { name: 'grpc', port: 7070 },
    ],
  },
});
const SERVICES = [service('svc', 'ns', '10.0.0.1'), service('v1'), service('v2'), service('other', 'ns2')];

let seq = 0;
function route(
  rules: HTTPRouteRule[],
  extra: Partial<HTTPRoute['metadata']> = {},
  parent: Record<string, unknown> = {},
): HTTPRoute {
  seq++;
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: `r${seq}`, namespace: 'ns', ...extra },
    spec: { parentRefs: [{ group: '', kind: 'Service', name: 'svc', ...parent }], rules },
  };
}
const objects = (httpRoutes: HTTPRoute[], grpcRoutes: GRPCRoute[] = []): GammaObjects => ({
  services: SERVICES,
  httpRoutes,
  grpcRoutes,
});
const req = (r: Partial<MeshRequest> = {}): MeshRequest => ({
  protocol: 'http',
  clientNamespace: 'ns',
  host: 'svc',
  port: 80,
  path: '/',
  ...r,
});
const to = (name: string, weight?: number) => [
  { name, port: 8080, ...(weight === undefined ? {} : { weight }) },
];

function backendOf(o: Outcome): string | number {
  if (o.kind === 'passthrough') return 'passthrough';
  if (o.outcomes.length !== 1) return `split:${o.outcomes.length}`;
  return o.outcomes[0].backend?.service ?? o.outcomes[0].status;
}

test('ReplacePrefixMatch follows the Gateway API table', (t) => {
  const table: Array<[string, string, string, string]> = [
    ['/foo/bar', '/foo', '/xyz', '/xyz/bar'],
    ['/foo/bar', '/foo/', '/xyz/', '/xyz/bar'],
    ['/foo', '/foo', '/xyz', '/xyz'],
    ['/foo/', '/foo', '/xyz', '/xyz/'],
    ['/foo/bar', '/foo', '', '/bar'],
    ['/foo/', '/foo', '', '/'],
    ['/foo', '/foo', '', '/'],
    ['/foo/', '/foo', '/', '/'],
    ['/foo', '/foo', '/', '/'],
    // Not in the spec's table (our reading): prefix "/" matches zero segments.
    ['/', '/', '/xyz', '/xyz'],
    ['/foo', '/', '/xyz', '/xyz/foo'],
  ];
  for (const [path, prefix, replacement, expected] of table)
    t.is(replacePrefixMatch(path, prefix, replacement), expected, `${path} ${prefix} ${replacement}`);
});

test('frontend: DNS names from the client namespace, cluster IP, unknown host = passthrough', (t) => {
  const o = objects([route([{ backendRefs: to('v1') }])]);
  t.is(backendOf(evaluateGamma(o, req())), 'v1');
  t.is(backendOf(evaluateGamma(o, req({ host: 'svc.ns.svc.cluster.local' }))), 'v1');
  t.is(backendOf(evaluateGamma(o, req({ host: '10.0.0.1', hostHeader: 'anything' }))), 'v1');
  t.is(backendOf(evaluateGamma(o, req({ host: 'svc', clientNamespace: 'ns2' }))), 'passthrough');
  t.is(backendOf(evaluateGamma(o, req({ host: 'v1' }))), 'passthrough');
  t.is(backendOf(evaluateGamma(o, req({ port: 9999 }))), 'passthrough');
});

test('parentRef port and sectionName limit the ports; group must be ""', (t) => {
  const byPort = objects([route([{ backendRefs: to('v1') }], {}, { port: 80 })]);
  t.is(backendOf(evaluateGamma(byPort, req())), 'v1');
  t.is(backendOf(evaluateGamma(byPort, req({ port: 8080 }))), 'passthrough');
  const bySection = objects([route([{ backendRefs: to('v1') }], {}, { sectionName: 'alt' })]);
  t.is(backendOf(evaluateGamma(bySection, req({ port: 8080 }))), 'v1');
  t.is(backendOf(evaluateGamma(bySection, req())), 'passthrough');
  const noGroup = route([{ backendRefs: to('v1') }]);
  delete noGroup.spec.parentRefs![0].group;
  t.is(backendOf(evaluateGamma(objects([noGroup]), req())), 'passthrough');
});

test('precedence across routes: exact, regex, longest prefix, method, headers, query, age, name', (t) => {
  const o = objects([
    route([{ matches: [{ path: { type: 'PathPrefix', value: '/a' } }], backendRefs: to('v1') }], {
      creationTimestamp: '2024-01-01T00:00:00Z',
    }),
    route([{ matches: [{ path: { type: 'PathPrefix', value: '/a/b' } }], backendRefs: to('v2') }], {
      creationTimestamp: '2025-01-01T00:00:00Z',
    }),
    route([{ matches: [{ path: { type: 'Exact', value: '/a/b/c' } }], backendRefs: to('svc') }]),
    route([
      {
        matches: [{ path: { type: 'PathPrefix', value: '/a' }, headers: [{ name: 'X', value: '1' }] }],
        backendRefs: to('other'),
      },
    ]),
  ]);
  o.services.push(service('other'));
  t.is(backendOf(evaluateGamma(o, req({ path: '/a/b/c' }))), 'svc');
  t.is(backendOf(evaluateGamma(o, req({ path: '/a/b/d' }))), 'v2');
  t.is(backendOf(evaluateGamma(o, req({ path: '/a/bc' }))), 'v1');
  t.is(backendOf(evaluateGamma(o, req({ path: '/a/bc', headers: { x: '1' } }))), 'other');
  t.is(backendOf(evaluateGamma(o, req({ path: '/ab' }))), 404);
  o.services.pop();
  // Same match everywhere: the older route wins, then the name.
  const older = route([{ backendRefs: to('v2') }], { creationTimestamp: '2020-01-01T00:00:00Z', name: 'z' });
  const newer = route([{ backendRefs: to('v1') }], { creationTimestamp: '2021-01-01T00:00:00Z', name: 'a' });
  t.is(backendOf(evaluateGamma(objects([newer, older]), req())), 'v2');
  const sameA = route([{ backendRefs: to('v1') }], { name: 'a' });
  const sameB = route([{ backendRefs: to('v2') }], { name: 'b' });
  t.is(backendOf(evaluateGamma(objects([sameB, sameA]), req())), 'v1');
});

test('matching: segment prefixes, case-insensitive header names, first query value, method', (t) => {
  const o = objects([
    route([
      { matches: [{ path: { type: 'PathPrefix', value: '/v2/' } }], backendRefs: to('v2') },
      { matches: [{ path: { type: 'RegularExpression', value: '/r[0-9]+' } }], backendRefs: to('v1') },
      {
        matches: [{ headers: [{ name: 'Version', value: 'one' }], queryParams: [{ name: 'a', value: 'x' }] }],
        backendRefs: to('v1'),
      },
      { matches: [{ method: 'POST', path: { type: 'Exact', value: '/m' } }], backendRefs: to('v2') },
    ]),
  ]);
  t.is(backendOf(evaluateGamma(o, req({ path: '/v2' }))), 'v2');
  t.is(backendOf(evaluateGamma(o, req({ path: '/v2example' }))), 404);
  t.is(backendOf(evaluateGamma(o, req({ path: '/r12' }))), 'v1');
  t.is(backendOf(evaluateGamma(o, req({ path: '/r12x' }))), 404);
  t.is(
    backendOf(
      evaluateGamma(
        o,
        req({
          headers: { version: 'one' },
          query: [
            ['a', 'x'],
            ['a', 'y'],
          ],
        }),
      ),
    ),
    'v1',
  );
  t.is(
    backendOf(
      evaluateGamma(
        o,
        req({
          headers: { version: 'one' },
          query: [
            ['a', 'y'],
            ['a', 'x'],
          ],
        }),
      ),
    ),
    404,
  );
  t.is(backendOf(evaluateGamma(o, req({ path: '/m', method: 'POST' }))), 'v2');
  t.is(backendOf(evaluateGamma(o, req({ path: '/m' }))), 404);
});

test('weights: proportional 500s for missing backends, weight 0 ignored, no backends = 500', (t) => {
  const o = objects([
    route([
      {
        matches: [{ path: { type: 'Exact', value: '/split' } }],
        backendRefs: [...to('v1', 2), ...to('missing', 1), ...to('v2', 0), { name: 'v2', port: 1234 }],
      },
      { matches: [{ path: { type: 'Exact', value: '/none' } }] },
      { matches: [{ path: { type: 'Exact', value: '/zero' } }], backendRefs: to('v1', 0) },
    ]),
  ]);
  const split = normalizeOutcome(evaluateGamma(o, req({ path: '/split' })));
  t.deepEqual(
    split.kind === 'response' &&
      split.outcomes.map((b) => [b.status, b.backend?.service, Math.round(b.weight * 100)]),
    [
      [200, 'v1', 50],
      [500, undefined, 50],
    ],
  );
  t.is(backendOf(evaluateGamma(o, req({ path: '/none' }))), 500);
  t.is(backendOf(evaluateGamma(o, req({ path: '/zero' }))), 500);
});

test('filters: header modifiers (rule then backend), rewrite, redirect defaults, mirror', (t) => {
  const o = objects([
    route([
      {
        matches: [{ path: { type: 'PathPrefix', value: '/p' } }],
        filters: [
          {
            type: 'RequestHeaderModifier',
            requestHeaderModifier: {
              set: [{ name: 'X-Set', value: 's' }],
              add: [{ name: 'X-Add', value: 'a' }],
              remove: ['X-Rm'],
            },
          },
          {
            type: 'ResponseHeaderModifier',
            responseHeaderModifier: { add: [{ name: 'X-Resp', value: 'r' }] },
          },
          {
            type: 'URLRewrite',
            urlRewrite: {
              hostname: 'h.example',
              path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/q' },
            },
          },
          { type: 'RequestMirror', requestMirror: { backendRef: { name: 'v2', port: 80 }, percent: 42 } },
        ],
        backendRefs: [
          {
            name: 'v1',
            port: 8080,
            filters: [
              {
                type: 'RequestHeaderModifier',
                requestHeaderModifier: { add: [{ name: 'X-B', value: 'b' }] },
              },
            ],
          },
        ],
      },
      {
        matches: [{ path: { type: 'PathPrefix', value: '/r' } }],
        filters: [
          {
            type: 'RequestRedirect',
            requestRedirect: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/n' } },
          },
        ],
      },
      {
        matches: [{ path: { type: 'PathPrefix', value: '/s' } }],
        filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }],
      },
    ]),
  ]);
  const p = evaluateGamma(o, req({ path: '/p/x', headers: { 'x-add': 'old', 'x-rm': '1', 'X-SET': 'old' } }));
  t.deepEqual(p, {
    kind: 'response',
    outcomes: [
      {
        weight: 1,
        status: 200,
        backend: { namespace: 'ns', service: 'v1', port: 8080 },
        requestHeaders: { 'x-add': 'old,a', 'x-set': 's', 'x-b': 'b' },
        responseHeaders: { 'x-resp': 'r' },
        path: '/q/x',
        host: 'h.example',
        mirrors: [{ namespace: 'ns', service: 'v2', port: 80, percent: 42 }],
      },
    ],
  });
  t.deepEqual(evaluateGamma(o, req({ path: '/r/x', port: 8080 })), {
    kind: 'response',
    outcomes: [{ weight: 1, status: 302, location: 'http://svc:8080/n/x' }],
  });
  t.deepEqual(evaluateGamma(o, req({ path: '/s', port: 8080 })), {
    kind: 'response',
    outcomes: [{ weight: 1, status: 301, location: 'https://svc/s' }],
  });
});

test('consumer routes apply only to clients in their namespace, replacing producer routes', (t) => {
  const producer = route([{ backendRefs: to('v1') }]);
  const consumer = route(
    [{ backendRefs: [{ name: 'v2', namespace: 'ns', port: 8080 }] }],
    { namespace: 'ns2' },
    { namespace: 'ns' },
  );
  const o = objects([producer, consumer]);
  t.is(backendOf(evaluateGamma(o, req({ host: 'svc.ns' }))), 'v1');
  t.is(backendOf(evaluateGamma(o, req({ host: 'svc.ns', clientNamespace: 'ns2' }))), 'v2');
  t.is(backendOf(evaluateGamma(o, req({ host: 'svc.ns', clientNamespace: 'ns3' }))), 'v1');
});

test('GRPCRoute wins over HTTPRoute; method precedence and header matches', (t) => {
  const grpc: GRPCRoute = {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'GRPCRoute',
    metadata: { name: 'g', namespace: 'ns' },
    spec: {
      parentRefs: [{ group: '', kind: 'Service', name: 'svc', port: 7070 }],
      rules: [
        { matches: [{ method: { service: 'pkg.S' } }], backendRefs: [{ name: 'v2', port: 7070 }] },
        {
          matches: [{ method: { service: 'pkg.S', method: 'M' } }],
          backendRefs: [{ name: 'v1', port: 7070 }],
        },
        { matches: [{ headers: [{ name: 'X-K', value: 'v' }] }], backendRefs: [{ name: 'v1', port: 7070 }] },
      ],
    },
  };
  const o = objects([route([{ backendRefs: to('v2') }])], [grpc]);
  const g = (service: string, method: string, headers?: Record<string, string>) =>
    backendOf(
      evaluateGamma(
        o,
        req({ protocol: 'grpc', port: 7070, path: undefined, grpc: { service, method }, headers }),
      ),
    );
  t.is(g('pkg.S', 'M'), 'v1');
  t.is(g('pkg.S', 'N'), 'v2');
  t.is(g('pkg.T', 'N'), 404);
  t.is(g('pkg.T', 'N', { 'x-k': 'v' }), 'v1');
  t.is(backendOf(evaluateGamma(o, req())), 'v2');
});
