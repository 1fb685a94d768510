// readClusterSnapshot against the stand-in, with the real client-node, and the per-parent snapshot
// (the one the watcher publishes) cut from it.
import test from 'ava';
import { makeKubeConfig, readClusterSnapshot } from '../../shared/cluster/index.ts';
import { buildParentSnapshot } from '../../shared/cluster/parent-snapshot.ts';
import { RESOURCES } from '../../infra/local/k8s/resources.ts';
import type { ResourceDef } from '../../infra/local/k8s/resources.ts';
import { emulatorWithClient, grpcRoute, httpRoute, raw, service } from '../k8s/support.ts';

const { emu } = await emulatorWithClient();
const kc = makeKubeConfig({ kubeconfigPath: emu.kubeconfigPath });
test.after.always(() => emu.close());

emu.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
for (let i = 0; i < 10; i++) {
  const s = service(`svc${i}`, i % 2 ? 'shop' : 'default');
  s.metadata.annotations = { 'kubectl.kubernetes.io/last-applied-configuration': '{}', keep: 'me' };
  emu.apply(s);
}
emu.apply(service('svc1', 'default')); // same short name in two namespaces
emu.apply(httpRoute('to-svc0', 'svc0'));
emu.apply(httpRoute('to-svc1', 'svc1', 'shop'));
emu.apply(grpcRoute('g-svc0', 'svc0'));

test.serial('reads every page of every kind, strips managedFields and last-applied', async (t) => {
  const snap = await readClusterSnapshot(kc, { pageSize: 2 });
  t.is(snap.services.length, 11);
  t.is(snap.httpRoutes.length, 2);
  t.is(snap.grpcRoutes.length, 1);
  t.true(snap.namespaces.some((n) => n.metadata.name === 'shop'));
  const svc = snap.services.find((s) => s.metadata.name === 'svc0');
  t.is(svc?.kind, 'Service');
  t.is(svc?.apiVersion, 'v1');
  t.deepEqual(svc?.metadata.annotations, { keep: 'me' });
  t.is(svc?.metadata.managedFields, undefined);
  t.is(typeof svc?.metadata.creationTimestamp, 'string');
  t.is(snap.httpRoutes[0].kind, 'HTTPRoute');
  t.is(snap.resourceVersion, String(emu.store.resourceVersion));
  const serviceLists = emu.requests.filter((r) => r.path === '/api/v1/services');
  t.is(serviceLists.length, 6, '11 services in pages of 2');
});

test.serial('a failure on page 3 of 5 rejects: never a partial snapshot', async (t) => {
  // 10 http routes in pages of 2 -> 5 pages; page 3 fails
  for (let i = 0; i < 8; i++) emu.apply(httpRoute(`extra${i}`, 'svc0'));
  emu.failListPage(3, { code: 500, resource: 'httproutes' });
  const before = emu.requests.length;
  const err = await t.throwsAsync(readClusterSnapshot(kc, { pageSize: 2 }));
  t.regex(String(err?.message), /500|injected/);
  const pages = emu.requests.slice(before).filter((r) => r.path.endsWith('/httproutes'));
  t.true(
    pages.some((r) => r.status === 500),
    'the third page was requested and failed',
  );
  emu.failListPage(3, { code: 410, resource: 'httproutes' });
  await t.throwsAsync(
    readClusterSnapshot(kc, { pageSize: 2 }),
    undefined,
    'an expired continue token rejects too',
  );
  const ok = await readClusterSnapshot(kc, { pageSize: 2 });
  t.is(ok.httpRoutes.length, 10);
  for (let i = 0; i < 8; i++) emu.deleteObject('HTTPRoute', 'default', `extra${i}`);
});

test.serial(
  'per-parent snapshot: the Service, routes naming it, their backends, short-name facts',
  async (t) => {
    const snap = buildParentSnapshot(await readClusterSnapshot(kc), { namespace: 'default', name: 'svc0' });
    t.deepEqual(
      snap.services.map((s) => `${s.metadata.namespace}/${s.metadata.name}`),
      ['default/svc0'],
    );
    t.deepEqual(
      snap.httpRoutes.map((r) => r.metadata.name),
      ['to-svc0'],
    );
    t.deepEqual(
      snap.grpcRoutes.map((r) => r.metadata.name),
      ['g-svc0'],
    );
    t.deepEqual(snap.serviceNamespacesByName, { svc0: ['default'] });
    const other = buildParentSnapshot(await readClusterSnapshot(kc), { namespace: 'shop', name: 'svc1' });
    t.deepEqual(other.serviceNamespacesByName, { svc1: ['default', 'shop'] });
    t.deepEqual(
      other.httpRoutes.map((r) => r.metadata.name),
      ['to-svc1'],
    );
    t.deepEqual(
      other.services.map((s) => s.metadata.namespace),
      ['shop'],
    );
    const none = buildParentSnapshot(await readClusterSnapshot(kc), { namespace: 'default', name: 'svc2' });
    t.deepEqual([none.httpRoutes.length, none.grpcRoutes.length, none.services.length], [0, 0, 1]);
  },
);

