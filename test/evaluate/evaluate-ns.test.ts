// Table tests for evaluateNs on hand-written Network Services bodies.
import test from 'ava';
import type { Desired, NsHttpRoute, NsGrpcRoute } from '../../shared/translate/types.ts';
import { evaluateNs } from '../support/evaluate-ns.ts';
import { normalizeOutcome, type MeshRequest, type Outcome } from '../support/request.ts';

const MESH = 'projects/p/locations/global/meshes/m';
const BS = (id: string) => `projects/p/locations/global/backendServices/${id}`;

function desired(httpRoutes: NsHttpRoute[], grpcRoutes: NsGrpcRoute[] = []): Desired {
  return {
    mesh: { name: MESH },
    httpRoutes: httpRoutes.map((r) => ({ meshes: [MESH], ...r })),
    grpcRoutes: grpcRoutes.map((r) => ({ meshes: [MESH], ...r })),
    tcpRoutes: [],
    tlsRoutes: [],
    backends: [
      { serviceName: BS('v1'), namespace: 'ns', service: 'v1', port: 8080 },
      { serviceName: BS('v2'), namespace: 'ns', service: 'v2', port: 8080 },
    ],
    statuses: [],
  };
}

const req = (r: Partial<MeshRequest> = {}): MeshRequest => ({
  protocol: 'http',
  clientNamespace: 'ns',
  host: 'svc',
  port: 80,
  path: '/',
  ...r,
});

const to = (service: string) => ({ destinations: [{ serviceName: BS(service) }] });

function backendOf(o: Outcome): string | number | undefined {
  if (o.kind === 'passthrough') return 'passthrough';
  if (o.outcomes.length !== 1) return `split:${o.outcomes.length}`;
  return o.outcomes[0].backend?.service ?? o.outcomes[0].status;
}

const matching: Array<[string, NsHttpRoute['rules'], Partial<MeshRequest>, string | number]> = [
  ['fullPathMatch exact', [{ matches: [{ fullPathMatch: '/a' }], action: to('v1') }], { path: '/a' }, 'v1'],
  [
    'fullPathMatch rejects longer',
    [{ matches: [{ fullPathMatch: '/a' }], action: to('v1') }],
    { path: '/a/' },
    404,
  ],
  [
    'prefix is a plain string prefix',
    [{ matches: [{ prefixMatch: '/ab' }], action: to('v1') }],
    { path: '/abc' },
    'v1',
  ],
  [
    'ignoreCase prefix',
    [{ matches: [{ prefixMatch: '/AB', ignoreCase: true }], action: to('v1') }],
    { path: '/abc' },
    'v1',
  ],
  ['case-sensitive prefix', [{ matches: [{ prefixMatch: '/AB' }], action: to('v1') }], { path: '/abc' }, 404],
  [
    'regex matches whole path',
    [{ matches: [{ regexMatch: '/a.' }], action: to('v1') }],
    { path: '/abc' },
    404,
  ],
  ['regex full match', [{ matches: [{ regexMatch: '/a.+' }], action: to('v1') }], { path: '/abc' }, 'v1'],
  [
    'first matching rule wins',
    [
      { matches: [{ prefixMatch: '/' }], action: to('v1') },
      { matches: [{ fullPathMatch: '/x' }], action: to('v2') },
    ],
    { path: '/x' },
    'v1',
  ],
  [
    'header exact',
    [{ matches: [{ headers: [{ header: 'x-a', exactMatch: 'b' }] }], action: to('v1') }],
    { headers: { 'X-A': 'b' } },
    'v1',
  ],
  [
    'header inverted',
    [{ matches: [{ headers: [{ header: 'x-a', exactMatch: 'b', invertMatch: true }] }], action: to('v1') }],
    { headers: { 'x-a': 'b' } },
    404,
  ],
  [
    'inverted exact on missing header fails',
    [{ matches: [{ headers: [{ header: 'x-a', exactMatch: 'b', invertMatch: true }] }], action: to('v1') }],
    {},
    404,
  ],
  [
    'present',
    [{ matches: [{ headers: [{ header: 'x-a', presentMatch: true }] }], action: to('v1') }],
    { headers: { 'x-a': '' } },
    'v1',
  ],
  [
    'inverted present on missing header',
    [
      {
        matches: [{ headers: [{ header: 'x-a', presentMatch: true, invertMatch: true }] }],
        action: to('v1'),
      },
    ],
    {},
    'v1',
  ],
  [
    'range end exclusive',
    [{ matches: [{ headers: [{ header: 'n', rangeMatch: { start: 1, end: 5 } }] }], action: to('v1') }],
    { headers: { n: '5' } },
    404,
  ],
  [
    'prefix header',
    [{ matches: [{ headers: [{ header: 'n', prefixMatch: 'ab' }] }], action: to('v1') }],
    { headers: { n: 'abc' } },
    'v1',
  ],
  [
    'regex header whole value',
    [{ matches: [{ headers: [{ header: 'n', regexMatch: 'b' }] }], action: to('v1') }],
    { headers: { n: 'abc' } },
    404,
  ],
  [
    ':method pseudo-header',
    [{ matches: [{ headers: [{ header: ':method', exactMatch: 'POST' }] }], action: to('v1') }],
    { method: 'POST' },
    'v1',
  ],
  [
    'query exact first value',
    [{ matches: [{ queryParameters: [{ queryParameter: 'a', exactMatch: '1' }] }], action: to('v1') }],
    {
      query: [
        ['a', '1'],
        ['a', '2'],
      ],
    },
    'v1',
  ],
  [
    'query present',
    [{ matches: [{ queryParameters: [{ queryParameter: 'a', presentMatch: true }] }], action: to('v1') }],
    { query: [['b', '1']] },
    404,
  ],
  [
    'matches are ORed',
    [{ matches: [{ fullPathMatch: '/x' }, { fullPathMatch: '/y' }], action: to('v2') }],
    { path: '/y' },
    'v2',
  ],
  [
    'criteria are ANDed',
    [{ matches: [{ fullPathMatch: '/y', headers: [{ header: 'a', exactMatch: '1' }] }], action: to('v2') }],
    { path: '/y' },
    404,
  ],
  ['no matches matches all', [{ action: to('v2') }], { path: '/anything' }, 'v2'],
];

