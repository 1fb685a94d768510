// The support matrix as data: one row per GAMMA field or filter, with a minimal route that shows it.
// test/conformance/support-matrix.test.ts translates every row and checks the claim; the same rows
// render docs/support-matrix.md (UPDATE_SUPPORT_MATRIX=1 rewrites it), so the doc cannot drift.
import type { MeshRequest } from './request.ts';
import { renderSizes } from './support-matrix-sizes.ts';
import { renderStreamSections } from './support-matrix-stream.ts';

export type Support = 'supported' | 'approximated' | 'rejected';

export interface MatrixRow {
  id: string;
  kind: 'HTTPRoute' | 'GRPCRoute';
  field: string;
  support: Support;
  /** Supported/approximated: how it maps to Network Services and what differs. Rejected: why. */
  how: string;
  /**
   * Rejected rows: a pattern the Accepted=False / PartiallyInvalid message must match. Other rows:
   * a warning some condition message must carry.
   */
  status?: string;
  /** The row's minimal route: one rule, plus optional spec/metadata overrides. */
  rule: Record<string, unknown>;
  spec?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  /** A request the row affects; evaluateNs(translate(route)) must equal evaluateGamma(route) for it. */
  request?: Partial<MeshRequest>;
}

const to = (name = 'b1', port = 80) => [{ name, port }];
const g = (name = 'b1') => [{ name, port: 7070 }];
const M = (path: Record<string, unknown>, extra: Record<string, unknown> = {}) => [{ path, ...extra }];
const redirect = (r: Record<string, unknown>) => [{ type: 'RequestRedirect', requestRedirect: r }];
const mods = (set: string) => ({
  set: [{ name: set, value: 'v' }],
  add: [{ name: 'x-add', value: 'a' }],
  remove: ['x-rm'],
});
const H = { 'x-add': 'old', 'x-rm': '1', 'x-set': 'old' };

