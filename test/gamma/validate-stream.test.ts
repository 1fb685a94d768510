// TCPRoute and TLSRoute: served versions, CRD defaults, limits and CEL rules per version (gateway-api
// v1.6.1 CRDs), and how buildSnapshot files them (docs/support-matrix.md, "TCPRoute" and "TLSRoute").
import test from 'ava';
import { applyDefaults, buildSnapshot, parseManifestText, validateObject } from '../../shared/gamma/index.ts';
import { validateObjectFully } from '../../shared/gamma/validate.ts';
import { isCertainlyValid, isCertainlyValidAsDefaulted } from '../../shared/gamma/quick-check.ts';
import type { KubeObject } from '../../shared/gamma/index.ts';

const parent = { group: '', kind: 'Service', name: 'db', port: 5432 };
const backend = { name: 'db-v1', port: 5432 };

function route(kind: 'TCPRoute' | 'TLSRoute', version: string, spec: Record<string, unknown>): KubeObject {
  return {
    apiVersion: `gateway.networking.k8s.io/${version}`,
    kind,
    metadata: { name: 'r', namespace: 'ns' },
    spec,
  } as KubeObject;
}

const rule = { backendRefs: [backend] };
const twoRules = [
  { name: 'a', backendRefs: [backend] },
  { name: 'b', backendRefs: [backend] },
];
const hostnames = ['db.example.com'];

// [name, kind, version, spec, expected error (path: message) or [] for valid]
const table: [string, 'TCPRoute' | 'TLSRoute', string, Record<string, unknown>, RegExp | null][] = [
  ['TCPRoute v1: one rule', 'TCPRoute', 'v1', { parentRefs: [parent], rules: [rule] }, null],
  ['TCPRoute v1: rules required', 'TCPRoute', 'v1', { parentRefs: [parent] }, /^spec\.rules: Required value/],
  ['TCPRoute v1: at most one rule', 'TCPRoute', 'v1', { rules: twoRules }, /^spec\.rules: .*at most 1/],
  ['TCPRoute v1alpha2: up to 16 rules', 'TCPRoute', 'v1alpha2', { rules: twoRules }, null],
  [
    'TCPRoute v1alpha2: rule names unique (experimental CEL)',
    'TCPRoute',
    'v1alpha2',
    { rules: [twoRules[0], twoRules[0]] },
    /^spec\.rules: Rule name must be unique within the route/,
  ],
  [
    'backendRefs required',
    'TCPRoute',
    'v1',
    { rules: [{}] },
    /^spec\.rules\[0\]\.backendRefs: Required value/,
  ],
  [
    'backendRefs at most 16',
    'TCPRoute',
    'v1',
    { rules: [{ backendRefs: Array.from({ length: 17 }, () => backend) }] },
    /^spec\.rules\[0\]\.backendRefs: .*at most 16/,
  ],
  [
    'Service backend needs a port (CEL)',
    'TCPRoute',
    'v1',
    { rules: [{ backendRefs: [{ name: 'db-v1' }] }] },
    /backendRefs\[0\]\.port: Must have port for Service reference/,
  ],
  [
    'weight at most 1000000',
    'TCPRoute',
    'v1',
    { rules: [{ backendRefs: [{ ...backend, weight: 1_000_001 }] }] },
    /backendRefs\[0\]\.weight/,
  ],
  [
    'unknown field',
    'TCPRoute',
    'v1',
    { rules: [{ backendRefs: [backend], matches: [] }] },
    /^spec\.rules\[0\]\.matches: unknown field "matches"/,
  ],
  [
    'TCPRoute has no hostnames',
    'TCPRoute',
    'v1',
    { hostnames, rules: [rule] },
    /^spec\.hostnames: unknown field/,
  ],
  ['TLSRoute v1: hostnames and one rule', 'TLSRoute', 'v1', { hostnames, rules: [rule] }, null],
  [
    'TLSRoute v1: hostnames required',
    'TLSRoute',
    'v1',
    { rules: [rule] },
    /^spec\.hostnames: Required value/,
  ],
  ['TLSRoute v1alpha3: hostnames required', 'TLSRoute', 'v1alpha3', { rules: [rule] }, /^spec\.hostnames/],
  ['TLSRoute v1alpha2: hostnames optional', 'TLSRoute', 'v1alpha2', { rules: twoRules }, null],
  [
    'TLSRoute v1: no IP (CEL)',
    'TLSRoute',
    'v1',
    { hostnames: ['10.0.0.1'], rules: [rule] },
    /^spec\.hostnames: Hostnames cannot contain an IP/,
  ],
  [
    'TLSRoute: wildcard only as the first label',
    'TLSRoute',
    'v1',
    { hostnames: ['a.*.example.com'], rules: [rule] },
    /^spec\.hostnames\[0\]/,
  ],
  [
    'TLSRoute: a leading wildcard is fine',
    'TLSRoute',
    'v1',
    { hostnames: ['*.example.com'], rules: [rule] },
    null,
  ],
  [
    'TLSRoute: at most 1024 hostnames',
    'TLSRoute',
    'v1',
    { hostnames: Array.from({ length: 1025 }, (_, i) => `h${i}.example.com`), rules: [rule] },
    /^spec\.hostnames: .*at most 1024/,
  ],
  [
    'useDefaultGateways enum',
    'TLSRoute',
    'v1',
    { hostnames, useDefaultGateways: 'Some', rules: [rule] },
    /^spec\.useDefaultGateways/,
  ],
];