test('per-parent snapshot includes mirror targets (rule and backendRef level) of both route kinds', (t) => {
  const svc = (name: string, namespace = 'default') => ({
    apiVersion: 'v1',
    kind: 'Service' as const,
    metadata: { name, namespace },
    spec: { ports: [{ port: 80 }] },
  });
  const mirror = (name: string) => ({ type: 'RequestMirror', requestMirror: { backendRef: { name } } });
  const parentRefs = [{ group: '', kind: 'Service', name: 'front' }];
  const route = (kind: 'HTTPRoute' | 'GRPCRoute', name: string, rules: unknown[]) => ({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind,
    metadata: { name, namespace: 'default' },
    spec: { parentRefs, rules },
  });
  const full = {
    services: ['front', 'back', 'rule-mirror', 'backend-mirror', 'grpc-mirror', 'unrelated'].map((n) =>
      svc(n),
    ),
    httpRoutes: [
      route('HTTPRoute', 'h', [
        {
          filters: [mirror('rule-mirror')],
          backendRefs: [{ name: 'back', filters: [mirror('backend-mirror')] }],
        },
      ]),
      // kind Service without group names a Gateway-group object: not a route of Service front
      {
        ...route('HTTPRoute', 'groupless', [{ backendRefs: [{ name: 'unrelated' }] }]),
        spec: {
          parentRefs: [{ kind: 'Service', name: 'front' }],
          rules: [{ backendRefs: [{ name: 'unrelated' }] }],
        },
      },
    ],
    grpcRoutes: [
      route('GRPCRoute', 'g', [{ filters: [mirror('grpc-mirror')], backendRefs: [{ name: 'back' }] }]),
    ],
  } as unknown as Parameters<typeof buildParentSnapshot>[0];
  const snap = buildParentSnapshot(full, { namespace: 'default', name: 'front' });
  t.deepEqual(snap.services.map((s) => s.metadata.name).sort(), [
    'back',
    'backend-mirror',
    'front',
    'grpc-mirror',
    'rule-mirror',
  ]);
  t.deepEqual(
    snap.httpRoutes.map((r) => r.metadata.name),
    ['h'],
  );
});

test('makeKubeConfig: exactly one source; GKE endpoint, CA and a refreshed bearer token', async (t) => {
  t.throws(() => makeKubeConfig({}), { message: /exactly one/ });
  t.throws(() => makeKubeConfig({ gke: { endpoint: '10.0.0.1', caData: '', token: 't' } }), {
    message: /caData/,
  });
  const ca = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString('base64');
  const fixed = makeKubeConfig({ gke: { endpoint: '10.0.0.1', caData: ca, token: 'tok-1' } });
  t.is(fixed.getCurrentCluster()?.server, 'https://10.0.0.1');
  t.is(fixed.getCurrentCluster()?.caData, ca);
  let calls = 0;
  const rotating = makeKubeConfig({
    gke: {
      endpoint: 'https://10.0.0.2',
      caData: ca,
      tokenProvider: async () => `tok-${++calls}`,
      tokenTtlMs: 1000,
    },
  });
  type Headers = { get(name: string): string | null };
  const h1 = (await rotating.applyToFetchOptions({})).headers as unknown as Headers;
  await new Promise((r) => setTimeout(r, 1050));
  const h2 = (await rotating.applyToFetchOptions({})).headers as unknown as Headers;
  t.is(h1.get('Authorization'), 'Bearer tok-1');
  t.is(h2.get('Authorization'), 'Bearer tok-2');
  t.is(rotating.getCurrentCluster()?.server, 'https://10.0.0.2');
});

test.serial('list items come without status: translation reads spec and metadata only', async (t) => {
  emu.apply(httpRoute('has-status', 'svc0'));
  const patched = await raw(
    emu,
    '/apis/gateway.networking.k8s.io/v1/namespaces/default/httproutes/has-status/status',
    {
      method: 'PATCH',
      headers: { 'content-type': 'application/merge-patch+json' },
      body: JSON.stringify({
        status: {
          parents: [{ controllerName: 'example.com/x', parentRef: { name: 'svc0' }, conditions: [] }],
        },
      }),
    },
  );
  t.is(patched.status, 200, await patched.clone().text());
  const listed = (await (await raw(emu, '/apis/gateway.networking.k8s.io/v1/httproutes')).json()) as {
    items: { metadata: { name: string }; status?: unknown }[];
  };
  t.truthy(listed.items.find((i) => i.metadata.name === 'has-status')?.status, 'the API serves a status');
  const snap = await readClusterSnapshot(kc, { pageSize: 2 });
  const route = snap.httpRoutes.find((r) => r.metadata.name === 'has-status');
  t.truthy(route?.spec.parentRefs);
  t.false(route !== undefined && 'status' in route);
  t.false(snap.services.some((s) => 'status' in s));
  emu.deleteObject('HTTPRoute', 'default', 'has-status');
});

