import test from 'ava';
import { applyDefaults, validateObject } from '../../shared/gamma/index.ts';
import type { HTTPRoute } from '../../shared/gamma/index.ts';

type Rule = Record<string, unknown>;

/** A valid producer route; each case changes one thing. */
function route(
  rules: Rule[] = [{ backendRefs: [{ name: 'b', port: 80 }] }],
  extra: Record<string, unknown> = {},
): HTTPRoute {
  return applyDefaults({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'r', namespace: 'ns' },
    spec: { parentRefs: [{ group: '', kind: 'Service', name: 'svc' }], rules, ...extra },
  } as HTTPRoute);
}
const match = (m: Rule) => [{ matches: [m], backendRefs: [{ name: 'b', port: 80 }] }];
const filter = (f: Rule, rule: Rule = {}) => [
  { matches: [{ path: { type: 'PathPrefix', value: '/p' } }], filters: [f], ...rule },
];
const many = <T>(n: number, f: (i: number) => T) => Array.from({ length: n }, (_, i) => f(i));

test('a full valid route has no errors', (t) => {
  const ok = route(
    [
      {
        name: 'main',
        matches: [
          {
            path: { type: 'Exact', value: "/a-b_c.~!$&'()*+,;=:@%20" },
            headers: [
              { name: 'X-Ver', value: 'v1' },
              { type: 'RegularExpression', name: 'x-re', value: '[(' },
            ],
            queryParams: [{ name: 'q', value: '1' }],
            method: 'GET',
          },
          { path: { type: 'RegularExpression', value: '(unclosed' } },
        ],
        filters: [
          {
            type: 'RequestHeaderModifier',
            requestHeaderModifier: {
              set: [{ name: 'a', value: '1' }],
              add: [{ name: 'b', value: '2' }],
              remove: ['c'],
            },
          },
          { type: 'ResponseHeaderModifier', responseHeaderModifier: { remove: ['x'] } },
          {
            type: 'URLRewrite',
            urlRewrite: { hostname: 'example.com', path: { type: 'ReplaceFullPath', replaceFullPath: '/x' } },
          },
          { type: 'RequestMirror', requestMirror: { backendRef: { name: 'm', port: 80 }, percent: 42 } },
          {
            type: 'CORS',
            cors: {
              allowOrigins: ['https://a.example.com'],
              allowMethods: ['GET', 'POST'],
              allowHeaders: ['x'],
              allowCredentials: true,
              maxAge: 10,
            },
          },
          { type: 'ExtensionRef', extensionRef: { group: 'example.com', kind: 'Thing', name: 't' } },
        ],
        backendRefs: [
          { name: 'b', port: 80, weight: 0 },
          { name: 'c', namespace: 'other', port: 8080, weight: 1000000 },
        ],
        timeouts: { request: '10s', backendRequest: '1s500ms' },
        retry: { codes: [500, 503], attempts: 3, backoff: '100ms' },
        sessionPersistence: {
          sessionName: 's',
          type: 'Cookie',
          absoluteTimeout: '1h',
          cookieConfig: { lifetimeType: 'Permanent' },
        },
      },
      {
        matches: [{ path: { type: 'PathPrefix', value: '/old' } }],
        filters: [
          {
            type: 'RequestRedirect',
            requestRedirect: {
              scheme: 'https',
              port: 8443,
              statusCode: 301,
              path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/new' },
            },
          },
        ],
      },
    ],
    { hostnames: ['a.example.com', '*.example.com'] },
  );
  t.deepEqual(validateObject(ok), []);
});

