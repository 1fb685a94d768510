// TCPRoute and TLSRoute on the API server stand-in, through the real @kubernetes/client-node over
// loopback: the versions Gateway API v1.6's experimental CRDs serve, the status subresource, watch,
// tables, discovery and strict field validation; and the cluster IPs Services get (TCPRoute
// translation matches on them).
import test from 'ava';
import {
  ApiException,
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  Watch,
  setHeaderOptions,
} from '@kubernetes/client-node';
import type { KubeObj } from '../../infra/local/k8s/index.ts';
import { compareVersions } from '../../infra/local/k8s/resources.ts';
import { GROUP, emulatorWithClient, eventually, raw, service } from './support.ts';

const { emu, kc } = await emulatorWithClient();
const core = kc.makeApiClient(CoreV1Api);
const custom = kc.makeApiClient(CustomObjectsApi);
test.after.always(() => emu.close());

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

function tcpRoute(name: string, version = 'v1alpha2'): KubeObj {
  return {
    apiVersion: `${GROUP}/${version}`,
    kind: 'TCPRoute',
    metadata: { name, namespace: 'default' },
    spec: {
      parentRefs: [{ group: '', kind: 'Service', name: 'db', port: 5432 }],
      rules: [
        {
          backendRefs: [
            { name: 'db-primary', port: 5432, weight: 90 },
            { name: 'db-canary', port: 5432, weight: 10 },
          ],
        },
      ],
    },
  };
}

function tlsRoute(name: string, version = 'v1alpha2'): KubeObj {
  return {
    apiVersion: `${GROUP}/${version}`,
    kind: 'TLSRoute',
    metadata: { name, namespace: 'default' },
    spec: {
      parentRefs: [{ group: '', kind: 'Service', name: 'edge', port: 443 }],
      hostnames: ['shop.example.com'],
      rules: [{ backendRefs: [{ name: 'shop', port: 443 }] }],
    },
  };
}

async function codeOf(p: Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ApiException)
      return { code: e.code, message: (JSON.parse(e.body as string) as { message: string }).message };
    throw e;
  }
  throw new Error('expected an ApiException');
}

test.serial('TCPRoute: v1alpha2 and v1 serve the same object; status only through /status', async (t) => {
  const ref = { group: GROUP, namespace: 'default', plural: 'tcproutes' };
  const created = (await custom.createNamespacedCustomObject({
    ...ref,
    version: 'v1alpha2',
    body: { ...tcpRoute('pg'), status: { parents: [] } },
  })) as KubeObj;
  t.is(created.apiVersion, `${GROUP}/v1alpha2`);
  t.is(created.status, undefined, 'status is ignored on create');
  const asV1 = (await custom.getNamespacedCustomObject({ ...ref, version: 'v1', name: 'pg' })) as KubeObj;
  t.is(asV1.apiVersion, `${GROUP}/v1`);
  t.deepEqual(asV1.spec, created.spec);

  const parents = [
    {
      parentRef: { group: '', kind: 'Service', name: 'db', port: 5432 },
      controllerName: 'example.com/x',
      conditions: [{ type: 'Accepted', status: 'True', reason: 'Accepted', message: '' }],
    },
  ];
  const patched = (await custom.patchNamespacedCustomObjectStatus(
    { ...ref, version: 'v1', name: 'pg', body: { status: { parents } } },
    merge,
  )) as KubeObj;
  t.deepEqual(patched.status, { parents });
  t.is(patched.metadata.generation, 1, 'a status write is no spec change');
  const status = (await custom.getNamespacedCustomObjectStatus({
    ...ref,
    version: 'v1alpha2',
    name: 'pg',
  })) as KubeObj;
  t.deepEqual(status.status, { parents });

  await custom.deleteNamespacedCustomObject({ ...ref, version: 'v1', name: 'pg' });
  t.is(emu.getObject('TCPRoute', 'default', 'pg'), undefined);
  const gone = await codeOf(custom.getNamespacedCustomObject({ ...ref, version: 'v1', name: 'pg' }));
  t.is(gone.code, 404);
  t.regex(gone.message, /tcproutes\.gateway\.networking\.k8s\.io "pg" not found/);
});