for (const [title, rules, request, expected] of matching) {
  test(`match: ${title}`, (t) => {
    t.is(backendOf(evaluateNs(desired([{ hostnames: ['svc'], rules }]), req(request))), expected);
  });
}

test('hostnames: port is part of the authority, wildcard, no route = passthrough', (t) => {
  const d = desired([
    { hostnames: ['svc', 'svc.ns'], rules: [{ action: to('v1') }] },
    { hostnames: ['svc:8080'], rules: [{ action: to('v2') }] },
    { hostnames: ['*.example.com'], rules: [{ action: to('v2') }] },
  ]);
  t.is(backendOf(evaluateNs(d, req())), 'v1');
  t.is(backendOf(evaluateNs(d, req({ host: 'svc.ns' }))), 'v1');
  t.is(backendOf(evaluateNs(d, req({ port: 8080 }))), 'v2');
  t.is(backendOf(evaluateNs(d, req({ host: 'a.b.example.com' }))), 'v2');
  t.is(backendOf(evaluateNs(d, req({ host: 'example.com' }))), 'passthrough');
  t.is(backendOf(evaluateNs(d, req({ host: 'other' }))), 'passthrough');
  t.is(backendOf(evaluateNs(d, req({ hostHeader: 'svc:8080' }))), 'v2');
});

test('routes not attached to the mesh are ignored', (t) => {
  const d = desired([]);
  d.httpRoutes.push({
    hostnames: ['svc'],
    meshes: ['projects/p/locations/global/meshes/other'],
    rules: [{ action: to('v1') }],
  });
  t.deepEqual(evaluateNs(d, req()), { kind: 'passthrough' });
});

test('weights, fault abort share and header modifiers', (t) => {
  const d = desired([
    {
      hostnames: ['svc'],
      rules: [
        {
          action: {
            destinations: [
              { serviceName: BS('v1'), weight: 3, requestHeaderModifier: { add: { 'X-B': 'dest' } } },
              { serviceName: BS('v2'), weight: 1 },
            ],
            faultInjectionPolicy: { abort: { httpStatus: 500, percentage: 20 } },
            requestHeaderModifier: { set: { 'X-S': 'set' }, add: { 'X-A': 'added' }, remove: ['X-R'] },
            responseHeaderModifier: { set: { 'X-Resp': 'r' } },
          },
        },
      ],
    },
  ]);
  const o = normalizeOutcome(
    evaluateNs(d, req({ headers: { 'x-a': 'old', 'X-S': 'old', 'x-r': 'gone', 'x-b': 'b' } })),
  );
  if (o.kind !== 'response') return t.fail();
  const byService = Object.fromEntries(o.outcomes.map((b) => [b.backend?.service ?? String(b.status), b]));
  t.is(byService['500'].weight, 0.2);
  t.true(Math.abs(byService.v1.weight - 0.6) < 1e-9);
  t.true(Math.abs(byService.v2.weight - 0.2) < 1e-9);
  t.deepEqual(byService.v1.requestHeaders, { 'x-a': 'old,added', 'x-s': 'set', 'x-b': 'b,dest' });
  t.deepEqual(byService.v2.requestHeaders, { 'x-a': 'old,added', 'x-s': 'set', 'x-b': 'b' });
  t.deepEqual(byService.v2.responseHeaders, { 'x-resp': 'r' });
  t.is(byService.v1.host, 'svc');
});

