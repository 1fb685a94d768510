// Pure validation rules of the emulator (the constraints the v1 API documents), one case per rule.
import test from 'ava';
import {
  isHostname,
  validateResource,
  validateResourceId,
  type Kind,
} from '../../infra/local/netsvc/validate.ts';
import {
  hostnameConflicts,
  omitDefaults,
  parseMask,
  applyPatch,
  page,
  decodePageToken,
  makeClock,
} from '../../infra/local/netsvc/resources.ts';

const DEST = { serviceName: 'projects/p/locations/global/backendServices/bs' };
const http = (rule: object, extra: object = {}) => ({
  hostnames: ['a.example.com'],
  rules: [rule],
  ...extra,
});
const grpc = (rule: object) => ({ hostnames: ['a.example.com'], rules: [rule] });

/** [kind, body, field the violation must name, text it must contain] */
const REJECTED: Array<[string, Kind, object, string, RegExp]> = [
  [
    'two path matches',
    'httpRoutes',
    http({ matches: [{ prefixMatch: '/a', regexMatch: 'a' }] }),
    'rules[0].matches[0]',
    /only one of/,
  ],
  [
    'prefix without slash',
    'httpRoutes',
    http({ matches: [{ prefixMatch: 'a' }] }),
    'rules[0].matches[0].prefixMatch',
    /begin with/,
  ],
  [
    'header with two value types',
    'httpRoutes',
    http({ matches: [{ headers: [{ header: 'x', exactMatch: 'a', presentMatch: true }] }] }),
    'rules[0].matches[0].headers[0]',
    /exactly one of/,
  ],
  [
    'header with no value type',
    'httpRoutes',
    http({ matches: [{ headers: [{ header: 'x' }] }] }),
    'rules[0].matches[0].headers[0]',
    /got none/,
  ],
  [
    'query with two value types',
    'httpRoutes',
    http({ matches: [{ queryParameters: [{ queryParameter: 'q', exactMatch: 'a', regexMatch: 'b' }] }] }),
    'rules[0].matches[0].queryParameters[0]',
    /exactly one of/,
  ],
  [
    'non-RE2 regex (backreference)',
    'httpRoutes',
    http({ matches: [{ headers: [{ header: 'x', regexMatch: '(a)\\1' }] }] }),
    'rules[0].matches[0].headers[0].regexMatch',
    /RE2/,
  ],
  [
    'redirect path + prefix',
    'httpRoutes',
    http({ action: { redirect: { pathRedirect: '/a', prefixRewrite: '/b' } } }),
    'rules[0].action.redirect',
    /cannot both/,
  ],
  [
    'redirect + destinations',
    'httpRoutes',
    http({ action: { redirect: { hostRedirect: 'x' }, destinations: [DEST] } }),
    'rules[0].action',
    /only one of destinations, redirect, directResponse/,
  ],
  [
    'bad redirect code',
    'httpRoutes',
    http({ action: { redirect: { responseCode: 'MOVED' } } }),
    'rules[0].action.redirect.responseCode',
    /expected one of/,
  ],
  [
    'partial weights',
    'httpRoutes',
    http({ action: { destinations: [{ ...DEST, weight: 1 }, DEST] } }),
    'rules[0].action.destinations',
    /all destinations or none/,
  ],
  [
    'bad duration',
    'httpRoutes',
    http({ action: { timeout: '5m' } }),
    'rules[0].action.timeout',
    /invalid duration/,
  ],
  [
    'fault percentage',
    'httpRoutes',
    http({ action: { faultInjectionPolicy: { abort: { httpStatus: 503, percentage: 101 } } } }),
    'rules[0].action.faultInjectionPolicy.abort.percentage',
    /0 to 100/,
  ],
  [
    'abort status',
    'httpRoutes',
    http({ action: { faultInjectionPolicy: { abort: { httpStatus: 100 } } } }),
    'rules[0].action.faultInjectionPolicy.abort.httpStatus',
    /200 to 599/,
  ],
  [
    'cookie ttl',
    'httpRoutes',
    http({ action: { statefulSessionAffinity: { cookieTtl: '86401s' } } }),
    'rules[0].action.statefulSessionAffinity.cookieTtl',
    /86400/,
  ],
  [
    'zero perTryTimeout',
    'httpRoutes',
    http({ action: { retryPolicy: { numRetries: 1, perTryTimeout: '0s' } } }),
    'rules[0].action.retryPolicy.perTryTimeout',
    /non-zero/,
  ],
  [
    'direct response body too long',
    'httpRoutes',
    http({ action: { directResponse: { status: 200, stringBody: 'x'.repeat(1025) } } }),
    'rules[0].action.directResponse.stringBody',
    /1024/,
  ],
  ['description too long', 'meshes', { description: 'x'.repeat(1025) }, 'description', /1024/],
  ['interception port', 'meshes', { interceptionPort: 70000 }, 'interceptionPort', /1 to 65535/],
  ['unknown field', 'meshes', { type: 'SIDECAR' }, 'type', /unknown field/],
  ['no rules', 'httpRoutes', { hostnames: ['a.b'] }, 'rules', /at least one/],
  [
    'hostname with trailing dot',
    'httpRoutes',
    http({}, { hostnames: ['a.example.com.'] }),
    'hostnames[0]',
    /invalid hostname/,
  ],
  [
    'duplicate hostname in one route',
    'httpRoutes',
    http({}, { hostnames: ['a.b', 'a.b'] }),
    'hostnames[1]',
    /duplicate/,
  ],
  [
    'bad mesh reference',
    'httpRoutes',
    http({}, { meshes: ['m'] }),
    'meshes[0]',
    /projects\/\*\/locations\/\*\/meshes\/\*/,
  ],
  ['grpc action missing', 'grpcRoutes', grpc({ matches: [] }), 'rules[0].action', /required/],
  [
    'grpc method without service',
    'grpcRoutes',
    grpc({ matches: [{ method: { grpcMethod: 'M' } }], action: {} }),
    'rules[0].matches[0].method.grpcService',
    /required/,
  ],
  [
    'grpc caseSensitive with regex',
    'grpcRoutes',
    grpc({
      matches: [
        { method: { type: 'REGULAR_EXPRESSION', grpcService: 's', grpcMethod: '.*', caseSensitive: true } },
      ],
      action: {},
    }),
    'rules[0].matches[0].method.caseSensitive',
    /REGULAR_EXPRESSION/,
  ],
  [
    'grpc header regex',
    'grpcRoutes',
    grpc({ matches: [{ headers: [{ type: 'REGULAR_EXPRESSION', key: 'k', value: '(?<=a)' }] }], action: {} }),
    'rules[0].matches[0].headers[0].value',
    /RE2/,
  ],
  [
    'tcp both destinations and original',
    'tcpRoutes',
    { rules: [{ action: { destinations: [DEST], originalDestination: true } }] },
    'rules[0].action',
    /exactly one of/,
  ],
  [
    'tcp ipv6 address',
    'tcpRoutes',
    { rules: [{ matches: [{ address: '::1', port: '80' }], action: { originalDestination: true } }] },
    'rules[0].matches[0].address',
    /IPv4/,
  ],
  [
    'tls match empty',
    'tlsRoutes',
    { rules: [{ matches: [{}], action: { destinations: [DEST] } }] },
    'rules[0].matches[0]',
    /sniHost or alpn/,
  ],
  [
    'tls too many alpn',
    'tlsRoutes',
    { rules: [{ matches: [{ alpn: ['a', 'b', 'c', 'd', 'e', 'f'] }], action: { destinations: [DEST] } }] },
    'rules[0].matches',
    /at most 5 alpn/,
  ],
];