// [title, route, expected path, expected message (substring or regex)]
const cases: [string, HTTPRoute, string, string | RegExp][] = [
  ['spec is required', { ...route(), spec: undefined } as unknown as HTTPRoute, 'spec', 'Required value'],
  ['spec of wrong type', { ...route(), spec: 'x' } as unknown as HTTPRoute, 'spec', 'must be an object'],
  [
    'metadata.name pattern',
    { ...route(), metadata: { name: 'Bad_Name', namespace: 'ns' } },
    'metadata.name',
    'lowercase RFC 1123',
  ],
  [
    'parentRefs max 32',
    route(undefined, { parentRefs: many(33, (i) => ({ group: '', kind: 'Service', name: `s${i}` })) }),
    'spec.parentRefs',
    'at most 32 items',
  ],
  [
    'parentRef name required',
    route(undefined, { parentRefs: [{ group: '', kind: 'Service' }] }),
    'spec.parentRefs[0].name',
    'Required value',
  ],
  [
    'parentRef port range',
    route(undefined, { parentRefs: [{ group: '', kind: 'Service', name: 's', port: 0 }] }),
    'spec.parentRefs[0].port',
    'greater than or equal to 1',
  ],
  [
    'parentRef kind pattern',
    route(undefined, { parentRefs: [{ group: '', kind: '1x', name: 's' }] }),
    'spec.parentRefs[0].kind',
    'kind name',
  ],
  [
    'parentRef group pattern',
    route(undefined, { parentRefs: [{ group: 'Core!', kind: 'Service', name: 's' }] }),
    'spec.parentRefs[0].group',
    'RFC 1123 subdomain',
  ],
  [
    'parentRef namespace pattern',
    route(undefined, { parentRefs: [{ group: '', kind: 'Service', name: 's', namespace: 'A' }] }),
    'spec.parentRefs[0].namespace',
    'RFC 1123 label',
  ],
  [
    'same parent twice: sectionName or port on both',
    route(undefined, {
      parentRefs: [
        { group: '', kind: 'Service', name: 's' },
        { group: '', kind: 'Service', name: 's', port: 80 },
      ],
    }),
    'spec.parentRefs',
    'sectionName or port must be specified when parentRefs includes 2 or more references to the same parent',
  ],
  [
    'same parent twice: distinct sectionName/port',
    route(undefined, {
      parentRefs: [
        { group: '', kind: 'Service', name: 's', port: 80 },
        { group: '', kind: 'Service', name: 's', port: 80 },
      ],
    }),
    'spec.parentRefs',
    'sectionName or port must be unique when parentRefs includes 2 or more references to the same parent',
  ],
  [
    'same parent twice without sectionName or port',
    route(undefined, {
      parentRefs: [
        { group: '', kind: 'Service', name: 's' },
        { group: '', kind: 'Service', name: 's' },
      ],
    }),
    'spec.parentRefs',
    'sectionName or port must be unique',
  ],
  [
    'hostnames max 16',
    route(undefined, { hostnames: many(17, (i) => `h${i}.example.com`) }),
    'spec.hostnames',
    'at most 16',
  ],
  ['hostname pattern', route(undefined, { hostnames: ['Not_A_Host'] }), 'spec.hostnames[0]', 'hostname'],
  [
    'hostname IP-like with wildcard in middle',
    route(undefined, { hostnames: ['a.*.com'] }),
    'spec.hostnames[0]',
    'hostname',
  ],
  ['rules min 1', route([]), 'spec.rules', 'at least 1 item'],
  ['rules max 16', route(many(17, () => ({}))), 'spec.rules', 'at most 16 items'],
  [
    'total matches <= 128',
    route(many(3, () => ({ matches: many(64, (i) => ({ path: { type: 'Exact', value: `/${i}` } })) }))),
    'spec.rules',
    'at most 128',
  ],
  ['matches max 64', route([{ matches: many(65, () => ({})) }]), 'spec.rules[0].matches', 'at most 64'],
  ['rule name pattern', route([{ name: 'Main Rule' }]), 'spec.rules[0].name', 'RFC 1123'],
  [
    'path type enum',
    route(match({ path: { type: 'Glob', value: '/x' } })),
    'spec.rules[0].matches[0].path.type',
    'Unsupported value "Glob"',
  ],
  [
    'path must start with /',
    route(match({ path: { type: 'Exact', value: 'x' } })),
    'spec.rules[0].matches[0].path.value',
    "start with '/'",
  ],
  [
    'path must not contain //',
    route(match({ path: { type: 'PathPrefix', value: '/a//b' } })),
    'spec.rules[0].matches[0].path.value',
    "must not contain '//'",
  ],
  [
    'path must not contain /./',
    route(match({ path: { type: 'Exact', value: '/a/./b' } })),
    'spec.rules[0].matches[0].path.value',
    "must not contain '/./'",
  ],
  [
    'path must not contain %2F',
    route(match({ path: { type: 'Exact', value: '/a%2Fb' } })),
    'spec.rules[0].matches[0].path.value',
    "must not contain '%2F'",
  ],
  [
    'path must not contain #',
    route(match({ path: { type: 'Exact', value: '/a#b' } })),
    'spec.rules[0].matches[0].path.value',
    "must not contain '#'",
  ],
  [
    'path must not end with /..',
    route(match({ path: { type: 'Exact', value: '/a/..' } })),
    'spec.rules[0].matches[0].path.value',
    "must not end with '/..'",
  ],
  [
    'path characters',
    route(match({ path: { type: 'Exact', value: '/a b' } })),
    'spec.rules[0].matches[0].path.value',
    'valid characters',
  ],
  [
    'path length 1024',
    route(match({ path: { type: 'RegularExpression', value: `/${'a'.repeat(1024)}` } })),
    'spec.rules[0].matches[0].path.value',
    'at most 1024',
  ],
  [
    'header name pattern',
    route(match({ headers: [{ name: 'bad header', value: 'v' }] })),
    'spec.rules[0].matches[0].headers[0].name',
    'header name',
  ],
  [
    'header value required',
    route(match({ headers: [{ name: 'h' }] })),
    'spec.rules[0].matches[0].headers[0].value',
    'Required value',
  ],
  [
    'header value max 4096',
    route(match({ headers: [{ name: 'h', value: 'v'.repeat(4097) }] })),
    'spec.rules[0].matches[0].headers[0].value',
    'at most 4096',
  ],
  [
    'header type enum',
    route(match({ headers: [{ type: 'Prefix', name: 'h', value: 'v' }] })),
    'spec.rules[0].matches[0].headers[0].type',
    'Unsupported value',
  ],
  [
    'header names unique',
    route(
      match({
        headers: [
          { name: 'h', value: '1' },
          { name: 'h', value: '2' },
        ],
      }),
    ),
    'spec.rules[0].matches[0].headers[1].name',
    'Duplicate value: "h"',
  ],
  [
    'headers max 16',
    route(match({ headers: many(17, (i) => ({ name: `h${i}`, value: 'v' })) })),
    'spec.rules[0].matches[0].headers',
    'at most 16',
  ],
  [
    'query value max 1024',
    route(match({ queryParams: [{ name: 'q', value: 'v'.repeat(1025) }] })),
    'spec.rules[0].matches[0].queryParams[0].value',
    'at most 1024',
  ],
  [
    'method enum',
    route(match({ method: 'get' })),
    'spec.rules[0].matches[0].method',
    'Unsupported value "get"',
  ],
  [
    'filter type enum',
    route(filter({ type: 'Teleport' })),
    'spec.rules[0].filters[0].type',
    'Unsupported value "Teleport"',
  ],
  ['filter type required', route(filter({})), 'spec.rules[0].filters[0].type', 'Required value'],
  [
    'filter field must match type',
    route(filter({ type: 'RequestHeaderModifier' })),
    'spec.rules[0].filters[0].requestHeaderModifier',
    'must be specified for RequestHeaderModifier',
  ],
  [
    "filter must not carry another type's field",
    route(filter({ type: 'ResponseHeaderModifier', responseHeaderModifier: {}, requestHeaderModifier: {} })),
    'spec.rules[0].filters[0].requestHeaderModifier',
    'must be nil if the filter.type is not RequestHeaderModifier',
  ],
  [
    'header modifier value required',
    route(filter({ type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'a' }] } })),
    'spec.rules[0].filters[0].requestHeaderModifier.set[0].value',
    'Required value',
  ],
  [
    'header modifier duplicate set name',
    route(
      filter({
        type: 'RequestHeaderModifier',
        requestHeaderModifier: {
          add: [
            { name: 'a', value: '1' },
            { name: 'a', value: '2' },
          ],
        },
      }),
    ),
    'spec.rules[0].filters[0].requestHeaderModifier.add[1].name',
    'Duplicate value',
  ],
  [
    'header modifier duplicate remove',
    route(filter({ type: 'ResponseHeaderModifier', responseHeaderModifier: { remove: ['a', 'a'] } })),
    'spec.rules[0].filters[0].responseHeaderModifier.remove[1]',
    'Duplicate value',
  ],
  [
    'filter repeated',
    route([
      {
        filters: [
          { type: 'CORS', cors: {} },
          { type: 'CORS', cors: {} },
        ],
      },
    ]),
    'spec.rules[0].filters',
    'CORS filter cannot be repeated',
  ],
  [
    'redirect and rewrite together',
    route([
      {
        filters: [
          { type: 'RequestRedirect', requestRedirect: {} },
          { type: 'URLRewrite', urlRewrite: {} },
        ],
      },
    ]),
    'spec.rules[0].filters',
    'not both',
  ],
  [
    'redirect with backendRefs',
    route([
      { filters: [{ type: 'RequestRedirect', requestRedirect: {} }], backendRefs: [{ name: 'b', port: 80 }] },
    ]),
    'spec.rules[0]',
    'RequestRedirect filter must not be used together with backendRefs',
  ],
  [
    'redirect statusCode enum',
    route(filter({ type: 'RequestRedirect', requestRedirect: { statusCode: 304 } })),
    'spec.rules[0].filters[0].requestRedirect.statusCode',
    'Unsupported value: 304',
  ],
  [
    'redirect scheme enum',
    route(filter({ type: 'RequestRedirect', requestRedirect: { scheme: 'ftp' } })),
    'spec.rules[0].filters[0].requestRedirect.scheme',
    'Unsupported value "ftp"',
  ],
  [
    'redirect hostname precise',
    route(filter({ type: 'RequestRedirect', requestRedirect: { hostname: '*.example.com' } })),
    'spec.rules[0].filters[0].requestRedirect.hostname',
    'without wildcard',
  ],
  [
    'redirect port range',
    route(filter({ type: 'RequestRedirect', requestRedirect: { port: 70000 } })),
    'spec.rules[0].filters[0].requestRedirect.port',
    'less than or equal to 65535',
  ],
  [
    'path modifier value required for its type',
    route(filter({ type: 'URLRewrite', urlRewrite: { path: { type: 'ReplaceFullPath' } } })),
    'spec.rules[0].filters[0].urlRewrite.path.replaceFullPath',
    "must be specified when type is set to 'ReplaceFullPath'",
  ],
  [
    'path modifier value of the other type',
    route(
      filter({
        type: 'URLRewrite',
        urlRewrite: { path: { type: 'ReplaceFullPath', replaceFullPath: '/a', replacePrefixMatch: '/b' } },
      }),
    ),
    'spec.rules[0].filters[0].urlRewrite.path.replacePrefixMatch',
    "type must be 'ReplacePrefixMatch'",
  ],
  [
    'ReplacePrefixMatch needs exactly one PathPrefix match',
    route([
      {
        matches: [{ path: { type: 'Exact', value: '/a' } }],
        filters: [
          {
            type: 'URLRewrite',
            urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/b' } },
          },
        ],
      },
    ]),
    'spec.rules[0].filters',
    'exactly one PathPrefix match',
  ],
  [
    'ReplacePrefixMatch on a backendRef filter, two matches',
    route([
      {
        matches: [{}, {}],
        backendRefs: [
          {
            name: 'b',
            port: 80,
            filters: [
              {
                type: 'URLRewrite',
                urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/b' } },
              },
            ],
          },
        ],
      },
    ]),
    'spec.rules[0].backendRefs[0].filters',
    'exactly one PathPrefix match',
  ],
  [
    'mirror backendRef required',
    route(filter({ type: 'RequestMirror', requestMirror: {} })),
    'spec.rules[0].filters[0].requestMirror.backendRef',
    'Required value',
  ],
  [
    'mirror percent and fraction',
    route(
      filter({
        type: 'RequestMirror',
        requestMirror: { backendRef: { name: 'm', port: 1 }, percent: 5, fraction: { numerator: 1 } },
      }),
    ),
    'spec.rules[0].filters[0].requestMirror',
    'Only one of percent or fraction',
  ],
  [
    'mirror fraction numerator <= denominator',
    route(
      filter({
        type: 'RequestMirror',
        requestMirror: { backendRef: { name: 'm', port: 1 }, fraction: { numerator: 3, denominator: 2 } },
      }),
    ),
    'spec.rules[0].filters[0].requestMirror.fraction',
    'numerator must be less than or equal to denominator',
  ],
  [
    'mirror percent range',
    route(
      filter({ type: 'RequestMirror', requestMirror: { backendRef: { name: 'm', port: 1 }, percent: 101 } }),
    ),
    'spec.rules[0].filters[0].requestMirror.percent',
    'less than or equal to 100',
  ],
  [
    'CORS * with other origins',
    route(filter({ type: 'CORS', cors: { allowOrigins: ['*', 'https://a.com'] } })),
    'spec.rules[0].filters[0].cors.allowOrigins',
    "cannot contain '*'",
  ],
  [
    'CORS origin format',
    route(filter({ type: 'CORS', cors: { allowOrigins: ['a.com'] } })),
    'spec.rules[0].filters[0].cors.allowOrigins[0]',
    'origin',
  ],
  [
    'CORS methods enum',
    route(filter({ type: 'CORS', cors: { allowMethods: ['FETCH'] } })),
    'spec.rules[0].filters[0].cors.allowMethods[0]',
    'Unsupported value "FETCH"',
  ],
  [
    'CORS maxAge min 1',
    route(filter({ type: 'CORS', cors: { maxAge: 0 } })),
    'spec.rules[0].filters[0].cors.maxAge',
    'greater than or equal to 1',
  ],
  [
    'CORS allowCredentials boolean',
    route(filter({ type: 'CORS', cors: { allowCredentials: 'yes' } })),
    'spec.rules[0].filters[0].cors.allowCredentials',
    'must be a boolean',
  ],
  [
    'extensionRef fields required',
    route(filter({ type: 'ExtensionRef', extensionRef: { group: 'g', name: 'n' } })),
    'spec.rules[0].filters[0].extensionRef.kind',
    'Required value',
  ],
  [
    'backendRef port required for Service',
    route([{ backendRefs: [{ name: 'b' }] }]),
    'spec.rules[0].backendRefs[0].port',
    'Must have port for Service reference',
  ],
  [
    'backendRef name required',
    route([{ backendRefs: [{ port: 80 }] }]),
    'spec.rules[0].backendRefs[0].name',
    'Required value',
  ],
  [
    'backendRef weight range',
    route([{ backendRefs: [{ name: 'b', port: 80, weight: 1000001 }] }]),
    'spec.rules[0].backendRefs[0].weight',
    'less than or equal to 1000000',
  ],
  [
    'backendRef weight negative',
    route([{ backendRefs: [{ name: 'b', port: 80, weight: -1 }] }]),
    'spec.rules[0].backendRefs[0].weight',
    'greater than or equal to 0',
  ],
  [
    'backendRefs max 16',
    route([{ backendRefs: many(17, (i) => ({ name: `b${i}`, port: 80 })) }]),
    'spec.rules[0].backendRefs',
    'at most 16',
  ],
  [
    'timeout format',
    route([{ timeouts: { request: '10 seconds' } }]),
    'spec.rules[0].timeouts.request',
    'duration',
  ],
  [
    'backendRequest <= request',
    route([{ timeouts: { request: '1s', backendRequest: '2s' } }]),
    'spec.rules[0].timeouts',
    'backendRequest timeout cannot be longer than request timeout',
  ],
  [
    'retry code range',
    route([{ retry: { codes: [200] } }]),
    'spec.rules[0].retry.codes[0]',
    'greater than or equal to 400',
  ],
  ['retry backoff format', route([{ retry: { backoff: '1 s' } }]), 'spec.rules[0].retry.backoff', 'duration'],
  [
    'session persistence type enum',
    route([{ sessionPersistence: { type: 'Ticket' } }]),
    'spec.rules[0].sessionPersistence.type',
    'Unsupported value "Ticket"',
  ],
  [
    'session Permanent needs absoluteTimeout',
    route([{ sessionPersistence: { cookieConfig: { lifetimeType: 'Permanent' } } }]),
    'spec.rules[0].sessionPersistence.absoluteTimeout',
    'must be specified when cookie lifetimeType is Permanent',
  ],
  [
    'session name length',
    route([{ sessionPersistence: { sessionName: 'x'.repeat(129) } }]),
    'spec.rules[0].sessionPersistence.sessionName',
    'at most 128',
  ],
  ['wrong type: rules not a list', route(undefined, { rules: { a: 1 } }), 'spec.rules', 'must be a list'],
  [
    'wrong type: rule is null',
    route([null as unknown as Rule]),
    'spec.rules[0]',
    'must be an object, got null',
  ],
  [
    'wrong type: weight is a string',
    route([{ backendRefs: [{ name: 'b', port: 80, weight: '9' }] }]),
    'spec.rules[0].backendRefs[0].weight',
    'must be an integer',
  ],
  [
    'wrong type: port is a float',
    route([{ backendRefs: [{ name: 'b', port: 80.5 }] }]),
    'spec.rules[0].backendRefs[0].port',
    'must be an integer',
  ],
];

