import test from 'ava';
import { buildSnapshot, parseManifestText } from '../../shared/gamma/index.ts';
import type { KubeObject } from '../../shared/gamma/index.ts';

const manifests = `
apiVersion: v1
kind: Service
metadata: {name: b-svc}
spec: {ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: a-svc, namespace: ns1}
spec: {ports: [{port: 80}]}
---
apiVersion: gateway.networking.k8s.io/v1beta1
kind: HTTPRoute
metadata: {name: old-api}
spec:
  parentRefs: [{group: "", kind: Service, name: b-svc}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {name: g, namespace: ns1, creationTimestamp: "2026-01-01T00:00:00Z"}
spec:
  parentRefs: [{group: "", kind: Service, name: a-svc}]
  rules: [{matches: [{method: {method: Echo}}]}]
---
apiVersion: v1
kind: Namespace
metadata: {name: ns1}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw}
`;

test('sorts objects by kind, fills namespaces, applies defaults, keeps others as ignored', (t) => {
  const parsed = parseManifestText(manifests, 'all.yaml');
  t.deepEqual(parsed.errors, []);
  const { snapshot, errors, ignored } = buildSnapshot(parsed.objects);
  t.deepEqual(errors, []);
  t.deepEqual(
    snapshot.services.map((s) => `${s.metadata.namespace}/${s.metadata.name}`),
    ['default/b-svc', 'ns1/a-svc'],
  );
  t.is(snapshot.httpRoutes.length, 1);
  const http = snapshot.httpRoutes[0];
  t.is(http.apiVersion, 'gateway.networking.k8s.io/v1', 'v1beta1 is read as the v1 storage version');
  t.is(http.metadata.namespace, 'default');
  t.deepEqual(http.spec.rules, [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }] }]);
  t.false('creationTimestamp' in http.metadata, 'no invented creationTimestamp');
  t.is(snapshot.grpcRoutes[0].spec.rules![0].matches![0].method!.type, 'Exact');
  t.is(snapshot.grpcRoutes[0].metadata.creationTimestamp, '2026-01-01T00:00:00Z');
  t.deepEqual(
    snapshot.namespaces?.map((n) => n.metadata.name),
    ['ns1'],
  );
  t.is(snapshot.namespaces?.[0].metadata.namespace, undefined, 'Namespaces are cluster-scoped');
  t.deepEqual(
    ignored.map((o) => o.kind),
    ['Deployment', 'Gateway'],
  );
});

test('defaultNamespace option and input objects are not mutated', (t) => {
  const parsed = parseManifestText(manifests, 'all.yaml');
  const before = JSON.stringify(parsed.objects);
  const { snapshot } = buildSnapshot(parsed.objects, { defaultNamespace: 'team' });
  t.is(snapshot.services[1].metadata.namespace, 'team');
  t.is(JSON.stringify(parsed.objects), before);
});

test('invalid objects are left out and every error names file, object and field', (t) => {
  const text = `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r}
spec:
  rules: [{backendRefs: [{name: b, weight: -1}]}]
---
apiVersion: gateway.networking.k8s.io/v1alpha2
kind: GRPCRoute
metadata: {name: g, namespace: ns}
spec: {}
---
apiVersion: gateway.networking.k8s.io/v1alpha1
kind: HTTPRoute
metadata: {name: old}
spec: {}
`;
  const { snapshot, errors, warnings } = buildSnapshot(parseManifestText(text, 'bad.yaml').objects);
  t.deepEqual(snapshot.httpRoutes, []);
  t.is(snapshot.grpcRoutes.length, 1, 'v1alpha2 GRPCRoute is read as v1');
  t.is(snapshot.grpcRoutes[0].apiVersion, 'gateway.networking.k8s.io/v1');
  t.deepEqual(
    errors.map((e) => e.message),
    [
      'bad.yaml: HTTPRoute default/r: spec.rules[0].backendRefs[0].weight: must be greater than or equal to 0, got -1',
      'bad.yaml: HTTPRoute default/r: spec.rules[0].backendRefs[0].port: Must have port for Service reference',
      'bad.yaml: HTTPRoute default/old: apiVersion: HTTPRoute gateway.networking.k8s.io/v1alpha1 is not supported (gamma-csm reads gateway.networking.k8s.io/v1, gateway.networking.k8s.io/v1beta1, gateway.networking.k8s.io/v1alpha2): convert it to gateway.networking.k8s.io/v1',
    ],
  );
  t.deepEqual(
    warnings.map((e) => e.message),
    [
      'bad.yaml: GRPCRoute ns/g: apiVersion: gateway.networking.k8s.io/v1alpha2 is an older API version, read as gateway.networking.k8s.io/v1 (the GRPCRoute fields are the same); change apiVersion to gateway.networking.k8s.io/v1',
    ],
  );
  t.is(errors[0].field, 'spec.rules[0].backendRefs[0].weight');
  t.is(errors[0].kind, 'HTTPRoute');
  t.is(errors[0].namespace, 'default');
  t.is(errors[0].name, 'r');
});