for (const [name, kind, version, spec, expected] of table) {
  test(`validate ${kind} ${version}: ${name}`, (t) => {
    const errors = validateObject(applyDefaults(route(kind, version, spec))).map(
      (e) => `${e.path}: ${e.message}`,
    );
    if (expected === null) t.deepEqual(errors, []);
    else
      t.true(
        errors.some((e) => expected.test(e)),
        errors.join('\n') || '(no errors)',
      );
    // The quick check only ever vouches for what the full walk accepts, and vouches for valid routes.
    const defaulted = applyDefaults(route(kind, version, spec));
    t.is(isCertainlyValid(defaulted), expected === null);
    t.is(validateObjectFully(defaulted).length === 0, expected === null);
    if (expected === null) t.true(isCertainlyValidAsDefaulted(defaulted));
  });
}

test('defaults: parentRef group/kind and backendRef group/kind/weight, nothing else', (t) => {
  const raw = route('TCPRoute', 'v1', { parentRefs: [{ name: 'gw' }], rules: [rule] });
  const defaulted = applyDefaults(raw) as unknown as { spec: Record<string, unknown> };
  t.deepEqual(defaulted.spec, {
    parentRefs: [{ name: 'gw', group: 'gateway.networking.k8s.io', kind: 'Gateway' }],
    rules: [{ backendRefs: [{ ...backend, group: '', kind: 'Service', weight: 1 }] }],
  });
  const again: unknown = applyDefaults(defaulted as unknown as KubeObject);
  t.is(again, defaulted, 'idempotent, no copy');
  t.deepEqual((raw as unknown as { spec: { rules: unknown } }).spec.rules, [rule], 'input untouched');
});

const manifests = (kind: string, version: string, extra = '') => `
apiVersion: gateway.networking.k8s.io/${version}
kind: ${kind}
metadata: {name: r, namespace: ns}
spec:
  parentRefs: [{group: "", kind: Service, name: db, port: 5432}]
${extra}  rules: [{backendRefs: [{name: db-v1, port: 5432}]}, {name: second, backendRefs: [{name: db-v2, port: 5432}]}]
`;

test('buildSnapshot: TCPRoute and TLSRoute buckets keep the version written, so its limits apply', (t) => {
  const alpha = buildSnapshot(parseManifestText(manifests('TCPRoute', 'v1alpha2'), 'a.yaml').objects);
  t.deepEqual(alpha.errors.map(String), []);
  t.is(alpha.snapshot.tcpRoutes?.length, 1);
  t.is(alpha.snapshot.tcpRoutes?.[0].apiVersion, 'gateway.networking.k8s.io/v1alpha2');
  t.regex(alpha.warnings.map(String).join('\n'), /v1alpha2 is deprecated .* one rule/);
  const v1 = buildSnapshot(parseManifestText(manifests('TCPRoute', 'v1'), 'b.yaml').objects);
  t.is(v1.snapshot.tcpRoutes?.length, 0);
  t.regex(v1.errors.map(String).join('\n'), /TCPRoute ns\/r.*spec\.rules/);
  const tls = buildSnapshot(
    parseManifestText(manifests('TLSRoute', 'v1alpha3', '  hostnames: [db.example.com]\n'), 'c.yaml').objects,
  );
  t.regex(tls.errors.map(String).join('\n'), /spec\.rules/, 'v1alpha3 allows one rule too');
  const tlsAlpha2 = buildSnapshot(parseManifestText(manifests('TLSRoute', 'v1alpha2'), 'd.yaml').objects);
  t.deepEqual(tlsAlpha2.errors.map(String), []);
  t.is(tlsAlpha2.snapshot.tlsRoutes?.length, 1);
});

test('buildSnapshot: an unserved version is an error naming the served ones', (t) => {
  const built = buildSnapshot(parseManifestText(manifests('TCPRoute', 'v1beta1'), 'a.yaml').objects);
  t.regex(
    built.errors.map(String).join('\n'),
    /TCPRoute gateway\.networking\.k8s\.io\/v1beta1 is not supported \(gamma-csm reads .*\/v1, .*\/v1alpha2\)/,
  );
});

test('buildSnapshot: UDPRoute is ignored with why', (t) => {
  const built = buildSnapshot(parseManifestText(manifests('UDPRoute', 'v1alpha2'), 'a.yaml').objects);
  t.deepEqual(built.errors, []);
  t.is(built.ignored.length, 1);
  t.regex(built.ignored[0].reason, /UDPRoute is not supported: Network Services has no UDP route/);
});