test.serial('TLSRoute: v1alpha2, v1alpha3 and v1 served; other versions are not', async (t) => {
  const ref = { group: GROUP, namespace: 'default', plural: 'tlsroutes' };
  await custom.createNamespacedCustomObject({
    ...ref,
    version: 'v1alpha3',
    body: tlsRoute('shop', 'v1alpha3'),
  });
  for (const version of ['v1', 'v1alpha2', 'v1alpha3']) {
    const got = (await custom.getNamespacedCustomObject({ ...ref, version, name: 'shop' })) as KubeObj;
    t.is(got.apiVersion, `${GROUP}/${version}`);
    t.deepEqual((got.spec as { hostnames: string[] }).hostnames, ['shop.example.com']);
  }
  const beta = await codeOf(custom.getNamespacedCustomObject({ ...ref, version: 'v1beta1', name: 'shop' }));
  t.is(beta.code, 404);
  t.is(beta.message, 'the server could not find the requested resource');
  const tcpBeta = await codeOf(
    custom.listClusterCustomObject({ group: GROUP, version: 'v1alpha3', plural: 'tcproutes' }),
  );
  t.is(tcpBeta.code, 404, 'TCPRoute has no v1alpha3');
  await custom.deleteNamespacedCustomObject({ ...ref, version: 'v1', name: 'shop' });
});

test.serial('watch streams TCPRoute and TLSRoute changes through client-node', async (t) => {
  const seen: string[] = [];
  const w = new Watch(kc);
  const start = (await custom.listClusterCustomObject({ group: GROUP, version: 'v1', plural: 'tcproutes' }))
    .metadata?.resourceVersion;
  const reqs = await Promise.all(
    ['tcproutes', 'tlsroutes'].map((plural) =>
      w.watch(
        `/apis/${GROUP}/v1/${plural}`,
        { resourceVersion: start },
        (type, obj: KubeObj) => seen.push(`${type} ${obj.kind} ${obj.metadata.name} ${obj.apiVersion}`),
        () => {},
      ),
    ),
  );
  const ref = { group: GROUP, namespace: 'default', version: 'v1alpha2' };
  await custom.createNamespacedCustomObject({ ...ref, plural: 'tcproutes', body: tcpRoute('w1') });
  await custom.patchNamespacedCustomObject(
    {
      ...ref,
      plural: 'tcproutes',
      name: 'w1',
      body: { spec: { rules: [{ backendRefs: [{ name: 'x', port: 1 }] }] } },
    },
    merge,
  );
  await custom.createNamespacedCustomObject({ ...ref, plural: 'tlsroutes', body: tlsRoute('w2') });
  await custom.deleteNamespacedCustomObject({ ...ref, plural: 'tcproutes', name: 'w1' });
  await eventually(() => seen.length >= 4, 3000, 'watch events');
  reqs.forEach((r) => r.abort());
  t.deepEqual(seen.sort(), [
    `ADDED TCPRoute w1 ${GROUP}/v1`,
    `ADDED TLSRoute w2 ${GROUP}/v1`,
    `DELETED TCPRoute w1 ${GROUP}/v1`,
    `MODIFIED TCPRoute w1 ${GROUP}/v1`,
  ]);
  await custom.deleteNamespacedCustomObject({ ...ref, plural: 'tlsroutes', name: 'w2' });
});

test.serial('discovery, tables and OpenAPI: the kinds as the v1.6 CRDs describe them', async (t) => {
  const group = (await (await raw(emu, `/apis/${GROUP}`)).json()) as {
    versions: { version: string }[];
    preferredVersion: { version: string };
  };
  t.deepEqual(
    group.versions.map((v) => v.version),
    ['v1', 'v1beta1', 'v1alpha3', 'v1alpha2'],
  );
  t.is(group.preferredVersion.version, 'v1');
  const list = async (v: string) =>
    (
      (await (await raw(emu, `/apis/${GROUP}/${v}`)).json()) as { resources: { name: string }[] }
    ).resources.map((r) => r.name);
  t.deepEqual(await list('v1alpha2'), [
    'tcproutes',
    'tcproutes/status',
    'tlsroutes',
    'tlsroutes/status',
    'udproutes',
    'udproutes/status',
  ]);
  t.deepEqual(await list('v1alpha3'), ['tlsroutes', 'tlsroutes/status']);
  t.true((await list('v1')).includes('tcproutes/status'));

  await custom.createNamespacedCustomObject({
    group: GROUP,
    version: 'v1',
    namespace: 'default',
    plural: 'tlsroutes',
    body: tlsRoute('tbl', 'v1'),
  });
  const table = (await (
    await raw(emu, `/apis/${GROUP}/v1/tlsroutes`, {
      headers: { accept: 'application/json;as=Table;g=meta.k8s.io;v=v1' },
    })
  ).json()) as { columnDefinitions: { name: string }[]; rows: { cells: unknown[] }[] };
  t.deepEqual(
    table.columnDefinitions.map((c) => c.name),
    ['Name', 'Age'],
    'the CRDs print Age only',
  );
  t.is(table.rows[0].cells[0], 'tbl');

  const doc = (await (await raw(emu, `/openapi/v3/apis/${GROUP}/v1alpha2`)).json()) as {
    paths: Record<string, unknown>;
    components: { schemas: Record<string, unknown> };
  };
  t.truthy(doc.paths[`/apis/${GROUP}/v1alpha2/namespaces/{namespace}/tcproutes/{name}`]);
  t.truthy(doc.components.schemas['io.k8s.networking.gateway.v1alpha2.TLSRoute']);
});