test('unweighted destinations split equally; unknown serviceName throws', (t) => {
  const d = desired([
    {
      hostnames: ['svc'],
      rules: [{ action: { destinations: [{ serviceName: BS('v1') }, { serviceName: BS('v2') }] } }],
    },
  ]);
  const o = evaluateNs(d, req());
  t.deepEqual(o.kind === 'response' && o.outcomes.map((b) => b.weight), [0.5, 0.5]);
  const bad = desired([{ hostnames: ['svc'], rules: [{ action: to('nope') }] }]);
  t.throws(() => evaluateNs(bad, req()), { message: /not listed in desired.backends/ });
});

const redirects: Array<
  [
    string,
    NonNullable<NonNullable<NsHttpRoute['rules']>[number]['action']>['redirect'],
    Partial<MeshRequest>,
    number,
    string,
  ]
> = [
  ['default code is 301', { hostRedirect: 'example.org' }, { path: '/p/x' }, 301, 'http://example.org/p/x'],
  [
    'port kept from request',
    { hostRedirect: 'example.org', responseCode: 'FOUND' },
    { port: 8080, path: '/p' },
    302,
    'http://example.org:8080/p',
  ],
  [
    'https with well-known port',
    { httpsRedirect: true, responseCode: 'FOUND' },
    { path: '/p' },
    302,
    'https://svc/p',
  ],
  [
    'port redirect',
    { portRedirect: 8083, responseCode: 'SEE_OTHER' },
    { path: '/p' },
    303,
    'http://svc:8083/p',
  ],
  [
    'prefix rewrite on prefix arm',
    { prefixRewrite: '/new/', responseCode: 'TEMPORARY_REDIRECT' },
    { path: '/p/x' },
    307,
    'http://svc/new/x',
  ],
  [
    'path redirect keeps query',
    { pathRedirect: '/full', responseCode: 'PERMANENT_REDIRECT' },
    { path: '/p/x', query: [['a', 'b']] },
    308,
    'http://svc/full?a=b',
  ],
  [
    'strip query',
    { pathRedirect: '/full', stripQuery: true, responseCode: 'FOUND' },
    { path: '/p/x', query: [['a', 'b']] },
    302,
    'http://svc/full',
  ],
];

for (const [title, redirect, request, status, location] of redirects) {
  test(`redirect: ${title}`, (t) => {
    const d = desired([
      {
        hostnames: ['svc', 'svc:8080'],
        rules: [{ matches: [{ prefixMatch: '/p/' }, { fullPathMatch: '/p' }], action: { redirect } }],
      },
    ]);
    t.deepEqual(evaluateNs(d, req(request)), {
      kind: 'response',
      outcomes: [{ weight: 1, status, location }],
    });
  });
}

test('urlRewrite replaces the matched prefix or the full path, and the host', (t) => {
  const d = desired([
    {
      hostnames: ['svc'],
      rules: [
        {
          matches: [{ prefixMatch: '/p/' }],
          action: { ...to('v1'), urlRewrite: { pathPrefixRewrite: '/q/', hostRewrite: 'h' } },
        },
        {
          matches: [{ fullPathMatch: '/p' }],
          action: { ...to('v1'), urlRewrite: { pathPrefixRewrite: '/q' } },
        },
      ],
    },
  ]);
  const a = evaluateNs(d, req({ path: '/p/x/y' }));
  const b = evaluateNs(d, req({ path: '/p' }));
  t.like(a.kind === 'response' ? a.outcomes[0] : {}, { path: '/q/x/y', host: 'h' });
  t.like(b.kind === 'response' ? b.outcomes[0] : {}, { path: '/q', host: 'svc' });
});

test('grpc: method and header matches, authority carries the port', (t) => {
  const d = desired(
    [],
    [
      {
        hostnames: ['svc:7070'],
        rules: [
          {
            matches: [{ method: { grpcService: 'pkg.S', grpcMethod: 'M', caseSensitive: false } }],
            action: to('v1'),
          },
          {
            matches: [{ method: { type: 'REGULAR_EXPRESSION', grpcService: 'pkg\\..*', grpcMethod: 'N.*' } }],
            action: to('v2'),
          },
          {
            matches: [{ headers: [{ key: 'x-k', value: 'a.*', type: 'REGULAR_EXPRESSION' }] }],
            action: to('v1'),
          },
        ],
      },
    ],
  );
  const g = (grpc: { service: string; method: string }, headers?: Record<string, string>) =>
    backendOf(evaluateNs(d, req({ protocol: 'grpc', port: 7070, path: undefined, grpc, headers })));
  t.is(g({ service: 'PKG.s', method: 'm' }), 'v1');
  t.is(g({ service: 'pkg.T', method: 'Nx' }), 'v2');
  t.is(g({ service: 'x.T', method: 'Q' }), 404);
  t.is(g({ service: 'x.T', method: 'Q' }, { 'X-K': 'abc' }), 'v1');
  t.is(
    backendOf(evaluateNs(d, req({ protocol: 'grpc', port: 7071, grpc: { service: 'a', method: 'b' } }))),
    'passthrough',
  );
});