const http: Omit<MatrixRow, 'kind'>[] = [
  // parentRefs
  {
    id: 'h-parent',
    field: 'parentRefs[] Service (group "")',
    support: 'supported',
    how: 'One HttpRoute per Service port; hostnames are the names clients use for the Service (FQDN, `svc.ns.svc`, `svc.ns`, unique short name; with `:port`, and bare for port 80).',
    rule: { backendRefs: to() },
    request: {},
  },
  {
    id: 'h-parent-port',
    field: 'parentRefs[].port',
    support: 'supported',
    how: 'Only that Service port gets the route; other ports pass through.',
    rule: { backendRefs: to() },
    spec: { parentRefs: [{ group: '', kind: 'Service', name: 'svc', port: 8080 }] },
    request: { port: 8080 },
  },
  {
    id: 'h-parent-section',
    field: 'parentRefs[].sectionName',
    support: 'supported',
    how: 'Selects the Service port by name.',
    rule: { backendRefs: to() },
    spec: { parentRefs: [{ group: '', kind: 'Service', name: 'svc', sectionName: 'alt' }] },
    request: { port: 8080 },
  },
  {
    id: 'h-parent-core',
    field: 'parentRefs[].group "core"',
    support: 'approximated',
    how: 'Accepted as an alias of the core group "" (some meshes accept it); the API defines only "".',
    rule: { backendRefs: to() },
    spec: { parentRefs: [{ group: 'core', kind: 'Service', name: 'svc' }] },
  },
  {
    id: 'h-consumer',
    field: 'consumer route (route namespace != Service namespace)',
    support: 'rejected',
    how: 'A Mesh has one route per hostname for all clients; Network Services cannot scope a route to the clients of one namespace.',
    status: 'consumer routes are not supported',
    rule: { backendRefs: [{ name: 'b1', namespace: 'd', port: 80 }] },
    spec: { parentRefs: [{ group: '', kind: 'Service', name: 'svc', namespace: 'd' }] },
    metadata: { namespace: 'other' },
  },
  {
    id: 'h-hostnames',
    field: 'hostnames[]',
    support: 'supported',
    how: 'Ignored, as GEP-1294 requires for mesh (a warning says so); the route applies whatever the Host.',
    rule: { backendRefs: to() },
    spec: { hostnames: ['foo.example'] },
    request: {},
  },
  {
    id: 'h-rule-name',
    field: 'rules[].name',
    support: 'supported',
    how: 'Carried in descriptions/status only; no data-plane effect.',
    rule: { name: 'named', backendRefs: to() },
    request: {},
  },
  // matches
  {
    id: 'h-path-exact',
    field: 'matches[].path Exact',
    support: 'supported',
    how: '`fullPathMatch`.',
    rule: { matches: M({ type: 'Exact', value: '/a' }), backendRefs: to() },
    request: { path: '/a' },
  },
  {
    id: 'h-path-prefix',
    field: 'matches[].path PathPrefix',
    support: 'supported',
    how: 'Two matches: `fullPathMatch: /p` and `prefixMatch: /p/` (NS prefixes are plain string prefixes); `/` is `prefixMatch: /`.',
    rule: { matches: M({ type: 'PathPrefix', value: '/a' }), backendRefs: to() },
    request: { path: '/a/b' },
  },
  {
    id: 'h-path-regex',
    field: 'matches[].path RegularExpression',
    support: 'supported',
    how: '`regexMatch` (RE2, whole path). Precedence: after Exact, before prefixes, longer pattern first.',
    rule: { matches: M({ type: 'RegularExpression', value: '/a[0-9]+' }), backendRefs: to() },
    request: { path: '/a12' },
  },
  {
    id: 'h-path-regex-invalid',
    field: 'matches[].path RegularExpression (not RE2)',
    support: 'rejected',
    how: 'Network Services only accepts RE2; the rule is dropped.',
    status: 'invalid RE2',
    rule: { matches: M({ type: 'RegularExpression', value: '/(?=x)' }), backendRefs: to() },
  },
  {
    id: 'h-header-exact',
    field: 'matches[].headers Exact',
    support: 'supported',
    how: '`headers[].exactMatch`, name lower-cased.',
    rule: { matches: [{ headers: [{ name: 'X-V', value: 'one' }] }], backendRefs: to() },
    request: { headers: { 'x-v': 'one' } },
  },
  {
    id: 'h-header-regex',
    field: 'matches[].headers RegularExpression',
    support: 'supported',
    how: '`headers[].regexMatch` (RE2).',
    rule: {
      matches: [{ headers: [{ name: 'x-v', type: 'RegularExpression', value: 'o.e' }] }],
      backendRefs: to(),
    },
    request: { headers: { 'x-v': 'one' } },
  },
  {
    id: 'h-query-exact',
    field: 'matches[].queryParams Exact',
    support: 'supported',
    how: '`queryParameters[].exactMatch`.',
    rule: { matches: [{ queryParams: [{ name: 'q', value: '1' }] }], backendRefs: to() },
    request: { query: [['q', '1']] },
  },
  {
    id: 'h-query-regex',
    field: 'matches[].queryParams RegularExpression',
    support: 'supported',
    how: '`queryParameters[].regexMatch` (RE2).',
    rule: {
      matches: [{ queryParams: [{ name: 'q', type: 'RegularExpression', value: '[0-9]' }] }],
      backendRefs: to(),
    },
    request: { query: [['q', '7']] },
  },
  {
    id: 'h-method',
    field: 'matches[].method',
    support: 'approximated',
    how: 'Network Services has no method field: a `:method` header `exactMatch` (Envoy and gRPC expose the method as `:method`; not verified against Cloud Service Mesh).',
    rule: { matches: [{ method: 'POST' }], backendRefs: to() },
    request: { method: 'POST' },
  },
  // filters
  {
    id: 'h-req-mod',
    field: 'filters RequestHeaderModifier',
    support: 'supported',
    how: '`requestHeaderModifier` {set, add, remove}; add appends `old,new`.',
    rule: {
      filters: [{ type: 'RequestHeaderModifier', requestHeaderModifier: mods('x-set') }],
      backendRefs: to(),
    },
    request: { headers: H },
  },
  {
    id: 'h-resp-mod',
    field: 'filters ResponseHeaderModifier',
    support: 'supported',
    how: '`responseHeaderModifier`.',
    rule: {
      filters: [{ type: 'ResponseHeaderModifier', responseHeaderModifier: mods('x-set') }],
      backendRefs: to(),
    },
    request: {},
  },
  {
    id: 'h-backend-req-mod',
    field: 'backendRefs[].filters RequestHeaderModifier',
    support: 'supported',
    how: 'Destination-level `requestHeaderModifier`.',
    rule: {
      backendRefs: [
        {
          name: 'b1',
          port: 80,
          filters: [{ type: 'RequestHeaderModifier', requestHeaderModifier: mods('x-set') }],
        },
      ],
    },
    request: { headers: H },
  },
  {
    id: 'h-backend-resp-mod',
    field: 'backendRefs[].filters ResponseHeaderModifier',
    support: 'supported',
    how: 'Destination-level `responseHeaderModifier`.',
    rule: {
      backendRefs: [
        {
          name: 'b1',
          port: 80,
          filters: [{ type: 'ResponseHeaderModifier', responseHeaderModifier: mods('x-set') }],
        },
      ],
    },
    request: {},
  },
  {
    id: 'h-backend-rewrite',
    field: 'backendRefs[].filters URLRewrite / RequestRedirect',
    support: 'rejected',
    how: 'Network Services destinations only carry header modifiers.',
    status: 'cannot be expressed per destination',
    rule: {
      backendRefs: [
        { name: 'b1', port: 80, filters: [{ type: 'URLRewrite', urlRewrite: { hostname: 'x.example' } }] },
      ],
    },
  },
  {
    id: 'h-backend-mirror',
    field: 'backendRefs[].filters RequestMirror',
    support: 'approximated',
    how: 'Network Services destinations only carry header modifiers: the mirror is not applied (warning); requests still reach the backend.',
    rule: {
      backendRefs: [
        {
          name: 'b1',
          port: 80,
          filters: [{ type: 'RequestMirror', requestMirror: { backendRef: { name: 'b2', port: 80 } } }],
        },
      ],
    },
  },
  {
    id: 'h-redirect-host',
    field: 'RequestRedirect hostname (default status 302)',
    support: 'supported',
    how: '`redirect.hostRedirect`, `responseCode: FOUND`; the port the client called is kept.',
    rule: { filters: redirect({ hostname: 'example.org' }) },
    request: { path: '/x' },
  },
  {
    id: 'h-redirect-status',
    field: 'RequestRedirect statusCode 301/303/307/308',
    support: 'supported',
    how: '`responseCode` MOVED_PERMANENTLY_DEFAULT / SEE_OTHER / TEMPORARY_REDIRECT / PERMANENT_REDIRECT.',
    rule: { filters: redirect({ statusCode: 307 }) },
    request: {},
  },
  {
    id: 'h-redirect-scheme',
    field: 'RequestRedirect scheme https',
    support: 'supported',
    how: '`httpsRedirect: true`; the port becomes 443 unless set.',
    rule: { filters: redirect({ scheme: 'https' }) },
    request: {},
  },
  {
    id: 'h-redirect-port',
    field: 'RequestRedirect port',
    support: 'supported',
    how: '`portRedirect`; also set for port 80 when the client called another port (regression test in test/differential/regressions.test.ts).',
    rule: { filters: redirect({ port: 8083 }) },
    request: {},
  },
  {
    id: 'h-redirect-full',
    field: 'RequestRedirect path ReplaceFullPath',
    support: 'supported',
    how: '`pathRedirect`.',
    rule: {
      matches: M({ type: 'PathPrefix', value: '/a' }),
      filters: redirect({ path: { type: 'ReplaceFullPath', replaceFullPath: '/new' } }),
    },
    request: { path: '/a/b' },
  },
  {
    id: 'h-redirect-prefix',
    field: 'RequestRedirect path ReplacePrefixMatch',
    support: 'supported',
    how: '`prefixRewrite` per emitted arm (full path and `/p/` prefix).',
    rule: {
      matches: M({ type: 'PathPrefix', value: '/a' }),
      filters: redirect({ path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/n' } }),
    },
    request: { path: '/a/b' },
  },
  {
    id: 'h-rewrite-host',
    field: 'URLRewrite hostname',
    support: 'supported',
    how: '`urlRewrite.hostRewrite`.',
    rule: { filters: [{ type: 'URLRewrite', urlRewrite: { hostname: 'h.example' } }], backendRefs: to() },
    request: {},
  },
  {
    id: 'h-rewrite-prefix',
    field: 'URLRewrite path ReplacePrefixMatch',
    support: 'supported',
    how: '`urlRewrite.pathPrefixRewrite` per emitted arm.',
    rule: {
      matches: M({ type: 'PathPrefix', value: '/a' }),
      filters: [
        {
          type: 'URLRewrite',
          urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/n' } },
        },
      ],
      backendRefs: to(),
    },
    request: { path: '/a/b' },
  },
  {
    id: 'h-rewrite-full-exact',
    field: 'URLRewrite path ReplaceFullPath (Exact match)',
    support: 'supported',
    how: '`pathPrefixRewrite` of the whole (exactly matched) path.',
    rule: {
      matches: M({ type: 'Exact', value: '/a' }),
      filters: [
        { type: 'URLRewrite', urlRewrite: { path: { type: 'ReplaceFullPath', replaceFullPath: '/n' } } },
      ],
      backendRefs: to(),
    },
    request: { path: '/a' },
  },
  {
    id: 'h-rewrite-full-prefix',
    field: 'URLRewrite path ReplaceFullPath (PathPrefix match)',
    support: 'supported',
    how: 'The prefix becomes one segment-wise `regexMatch` (`^/a(/.*)?$`, same precedence) with `pathPrefixRewrite` of the full path: for a regexMatch "the matching portion" of the path is all of it. Documented semantics, not verified on a live project.',
    rule: {
      matches: M({ type: 'PathPrefix', value: '/a' }),
      filters: [
        { type: 'URLRewrite', urlRewrite: { path: { type: 'ReplaceFullPath', replaceFullPath: '/n' } } },
      ],
      backendRefs: to(),
    },
    request: { path: '/a/deeper/path' },
  },
  {
    id: 'h-rewrite-full-regex',
    field: 'URLRewrite path ReplaceFullPath (RegularExpression match)',
    support: 'supported',
    how: '`pathPrefixRewrite` of the full path on the `regexMatch` (which matches the whole path). Documented semantics, not verified on a live project.',
    rule: {
      matches: M({ type: 'RegularExpression', value: '/a/[0-9]+' }),
      filters: [
        { type: 'URLRewrite', urlRewrite: { path: { type: 'ReplaceFullPath', replaceFullPath: '/n' } } },
      ],
      backendRefs: to(),
    },
    request: { path: '/a/42' },
  },
  {
    id: 'h-mirror',
    field: 'RequestMirror (one per rule)',
    support: 'supported',
    how: '`requestMirrorPolicy` {destination, mirrorPercent}; `fraction` becomes a fractional percent.',
    rule: {
      filters: [
        { type: 'RequestMirror', requestMirror: { backendRef: { name: 'b2', port: 80 }, percent: 42 } },
      ],
      backendRefs: to(),
    },
    request: {},
  },
  {
    id: 'h-mirror-many',
    field: 'RequestMirror (several per rule)',
    support: 'approximated',
    how: 'Network Services mirrors to one destination per rule: the first mirror is applied, the others get no copies (warning).',
    rule: {
      filters: [
        { type: 'RequestMirror', requestMirror: { backendRef: { name: 'b2', port: 80 } } },
        { type: 'RequestMirror', requestMirror: { backendRef: { name: 'b3', port: 80 } } },
      ],
      backendRefs: to(),
    },
  },
  {
    id: 'h-cors',
    field: 'CORS',
    support: 'approximated',
    how: '`corsPolicy` (allowOrigins, allowMethods, allowHeaders, exposeHeaders, maxAge, allowCredentials); wildcard origins and preflight details follow Envoy, not checked here.',
    rule: {
      filters: [
        { type: 'CORS', cors: { allowOrigins: ['https://a.example'], allowMethods: ['GET'], maxAge: 10 } },
      ],
      backendRefs: to(),
    },
  },
  {
    id: 'h-extref',
    field: 'ExtensionRef',
    support: 'rejected',
    how: 'No extension mechanism; matching requests get HTTP 500 (a filter must not be skipped).',
    status: 'ExtensionRef filters are not supported',
    rule: {
      filters: [{ type: 'ExtensionRef', extensionRef: { group: 'x.io', kind: 'F', name: 'f' } }],
      backendRefs: to(),
    },
  },
  {
    id: 'h-extauth',
    field: 'ExternalAuth',
    support: 'rejected',
    how: 'No ext_authz in Network Services routes; matching requests get HTTP 500.',
    status: 'ExternalAuth filters are not supported',
    rule: {
      filters: [
        { type: 'ExternalAuth', externalAuth: { protocol: 'HTTP', backendRef: { name: 'b2', port: 80 } } },
      ],
      backendRefs: to(),
    },
  },
  // backends and policies
  {
    id: 'h-weights',
    field: 'backendRefs[].weight (incl. 0)',
    support: 'supported',
    how: '`destinations[].weight`; weight-0 backends are dropped.',
    rule: {
      backendRefs: [
        { name: 'b1', port: 80, weight: 70 },
        { name: 'b2', port: 80, weight: 30 },
        { name: 'b3', port: 80, weight: 0 },
      ],
    },
    request: {},
  },
  {
    id: 'h-missing-backend',
    field: 'backendRefs[] to a missing Service',
    support: 'supported',
    how: 'Its share is answered with 500 (`faultInjectionPolicy.abort`, whole percent); ResolvedRefs=False/BackendNotFound.',
    rule: {
      backendRefs: [
        { name: 'b1', port: 80, weight: 1 },
        { name: 'gone', port: 80, weight: 1 },
      ],
    },
    request: {},
  },
  {
    id: 'h-missing-backend-timeout',
    field: 'backendRefs[] to a missing Service, with timeouts or retry',
    support: 'approximated',
    how: 'The missing share is answered through `faultInjectionPolicy.abort`, and clients configured with fault injection ignore `timeout` and `retryPolicy` (Network Services HttpRoute reference): while a backendRef is unresolved the rule has no timeout and no retry. A warning in status names the rule.',
    status: 'do not apply while a backendRef is unresolved',
    rule: {
      backendRefs: [
        { name: 'b1', port: 80, weight: 1 },
        { name: 'gone', port: 80, weight: 1 },
      ],
      timeouts: { request: '5s' },
    },
  },
  {
    id: 'h-other-kind',
    field: 'backendRefs[] of another kind',
    support: 'supported',
    how: 'Answered with 500; ResolvedRefs=False/InvalidKind.',
    rule: { backendRefs: [{ group: 'x.io', kind: 'Thing', name: 'b1', port: 80 }] },
    request: {},
  },
  {
    id: 'h-cross-ns',
    field: 'backendRefs[] in another namespace',
    support: 'supported',
    how: 'Allowed without ReferenceGrant, as in the mesh conformance suite (GEP-1294).',
    rule: { backendRefs: [{ name: 'b9', namespace: 'o', port: 80 }] },
    request: {},
  },
  {
    id: 'h-no-backends',
    field: 'rule without backendRefs',
    support: 'supported',
    how: '`directResponse` 500.',
    rule: { matches: M({ type: 'Exact', value: '/none' }) },
    request: { path: '/none' },
  },
  {
    id: 'h-timeouts',
    field: 'timeouts.request / backendRequest',
    support: 'approximated',
    how: '`timeout` (covers retries); backendRequest maps to the route timeout or per-try timeout as the translator documents.',
    rule: { timeouts: { request: '10s' }, backendRefs: to() },
  },
  {
    id: 'h-retry',
    field: 'retry',
    support: 'approximated',
    how: '`retryPolicy`: codes map to retry conditions (e.g. 503 -> gateway-error, which also retries 502/504); 4xx codes other than 409 are not retried; backoff is not configurable (warnings say so).',
    rule: { retry: { attempts: 3, codes: [503] }, backendRefs: to() },
  },
  {
    id: 'h-session-cookie',
    field: 'sessionPersistence type Cookie',
    support: 'approximated',
    how: '`statefulSessionAffinity` (cookie GSSA, cookieTtl from absoluteTimeout; sessionName is not configurable).',
    rule: {
      sessionPersistence: {
        type: 'Cookie',
        absoluteTimeout: '1h',
        cookieConfig: { lifetimeType: 'Permanent' },
      },
      backendRefs: to(),
    },
  },
  {
    id: 'h-session-header',
    field: 'sessionPersistence type Header',
    support: 'approximated',
    how: 'Network Services only has cookie-based affinity: requests are load-balanced without affinity (warning).',
    rule: { sessionPersistence: { type: 'Header' }, backendRefs: to() },
  },
];

const grpc: Omit<MatrixRow, 'kind'>[] = [
  {
    id: 'g-parent',
    field: 'parentRefs[] Service port',
    support: 'supported',
    how: 'One GrpcRoute per Service port; hostnames carry `:port` (proxyless targets `xds:///svc.ns.svc.cluster.local:PORT`).',
    rule: { backendRefs: g() },
    request: {},
  },
  {
    id: 'g-method-exact',
    field: 'matches[].method Exact service+method',
    support: 'supported',
    how: '`method {type: EXACT, grpcService, grpcMethod}`.',
    rule: { matches: [{ method: { service: 'pkg.Echo', method: 'Call' } }], backendRefs: g() },
    request: {},
  },
  {
    id: 'g-method-service',
    field: 'matches[].method Exact service only',
    support: 'supported',
    how: 'Any method of the service.',
    rule: { matches: [{ method: { service: 'pkg.Echo' } }], backendRefs: g() },
    request: {},
  },
  {
    id: 'g-method-only',
    field: 'matches[].method Exact method only',
    support: 'supported',
    how: 'The method in any service.',
    rule: { matches: [{ method: { method: 'Call' } }], backendRefs: g() },
    request: {},
  },
  {
    id: 'g-method-regex',
    field: 'matches[].method RegularExpression',
    support: 'supported',
    how: '`type: REGULAR_EXPRESSION` (RE2) on service and method.',
    rule: {
      matches: [{ method: { type: 'RegularExpression', service: 'pkg\\..*', method: 'C.*' } }],
      backendRefs: g(),
    },
    request: {},
  },
  {
    id: 'g-headers',
    field: 'matches[].headers Exact / RegularExpression',
    support: 'supported',
    how: '`headers[] {type, key, value}`.',
    rule: {
      matches: [
        {
          headers: [
            { name: 'x-v', value: 'one' },
            { name: 'x-w', type: 'RegularExpression', value: 't.o' },
          ],
        },
      ],
      backendRefs: g(),
    },
    request: { headers: { 'x-v': 'one', 'x-w': 'two' } },
  },
  {
    id: 'g-req-mod',
    field: 'filters RequestHeaderModifier',
    support: 'approximated',
    how: 'GrpcRoute has no header modifiers: the rule is emitted in an HttpRoute matching POST /service/method (works for Envoy sidecars; proxyless gRPC clients are not verified).',
    rule: {
      filters: [{ type: 'RequestHeaderModifier', requestHeaderModifier: mods('x-set') }],
      backendRefs: g(),
    },
    request: { headers: H },
  },
  {
    id: 'g-resp-mod',
    field: 'filters ResponseHeaderModifier',
    support: 'approximated',
    how: 'As RequestHeaderModifier: emitted as an HttpRoute.',
    rule: {
      filters: [{ type: 'ResponseHeaderModifier', responseHeaderModifier: mods('x-set') }],
      backendRefs: g(),
    },
    request: {},
  },
  {
    id: 'g-mirror',
    field: 'filters RequestMirror',
    support: 'approximated',
    how: 'As RequestHeaderModifier: emitted as an HttpRoute with `requestMirrorPolicy`.',
    rule: {
      filters: [{ type: 'RequestMirror', requestMirror: { backendRef: { name: 'b2', port: 7070 } } }],
      backendRefs: g(),
    },
    request: {},
  },
  {
    id: 'g-weights',
    field: 'backendRefs[].weight (incl. 0 and missing)',
    support: 'supported',
    how: '`destinations[].weight`; a missing Service share gets `abort` 503 (gRPC UNAVAILABLE).',
    rule: {
      backendRefs: [
        { name: 'b1', port: 7070, weight: 7 },
        { name: 'b2', port: 7070, weight: 3 },
        { name: 'gone', port: 7070, weight: 0 },
      ],
    },
    request: {},
  },
  {
    id: 'g-session',
    field: 'sessionPersistence type Cookie',
    support: 'approximated',
    how: '`statefulSessionAffinity`; the client must copy the GSSA cookie between RPCs.',
    rule: { sessionPersistence: { type: 'Cookie' }, backendRefs: g() },
  },
];

export const MATRIX: MatrixRow[] = [
  ...http.map((r) => ({ ...r, kind: 'HTTPRoute' as const })),
  ...grpc.map((r) => ({ ...r, kind: 'GRPCRoute' as const })),
];

const esc = (s: string) => s.replace(/\|/g, '\\|');

export function renderSupportMatrix(rows: MatrixRow[] = MATRIX): string {
  const out = [
    '# GAMMA support matrix',
    '',
    '<!-- Generated from test/support/support-matrix-data.ts: `UPDATE_SUPPORT_MATRIX=1 npx ava test/conformance/support-matrix.test.ts`. -->',
    '',
    "Every row is checked by `test/conformance/support-matrix.test.ts`, which translates the row's minimal",
    'route (example id in the first column): **supported** and **approximated** rows must be Accepted with no',
    'rule dropped; **supported** rows with a request must also behave exactly as the Gateway API spec says',
    '(`evaluateNs(translate(route))` equals `evaluateGamma(route)`); **rejected** rows must show the stated',
    'rejection in route status (`Accepted=False`, or `PartiallyInvalid` when other rules survive).',
    'The TCPRoute, TLSRoute, UDPRoute and route-kind rows are scenarios on one Service: the named route',
    'must have the stated Accepted status and message, and **supported** rows with a connection must route',
    'it as the spec says (`evaluateNsConnection(translate(objects))` equals `evaluateGammaConnection(objects)`).',
    '',
  ];
  for (const kind of ['HTTPRoute', 'GRPCRoute'] as const) {
    out.push(
      `## ${kind}`,
      '',
      '| Example | Field / filter | Support | How (or why), and what status says |',
      '|---|---|---|---|',
    );
    for (const r of rows.filter((x) => x.kind === kind)) {
      const how = r.status ? `${r.how} Status: "${r.status}".` : r.how;
      out.push(`| \`${r.id}\` | ${esc(r.field)} | ${r.support} | ${esc(how)} |`);
    }
    out.push('');
  }
  out.push(...renderStreamSections());
  out.push(...renderSizes());
  return out.join('\n');
}
