import test from 'ava';
import {
  backendWeight,
  errorPercent,
  resolveBackendRef,
  splitBackends,
} from '../../shared/translate/backends.ts';
import type { Service } from '../../shared/gamma/types.ts';
import type { TranslateOptions } from '../../shared/translate/types.ts';

const options: TranslateOptions = {
  project: 'p',
  location: 'global',
  mesh: 'm',
  clusterId: 'c',
  controllerName: 'x/y',
  clusterDomain: 'cluster.local',
};
const svc = (
  name: string,
  namespace: string,
  spec: Service['spec'] = { ports: [{ port: 80 }] },
): Service => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec });
const all: Service[] = [
  svc('a', 'ns'),
  svc('b', 'other'),
  svc('ext', 'ns', { type: 'ExternalName', externalName: 'x.example' }),
];
const index = {
  find: (ns: string, name: string) =>
    all.find((s) => s.metadata.namespace === ns && s.metadata.name === name),
};

const table: [string, object, string][] = [
  [
    'same namespace',
    { name: 'a', port: 80 },
    'ok:projects/p/locations/global/backendServices/gamma-c-ns-a-80-e542789a',
  ],
  [
    'cross namespace allowed (mesh, no ReferenceGrant)',
    { name: 'b', namespace: 'other', port: 80 },
    'ok:projects/p/locations/global/backendServices/gamma-c-other-b-80-ddfdf8ac',
  ],
  ['missing Service', { name: 'zzz', port: 80 }, 'BackendNotFound'],
  ['missing port', { name: 'a', port: 81 }, 'BackendNotFound'],
  ['no port', { name: 'a' }, 'BackendNotFound'],
  ['ExternalName', { name: 'ext', port: 80 }, 'BackendNotFound'],
  ['unknown kind', { group: 'example.com', kind: 'Bucket', name: 'a', port: 80 }, 'InvalidKind'],
  ['core group with other kind', { group: '', kind: 'Pod', name: 'a', port: 80 }, 'InvalidKind'],
];

for (const [name, ref, expected] of table) {
  test(`resolve backendRef: ${name}`, (t) => {
    const resolved = resolveBackendRef(ref as never, 'ns', index, options);
    t.is(resolved.ok ? `ok:${resolved.serviceName}` : resolved.problem.reason, expected);
  });
}

const percents: [number, number, number][] = [
  [1, 0, 0],
  [0, 1, 100],
  [1, 1, 50],
  [1, 3, 75],
  [2, 1, 33],
  [1000, 1, 1], // would round to 0: clamped so the invalid share stays visible
  [1, 1000, 99], // would round to 100: clamped so the valid share keeps traffic
];
for (const [valid, invalid, expected] of percents) {
  test(`error percentage valid=${valid} invalid=${invalid}`, (t) =>
    t.is(errorPercent(valid, invalid), expected));
}

test('weights default to 1, weight 0 entries are dropped, unresolved entries counted', (t) => {
  t.is(backendWeight({ name: 'a' }), 1);
  t.is(backendWeight({ name: 'a', weight: 0 }), 0);
  const good = resolveBackendRef({ name: 'a', port: 80 }, 'ns', index, options);
  const bad = resolveBackendRef({ name: 'x', port: 80 }, 'ns', index, options);
  const split = splitBackends([
    { ref: { name: 'a' }, weight: 3, resolved: good, extra: {} },
    { ref: { name: 'a' }, weight: 0, resolved: good, extra: {} },
    { ref: { name: 'x' }, weight: 1, resolved: bad, extra: {} },
  ]);
  t.is(split.valid.length, 1);
  t.is(split.errorPercent, 25);
  t.is(split.problems.length, 1);
});

test('an override annotation off GAMMA_BACKEND_SERVICE_OVERRIDES leaves the ref unresolved: RefNotPermitted', (t) => {
  const annotated: Service = {
    ...svc('own', 'ns'),
    metadata: {
      name: 'own',
      namespace: 'ns',
      annotations: { 'gamma-csm.dev/backend-service.80': 'prod-db-bs' },
    },
  };
  const find = (ns: string, name: string) => (ns === 'ns' && name === 'own' ? annotated : undefined);
  const refused = resolveBackendRef({ name: 'own', port: 80 } as never, 'ns', { find }, options);
  t.false(refused.ok);
  if (!refused.ok) {
    t.is(refused.problem.reason, 'RefNotPermitted');
    t.regex(refused.problem.message, /GAMMA_BACKEND_SERVICE_OVERRIDES does not allow/);
  }
  const allowed = resolveBackendRef(
    { name: 'own', port: 80 } as never,
    'ns',
    { find },
    {
      ...options,
      backendServiceOverrides: ['prod-*'],
    },
  );
  t.true(allowed.ok && allowed.serviceName.endsWith('/backendServices/prod-db-bs'));
});
