// GAMMA_CROSS_NAMESPACE_BACKENDS=referencegrant: a cross-namespace backendRef or RequestMirror target
// resolves only with a ReferenceGrant in the target namespace (docs/security.md §2).
import test from 'ava';
import { translate } from '../../shared/translate/index.ts';
import type { GRPCRoute, HTTPRoute, ReferenceGrant, Service } from '../../shared/gamma/types.ts';
import type { Desired, TranslateOptions } from '../../shared/translate/types.ts';

const OPTIONS: TranslateOptions = {
  project: 'p',
  location: 'global',
  mesh: 'm',
  clusterId: 'c',
  controllerName: 'gamma-csm.dev/controller',
  clusterDomain: 'cluster.local',
  crossNamespaceBackends: 'referencegrant',
};
const GW = 'gateway.networking.k8s.io';

const svc = (namespace: string, name: string): Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace },
  spec: { ports: [{ port: 80 }] },
});
const SERVICES = [svc('a', 'front'), svc('a', 'local'), svc('b', 'api'), svc('b', 'other')];

function httpRoute(rule: Record<string, unknown>): HTTPRoute {
  return {
    apiVersion: `${GW}/v1`,
    kind: 'HTTPRoute',
    metadata: { name: 'r', namespace: 'a', generation: 1 },
    spec: { parentRefs: [{ group: '', kind: 'Service', name: 'front', port: 80 }], rules: [rule] },
  } as HTTPRoute;
}

function grpcRoute(rule: Record<string, unknown>): GRPCRoute {
  return { ...httpRoute(rule), kind: 'GRPCRoute' } as unknown as GRPCRoute;
}

function grant(
  from: Partial<ReferenceGrant['spec']['from'][number]> = {},
  to: Partial<ReferenceGrant['spec']['to'][number]> = {},
  namespace = 'b',
): ReferenceGrant {
  return {
    apiVersion: `${GW}/v1beta1`,
    kind: 'ReferenceGrant',
    metadata: { name: 'g', namespace },
    spec: {
      from: [{ group: GW, kind: 'HTTPRoute', namespace: 'a', ...from }],
      to: [{ group: '', kind: 'Service', ...to }],
    },
  };
}

const split = {
  backendRefs: [
    { name: 'local', port: 80 },
    { name: 'api', namespace: 'b', port: 80 },
  ],
};

function resolvedRefs(desired: Desired) {
  return desired.statuses[0].parents[0].conditions.find((c) => c.type === 'ResolvedRefs');
}

function destinations(desired: Desired): string[] {
  const rules = desired.httpRoutes[0]?.rules ?? desired.grpcRoutes[0]?.rules ?? [];
  return (rules[0].action?.destinations ?? []).map((d) => d.serviceName?.split('/').pop() ?? '');
}

function abortPercent(desired: Desired): number | undefined {
  const rules = desired.httpRoutes[0]?.rules ?? desired.grpcRoutes[0]?.rules ?? [];
  return rules[0].action?.faultInjectionPolicy?.abort?.percentage ?? undefined;
}

const cases: [string, ReferenceGrant[], Partial<TranslateOptions>, boolean][] = [
  ['allowed by a grant for the route kind and namespace', [grant()], {}, true],
  ['a grant naming this Service', [grant({}, { name: 'api' })], {}, true],
  ['no grant', [], {}, false],
  ['a grant in the route namespace, not the target one', [grant({}, {}, 'a')], {}, false],
  ['a grant from another namespace', [grant({ namespace: 'z' })], {}, false],
  ['a grant for another route kind', [grant({ kind: 'GRPCRoute' })], {}, false],
  ['a grant for another group', [grant({ group: 'example.com' })], {}, false],
  ['a grant to another kind', [grant({}, { kind: 'Secret' })], {}, false],
  ['a grant naming another Service', [grant({}, { name: 'other' })], {}, false],
  ['mode allow ignores grants', [], { crossNamespaceBackends: 'allow' }, true],
  ['mode absent is allow', [], { crossNamespaceBackends: undefined }, true],
];