for (const [what, kind, body, field, text] of REJECTED) {
  test(`rejects: ${what}`, (t) => {
    const violations = validateResource(kind, body as Record<string, unknown>);
    const hit = violations.find((v) => v.field === field);
    t.truthy(hit, `expected a violation on ${field}, got ${JSON.stringify(violations)}`);
    t.regex(hit!.description, text);
  });
}

test('accepts the §6 example bodies and production-style variants', (t) => {
  const ok: Array<[Kind, object]> = [
    ['meshes', {}],
    ['meshes', { interceptionPort: 15001, envoyHeaders: 'DEBUG_HEADERS' }],
    [
      'httpRoutes',
      http({
        matches: [{ fullPathMatch: '/healthz' }],
        action: { directResponse: { status: 200, stringBody: 'ok' } },
      }),
    ],
    [
      'httpRoutes',
      http({
        matches: [{ prefixMatch: '/old/', queryParameters: [{ queryParameter: 'v', presentMatch: true }] }],
        action: { redirect: { prefixRewrite: '/api/', responseCode: 'FOUND' } },
      }),
    ],
    [
      'httpRoutes',
      http({
        action: {
          destinations: [
            { ...DEST, weight: 90 },
            { ...DEST, weight: 10 },
          ],
          timeout: '1.5s',
          retryPolicy: { retryConditions: ['5xx'], numRetries: 2, perTryTimeout: '3s' },
        },
      }),
    ],
    [
      'httpRoutes',
      http(
        { matches: [{ headers: [{ header: 'x', rangeMatch: { end: 5 } }] }] },
        { hostnames: ['*.example.com', 'svc:8080', 'example'] },
      ),
    ],
    [
      'grpcRoutes',
      grpc({
        matches: [
          { method: { type: 'REGULAR_EXPRESSION', grpcService: 'helloworld\\.Greeter', grpcMethod: '.*' } },
        ],
        action: { destinations: [{ ...DEST, weight: 80 }] },
      }),
    ],
    [
      'tcpRoutes',
      {
        rules: [{ matches: [{ address: '10.0.0.1', port: '8081' }], action: { originalDestination: true } }],
      },
    ],
    [
      'tlsRoutes',
      {
        rules: [
          { matches: [{ sniHost: ['*.example.com'], alpn: ['h2'] }], action: { destinations: [DEST] } },
        ],
      },
    ],
  ];
  for (const [kind, body] of ok)
    t.deepEqual(
      validateResource(kind, body as Record<string, unknown>),
      [],
      `${kind} ${JSON.stringify(body)}`,
    );
});