for (const [title, obj, path, message] of cases) {
  test(`HTTPRoute: ${title}`, (t) => {
    const errors = validateObject(obj);
    const hit = errors.find((e) => e.path === path);
    t.truthy(hit, `expected an error at ${path}, got ${JSON.stringify(errors)}`);
    if (typeof message === 'string') t.true(hit!.message.includes(message), hit!.message);
    else t.regex(hit!.message, message);
    t.is(errors.length, 1, JSON.stringify(errors));
  });
}

test('the same Service on two ports (or two port names) is valid', (t) => {
  const svc = { group: '', kind: 'Service', name: 's' };
  t.deepEqual(
    validateObject(
      route(undefined, {
        parentRefs: [
          { ...svc, port: 80 },
          { ...svc, port: 8080 },
        ],
      }),
    ),
    [],
  );
  t.deepEqual(
    validateObject(
      route(undefined, {
        parentRefs: [
          { ...svc, sectionName: 'http' },
          { ...svc, sectionName: 'grpc' },
        ],
      }),
    ),
    [],
  );
  t.deepEqual(
    validateObject(route(undefined, { parentRefs: [svc, { ...svc, namespace: 'other' }] })),
    [],
    'different parents',
  );
});

test('regex syntax is not validated here (the API server accepts any string)', (t) => {
  t.deepEqual(
    validateObject(
      route(
        match({
          path: { type: 'RegularExpression', value: '(' },
          headers: [{ type: 'RegularExpression', name: 'h', value: '[' }],
        }),
      ),
    ),
    [],
  );
});

test('v1beta1 HTTPRoute validates like v1', (t) => {
  const r = { ...route([{ backendRefs: [{ name: 'b' }] }]), apiVersion: 'gateway.networking.k8s.io/v1beta1' };
  t.deepEqual(validateObject(r), [
    { path: 'spec.rules[0].backendRefs[0].port', message: 'Must have port for Service reference' },
  ]);
});