test('duplicates: different content is an error, identical content a warning (also across v1beta1 and v1, and implicit default namespace)', (t) => {
  const a = parseManifestText(
    'apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 80}]}',
    'a.yaml',
  );
  const b = parseManifestText(
    'apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: default}\nspec: {ports: [{port: 81}]}\n---\n' +
      'apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r}\nspec: {}\n---\n' +
      'apiVersion: gateway.networking.k8s.io/v1beta1\nkind: HTTPRoute\nmetadata: {name: r}\nspec: {}\n',
    'b.yaml',
  );
  const { snapshot, errors, warnings } = buildSnapshot([...a.objects, ...b.objects]);
  t.deepEqual(
    errors.map((e) => e.message),
    [
      'b.yaml: Service default/s: duplicate object with different content: already defined in a.yaml (document 1)',
    ],
  );
  t.deepEqual(
    warnings.map((e) => e.message),
    [
      'b.yaml: HTTPRoute default/r: apiVersion: gateway.networking.k8s.io/v1beta1 is an older API version, read as gateway.networking.k8s.io/v1 (the HTTPRoute fields are the same); change apiVersion to gateway.networking.k8s.io/v1',
      'b.yaml: HTTPRoute default/r: identical duplicate of the object in b.yaml (document 2); used once',
    ],
    'the same route as v1 and as v1beta1 is one object',
  );
  t.is(snapshot.services.length, 1);
  t.is(snapshot.services[0].spec.ports![0].port, 80, 'the first definition wins');
});

test('objects from a live cluster (no file) are named <input>; hostile values are errors', (t) => {
  const objects = [
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'r', namespace: 'n' },
      spec: { rules: [{ matches: 'all' }] },
    },
    null,
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's', namespace: 'n' },
      spec: { ports: [{ port: '80' }] },
    },
  ] as unknown as KubeObject[];
  const { errors } = buildSnapshot(objects);
  t.deepEqual(
    errors.map((e) => e.message),
    [
      '<input>: HTTPRoute n/r: spec.rules[0].matches: must be a list, got "all"',
      '<input>: expected a Kubernetes object',
      '<input>: Service n/s: spec.ports[0].port: must be an integer, got "80"',
    ],
  );
});

test('ReferenceGrants are read (v1beta1 without a warning), validated, and a bad one names its field', (t) => {
  const parsed = parseManifestText(
    `apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: {name: allow-a, namespace: b}
spec:
  from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: a}]
  to: [{group: "", kind: Service, name: api}]
---
apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: {name: broken, namespace: b}
spec:
  from: [{group: gateway.networking.k8s.io, kind: HTTPRoute}]
  to: []
`,
    'grants.yaml',
  );
  const { snapshot, errors, warnings } = buildSnapshot(parsed.objects);
  t.deepEqual(
    snapshot.referenceGrants?.map((g) => `${g.metadata.namespace}/${g.metadata.name}`),
    ['b/allow-a'],
  );
  t.deepEqual(warnings, []);
  const messages = errors.map((e) => e.message);
  t.true(
    messages.some((m) => m.includes('broken') && m.includes('spec.from[0].namespace')),
    messages.join('\n'),
  );
  t.true(
    messages.some((m) => m.includes('spec.to')),
    messages.join('\n'),
  );
});