test('resource ids and hostnames', (t) => {
  t.deepEqual(validateResourceId('httpRoutes', 'gamma-ns-svc-80'), []);
  t.regex(validateResourceId('httpRoutes', '1abc')[0].description, /httpRouteId "1abc" must match/);
  t.regex(validateResourceId('grpcRoutes', 'a'.repeat(64))[0].description, /grpcRouteId/);
  t.is(validateResourceId('meshes', '')[0].description, 'meshId is required');
  t.true(isHostname('svc.ns.svc.cluster.local:8080', true));
  t.false(isHostname('svc:8080', false));
  t.false(isHostname('*w.example.com', true), 'partial wildcard');
  t.false(isHostname('a.*.com', true), 'wildcard not first');
  t.false(isHostname('Upper.example.com', true));
  t.false(isHostname('svc:99999', true));
});

test('hostname conflicts are per Mesh and ignore the route itself', (t) => {
  const mesh = 'projects/p/locations/global/meshes/m';
  const other = { kind: 'httpRoutes' as const, name: 'r1', body: { hostnames: ['a', 'b'], meshes: [mesh] } };
  t.is(
    hostnameConflicts({ kind: 'grpcRoutes', name: 'r2', body: { hostnames: ['b'], meshes: [mesh] } }, [other])
      .length,
    1,
  );
  t.is(
    hostnameConflicts(
      {
        kind: 'grpcRoutes',
        name: 'r2',
        body: { hostnames: ['b'], meshes: ['projects/p/locations/global/meshes/n'] },
      },
      [other],
    ).length,
    0,
  );
  t.is(
    hostnameConflicts({ kind: 'httpRoutes', name: 'r1', body: { hostnames: ['a'], meshes: [mesh] } }, [other])
      .length,
    0,
  );
});

test('defaults are omitted except proto3 optional fields', (t) => {
  t.deepEqual(
    omitDefaults('meshes', {
      description: '',
      interceptionPort: 0,
      labels: {},
      envoyHeaders: 'ENVOY_HEADERS_UNSPECIFIED',
    }),
    {
      envoyHeaders: 'ENVOY_HEADERS_UNSPECIFIED',
    },
  );
  t.deepEqual(
    omitDefaults('httpRoutes', {
      rules: [{ matches: [{ ignoreCase: false, prefixMatch: '/' }], action: {} }],
    }),
    {
      rules: [{ matches: [{ prefixMatch: '/' }], action: {} }],
    },
  );
});

test('update masks: known fields only, output-only ignored, * means all', (t) => {
  t.deepEqual(parseMask('httpRoutes', 'hostnames,rules'), { paths: ['hostnames', 'rules'], violations: [] });
  t.deepEqual(parseMask('httpRoutes', null), { violations: [] });
  t.deepEqual(parseMask('httpRoutes', '*'), { violations: [] });
  t.deepEqual(parseMask('httpRoutes', 'updateTime,labels').paths, ['labels']);
  t.regex(parseMask('meshes', 'hostnames').violations[0].description, /unknown field "hostnames"/);
  t.deepEqual(applyPatch({ name: 'n', a: 1, labels: { x: '1' } }, { labels: { y: '2' }, a: 9 }, ['labels']), {
    a: 1,
    labels: { y: '2' },
  });
  t.deepEqual(
    applyPatch({ name: 'n', a: 1 }, { description: 'd' }, ['a']),
    {},
    'a masked field absent from the body is cleared',
  );
});

test('paging is stable and tokens are opaque; timestamps have 9 fractional digits and increase', (t) => {
  const items = ['a', 'b', 'c', 'd', 'e'].map((name) => ({ name }));
  const p1 = page(items, 2, undefined);
  t.deepEqual(
    p1.items.map((i) => i.name),
    ['a', 'b'],
  );
  const p2 = page(items, 2, decodePageToken(p1.nextPageToken!));
  t.deepEqual(
    p2.items.map((i) => i.name),
    ['c', 'd'],
  );
  const p3 = page(items, 2, decodePageToken(p2.nextPageToken!));
  t.deepEqual(p3, { items: [{ name: 'e' }] });
  t.is(decodePageToken('nonsense'), undefined);
  const clock = makeClock(() => 1_700_000_000_123_456_789n);
  const a = clock();
  const b = clock();
  t.is(a, '2023-11-14T22:13:20.123456789Z');
  t.true(b > a);
});