test.serial('strict field validation: a TCPRoute has no matches, a TCPRoute has no hostnames', async (t) => {
  const create = (plural: string, body: KubeObj) =>
    codeOf(
      custom.createNamespacedCustomObject({
        group: GROUP,
        version: 'v1alpha2',
        namespace: 'default',
        plural,
        body,
        fieldValidation: 'Strict',
      }),
    );
  const matches = tcpRoute('bad1');
  (matches.spec as { rules: Record<string, unknown>[] }).rules[0].matches = [];
  const m = await create('tcproutes', matches);
  t.is(m.code, 400);
  t.regex(m.message, /unknown field "spec\.rules\[0\]\.matches"/);
  const hostnames = tcpRoute('bad2');
  (hostnames.spec as Record<string, unknown>).hostnames = ['a.example'];
  t.regex((await create('tcproutes', hostnames)).message, /unknown field "spec\.hostnames"/);
  const filters = tlsRoute('bad3');
  (filters.spec as { rules: { backendRefs: Record<string, unknown>[] }[] }).rules[0].backendRefs[0].filters =
    [];
  t.regex(
    (await create('tlsroutes', filters)).message,
    /unknown field "spec\.rules\[0\]\.backendRefs\[0\]\.filters"/,
  );
  t.is(emu.getObject('TCPRoute', 'default', 'bad1'), undefined);
});

test.serial('Services get a cluster IP as from a real API server, kept across writes', async (t) => {
  await core.createNamespacedService({ namespace: 'default', body: service('a') as never });
  await core.createNamespacedService({ namespace: 'default', body: service('b') as never });
  const a = await core.readNamespacedService({ namespace: 'default', name: 'a' });
  const b = await core.readNamespacedService({ namespace: 'default', name: 'b' });
  t.regex(a.spec?.clusterIP ?? '', /^10\.(9[6-9]|10\d|11[01])\.\d+\.\d+$/);
  t.deepEqual(a.spec?.clusterIPs, [a.spec?.clusterIP]);
  t.not(a.spec?.clusterIP, b.spec?.clusterIP);

  // A replace without the address keeps it (it is immutable).
  const { clusterIP: _ip, clusterIPs: _ips, ...spec } = a.spec ?? {};
  const replaced = await core.replaceNamespacedService({
    namespace: 'default',
    name: 'a',
    body: { ...a, spec: { ...spec, ports: [{ port: 81 }] } },
  });
  t.is(replaced.spec?.clusterIP, a.spec?.clusterIP);

  const given = await core.createNamespacedService({
    namespace: 'default',
    body: { metadata: { name: 'given' }, spec: { clusterIP: '10.0.0.12', ports: [{ port: 5432 }] } },
  });
  t.deepEqual(given.spec?.clusterIPs, ['10.0.0.12']);
  const headless = await core.createNamespacedService({
    namespace: 'default',
    body: { metadata: { name: 'headless' }, spec: { clusterIP: 'None', ports: [{ port: 80 }] } },
  });
  t.is(headless.spec?.clusterIP, 'None');
  const external = await core.createNamespacedService({
    namespace: 'default',
    body: { metadata: { name: 'ext' }, spec: { type: 'ExternalName', externalName: 'db.example.com' } },
  });
  t.is(external.spec?.clusterIP, undefined);
});

test('version priority: GA, beta, alpha; higher numbers first', (t) => {
  t.deepEqual(['v1alpha2', 'v1beta1', 'v1alpha3', 'v2', 'v1'].sort(compareVersions), [
    'v2',
    'v1',
    'v1beta1',
    'v1alpha3',
    'v1alpha2',
  ]);
});