test.serial(
  'ReferenceGrants: listed cluster-wide, not part of a parent snapshot (sync reads them); a missing CRD reads as none',
  async (t) => {
    const grant = (namespace: string, name: string) => ({
      apiVersion: 'gateway.networking.k8s.io/v1beta1',
      kind: 'ReferenceGrant',
      metadata: { name, namespace },
      spec: {
        from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'default' }],
        to: [{ group: '', kind: 'Service' }],
      },
    });
    emu.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'elsewhere' } });
    emu.apply(grant('shop', 'from-default'));
    emu.apply(grant('elsewhere', 'unrelated'));
    const cross = httpRoute('cross', 'svc2');
    emu.apply({
      ...cross,
      spec: {
        ...(cross.spec as object),
        rules: [{ backendRefs: [{ name: 'svc1', namespace: 'shop', port: 80 }] }],
      },
    });
    const snap = await readClusterSnapshot(kc);
    t.deepEqual(
      snap.referenceGrants.map((g) => `${g.kind} ${g.metadata.namespace}/${g.metadata.name}`).sort(),
      ['ReferenceGrant elsewhere/unrelated', 'ReferenceGrant shop/from-default'],
    );
    const parent = buildParentSnapshot(snap, { namespace: 'default', name: 'svc2' });
    t.is(parent.referenceGrants, undefined, 'sync reads the grants from the cluster itself');
    t.deepEqual(
      parent.services.map((s) => `${s.metadata.namespace}/${s.metadata.name}`),
      ['default/svc2', 'shop/svc1'],
    );
    // No ReferenceGrant CRD installed: the list answers 404, which means no grants (not a failure).
    emu.failListPage(1, { code: 404, resource: 'referencegrants' });
    const without = await readClusterSnapshot(kc);
    t.deepEqual(without.referenceGrants, []);
    t.true(without.services.length > 0);
    // Any other failure still rejects: never a partial snapshot.
    emu.failListPage(1, { code: 403, resource: 'referencegrants' });
    await t.throwsAsync(readClusterSnapshot(kc));
  },
);

test.serial(
  'TCPRoutes and TLSRoutes: listed at the version the cluster serves, none without their CRDs, in the parent snapshot',
  async (t) => {
    // The stand-in's kinds are one module-level list: this test sets the two kinds and restores them.
    const isStream = (d: ResourceDef) => d.plural === 'tcproutes' || d.plural === 'tlsroutes';
    const saved = RESOURCES.filter(isStream);
    const serve = (defs: ResourceDef[]) => {
      for (let i = RESOURCES.length - 1; i >= 0; i--) if (isStream(RESOURCES[i])) RESOURCES.splice(i, 1);
      RESOURCES.push(...defs);
    };
    t.teardown(() => serve(saved));
    const def = (kind: string, versions: string[]): ResourceDef => ({
      group: 'gateway.networking.k8s.io',
      versions,
      plural: `${kind.toLowerCase()}s`,
      singular: kind.toLowerCase(),
      kind,
      namespaced: true,
      hasStatus: true,
    });
    serve([]);
    const none = await readClusterSnapshot(kc);
    t.deepEqual([none.tcpRoutes, none.tlsRoutes], [[], []], 'no CRDs: none, not a failure');
    t.true(none.httpRoutes.length > 0);

    serve([def('TCPRoute', ['v1alpha2']), def('TLSRoute', ['v1', 'v1alpha3', 'v1alpha2'])]);
    const stream = (kind: string, version: string, name: string) => ({
      apiVersion: `gateway.networking.k8s.io/${version}`,
      kind,
      metadata: { name, namespace: 'default' },
      spec: {
        parentRefs: [{ group: '', kind: 'Service', name: 'svc4' }],
        rules: [{ backendRefs: [{ name: 'svc6', port: 5432 }] }],
      },
    });
    emu.apply(stream('TCPRoute', 'v1alpha2', 'db'));
    emu.apply(stream('TLSRoute', 'v1', 'secure'));
    const snap = await readClusterSnapshot(kc, { pageSize: 2 });
    t.deepEqual(
      snap.tcpRoutes.map((r) => `${r.apiVersion} ${r.kind} ${r.metadata.name}`),
      ['gateway.networking.k8s.io/v1alpha2 TCPRoute db'],
    );
    t.deepEqual(
      snap.tlsRoutes.map((r) => `${r.apiVersion} ${r.kind} ${r.metadata.name}`),
      ['gateway.networking.k8s.io/v1 TLSRoute secure'],
    );
    const parent = buildParentSnapshot(snap, { namespace: 'default', name: 'svc4' });
    t.deepEqual(
      [parent.tcpRoutes?.map((r) => r.metadata.name), parent.tlsRoutes?.map((r) => r.metadata.name)],
      [['db'], ['secure']],
    );
    t.deepEqual(
      parent.services.map((s) => s.metadata.name),
      ['svc4', 'svc6'],
    );
    // Served, but the list fails: the read rejects (never a snapshot without them).
    emu.failListPage(1, { code: 500, resource: 'tlsroutes' });
    await t.throwsAsync(readClusterSnapshot(kc));
    emu.deleteObject('TCPRoute', 'default', 'db');
    emu.deleteObject('TLSRoute', 'default', 'secure');
  },
);