for (const [name, grants, extra, allowed] of cases) {
  test(`cross-namespace backendRef: ${name}`, (t) => {
    const desired = translate(
      { services: SERVICES, httpRoutes: [httpRoute(split)], grpcRoutes: [], referenceGrants: grants },
      { ...OPTIONS, ...extra },
    );
    const cond = resolvedRefs(desired);
    if (allowed) {
      t.is(cond?.status, 'True');
      t.is(destinations(desired).length, 2);
      t.is(abortPercent(desired), undefined);
      return;
    }
    t.is(cond?.status, 'False');
    t.is(cond?.reason, 'RefNotPermitted');
    t.regex(
      cond?.message ?? '',
      /b\/api.*GAMMA_CROSS_NAMESPACE_BACKENDS=referencegrant.*ReferenceGrant in namespace b/,
    );
    // The refused share is answered with the error, like any unresolved backend.
    t.is(destinations(desired).length, 1);
    t.is(abortPercent(desired), 50);
  });
}

test('same-namespace backendRefs need no grant', (t) => {
  const desired = translate(
    {
      services: SERVICES,
      httpRoutes: [httpRoute({ backendRefs: [{ name: 'local', port: 80 }] })],
      grpcRoutes: [],
    },
    OPTIONS,
  );
  t.is(resolvedRefs(desired)?.status, 'True');
});

test('a GRPCRoute needs a grant from GRPCRoute', (t) => {
  const rule = { backendRefs: [{ name: 'api', namespace: 'b', port: 80 }] };
  const refused = translate(
    { services: SERVICES, httpRoutes: [], grpcRoutes: [grpcRoute(rule)], referenceGrants: [grant()] },
    OPTIONS,
  );
  t.is(resolvedRefs(refused)?.reason, 'RefNotPermitted');
  t.regex(resolvedRefs(refused)?.message ?? '', /allowing GRPCRoute from namespace a/);
  const allowed = translate(
    {
      services: SERVICES,
      httpRoutes: [],
      grpcRoutes: [grpcRoute(rule)],
      referenceGrants: [grant({ kind: 'GRPCRoute' })],
    },
    OPTIONS,
  );
  t.is(resolvedRefs(allowed)?.status, 'True');
  t.is(destinations(allowed).length, 1);
});

test('a RequestMirror target in another namespace needs a grant too', (t) => {
  const rule = {
    backendRefs: [{ name: 'local', port: 80 }],
    filters: [
      { type: 'RequestMirror', requestMirror: { backendRef: { name: 'api', namespace: 'b', port: 80 } } },
    ],
  };
  const refused = translate({ services: SERVICES, httpRoutes: [httpRoute(rule)], grpcRoutes: [] }, OPTIONS);
  t.is(resolvedRefs(refused)?.reason, 'RefNotPermitted');
  t.is(
    refused.httpRoutes[0].rules?.[0].action?.requestMirrorPolicy,
    undefined,
    'no copies to the refused target',
  );
  const allowed = translate(
    { services: SERVICES, httpRoutes: [httpRoute(rule)], grpcRoutes: [], referenceGrants: [grant()] },
    OPTIONS,
  );
  t.is(resolvedRefs(allowed)?.status, 'True');
  t.regex(
    allowed.httpRoutes[0].rules?.[0].action?.requestMirrorPolicy?.destination?.serviceName ?? '',
    /gamma-c-b-api-80/,
  );
});

test('malformed grants grant nothing and never throw', (t) => {
  const junk = [
    null,
    { kind: 'ReferenceGrant', metadata: { namespace: 'b' } },
    { kind: 'ReferenceGrant', metadata: { namespace: 'b' }, spec: { from: 'x', to: [{}] } },
    { kind: 'Other', metadata: { namespace: 'b' }, spec: grant().spec },
  ] as unknown as ReferenceGrant[];
  const desired = translate(
    { services: SERVICES, httpRoutes: [httpRoute(split)], grpcRoutes: [], referenceGrants: junk },
    OPTIONS,
  );
  t.is(resolvedRefs(desired)?.reason, 'RefNotPermitted');
});

test('the grant check does not depend on how the port is written', (t) => {
  // A port the memo does not take (a string, as unvalidated input may hold) is still checked.
  const rule = { backendRefs: [{ name: 'api', namespace: 'b', port: '80' }] };
  const desired = translate({ services: SERVICES, httpRoutes: [httpRoute(rule)], grpcRoutes: [] }, OPTIONS);
  t.is(resolvedRefs(desired)?.reason, 'RefNotPermitted');
});
