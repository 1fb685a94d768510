// The API server stand-in, exercised by the real @kubernetes/client-node over loopback.
import test from 'ava';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  ApiException,
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  Watch,
  setHeaderOptions,
} from '@kubernetes/client-node';
import type { KubeObj } from '../../infra/local/k8s/index.ts';
import { GROUP, emulatorWithClient, eventually, httpRoute, raw, readEvents, service } from './support.ts';

const ctx = await emulatorWithClient({ historyWindow: 50 });
const { emu, kc } = ctx;
const core = kc.makeApiClient(CoreV1Api);
const custom = kc.makeApiClient(CustomObjectsApi);
test.after.always(() => emu.close());

async function apiError(
  p: Promise<unknown>,
): Promise<{ code: number; body: { reason: string; message: string; code: number; kind: string } }> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ApiException) return { code: e.code, body: JSON.parse(e.body as string) };
    throw e;
  }
  throw new Error('expected an ApiException');
}

const routeApi = (namespace: string, extra: object = {}) => ({
  group: GROUP,
  version: 'v1',
  namespace,
  plural: 'httproutes',
  ...extra,
});

test.serial('CRUD with status objects client-node reports as ApiException', async (t) => {
  await core.createNamespace({ body: { metadata: { name: 'crud' } } });
  const created = await core.createNamespacedService({
    namespace: 'crud',
    body: service('a', 'crud') as never,
  });
  t.truthy(created.metadata?.uid);
  t.truthy(created.metadata?.creationTimestamp);
  t.regex(created.metadata?.resourceVersion ?? '', /^\d+$/);

  const dup = await apiError(
    core.createNamespacedService({ namespace: 'crud', body: service('a', 'crud') as never }),
  );
  t.is(dup.code, 409);
  t.is(dup.body.reason, 'AlreadyExists');
  t.is(dup.body.kind, 'Status');

  const missing = await apiError(core.readNamespacedService({ namespace: 'crud', name: 'nope' }));
  t.is(missing.code, 404);
  t.is(missing.body.reason, 'NotFound');
  t.is(missing.body.message, 'services "nope" not found');

  const noNs = await apiError(
    custom.createNamespacedCustomObject({ ...routeApi('ghost'), body: httpRoute('r', 'a', 'ghost') }),
  );
  t.is(noNs.code, 404);
  t.is(noNs.body.message, 'namespaces "ghost" not found');

  const bad = await apiError(
    custom.createNamespacedCustomObject({ ...routeApi('crud'), body: httpRoute('Bad_Name', 'a', 'crud') }),
  );
  t.is(bad.code, 422);
  t.is(bad.body.reason, 'Invalid');

  const r = (await custom.createNamespacedCustomObject({
    ...routeApi('crud'),
    body: httpRoute('r', 'a', 'crud'),
  })) as KubeObj;
  const stale = {
    ...r,
    metadata: { ...r.metadata, resourceVersion: '1' },
    spec: { hostnames: ['x.example'] },
  };
  const conflict = await apiError(
    custom.replaceNamespacedCustomObject({ ...routeApi('crud'), name: 'r', body: stale }),
  );
  t.is(conflict.code, 409);
  t.is(conflict.body.reason, 'Conflict');
  const replaced = (await custom.replaceNamespacedCustomObject({
    ...routeApi('crud'),
    name: 'r',
    body: { ...r, spec: { hostnames: ['x.example'] } },
  })) as KubeObj;
  t.deepEqual(replaced.spec, { hostnames: ['x.example'] });

  // Default content type of the generated client is JSON patch.
  const jp = (await custom.patchNamespacedCustomObject({
    ...routeApi('crud'),
    name: 'r',
    body: [{ op: 'add', path: '/metadata/labels/team', value: 'x' }],
  })) as KubeObj;
  t.is(jp.metadata.labels?.team, 'x');

  await custom.deleteNamespacedCustomObject({ ...routeApi('crud'), name: 'r' });
  t.is((await apiError(custom.getNamespacedCustomObject({ ...routeApi('crud'), name: 'r' }))).code, 404);

  const res = await raw(emu, '/api/v1/namespaces/crud/services/a', { method: 'POST', body: '{}' });
  t.is(res.status, 405);
  t.is(((await res.json()) as { reason: string }).reason, 'MethodNotAllowed');
  const wrong = await fetch(`${emu.url}/api/v1/services`, { headers: { authorization: 'Bearer wrong' } });
  t.is(wrong.status, 401);
});

test.serial('one resourceVersion counter across kinds; v1beta1 serves the same objects', async (t) => {
  const s = await core.createNamespacedService({ namespace: 'default', body: service('counter') as never });
  const r = (await custom.createNamespacedCustomObject({
    ...routeApi('default'),
    body: httpRoute('counter', 'counter'),
  })) as KubeObj;
  t.is(Number(r.metadata.resourceVersion), Number(s.metadata?.resourceVersion) + 1);
  const beta = (await custom.getNamespacedCustomObject({
    ...routeApi('default'),
    version: 'v1beta1',
    name: 'counter',
  })) as KubeObj;
  t.is(beta.apiVersion, `${GROUP}/v1beta1`);
  t.is(beta.metadata.uid, r.metadata.uid);
});

test.serial('pagination with limit/continue returns every item exactly once', async (t) => {
  await core.createNamespace({ body: { metadata: { name: 'pages' } } });
  for (let i = 0; i < 7; i++)
    await core.createNamespacedService({ namespace: 'pages', body: service(`s${i}`, 'pages') as never });
  const names: string[] = [];
  const sizes: number[] = [];
  let cont: string | undefined;
  do {
    const page = await core.listNamespacedService({ namespace: 'pages', limit: 3, _continue: cont });
    sizes.push(page.items.length);
    names.push(...page.items.map((s) => s.metadata?.name ?? ''));
    cont = page.metadata?._continue;
  } while (cont);
  t.deepEqual(sizes, [3, 3, 1]);
  t.deepEqual(names, ['s0', 's1', 's2', 's3', 's4', 's5', 's6']);
});

test.serial('label selectors: =, !=, in, notin, exists, !exists', async (t) => {
  await core.createNamespace({ body: { metadata: { name: 'sel' } } });
  const labels: Record<string, string>[] = [
    { app: 'a', tier: 'web' },
    { app: 'b', tier: 'db' },
    { app: 'c' },
  ];
  for (const [i, l] of labels.entries())
    await core.createNamespacedService({ namespace: 'sel', body: service(`x${i}`, 'sel', l) as never });
  const names = async (labelSelector: string) =>
    (await core.listNamespacedService({ namespace: 'sel', labelSelector })).items.map(
      (s) => s.metadata?.name,
    );
  t.deepEqual(await names('app=a'), ['x0']);
  t.deepEqual(await names('app==b'), ['x1']);
  t.deepEqual(await names('app!=a'), ['x1', 'x2']);
  t.deepEqual(await names('app in (a, c)'), ['x0', 'x2']);
  t.deepEqual(await names('app notin (a)'), ['x1', 'x2']);
  t.deepEqual(await names('tier'), ['x0', 'x1']);
  t.deepEqual(await names('!tier'), ['x2']);
  t.deepEqual(await names('tier,app!=b'), ['x0']);
  const bad = await apiError(core.listNamespacedService({ namespace: 'sel', labelSelector: 'a in b' }));
  t.is(bad.code, 400);
});

test.serial('generation moves on spec changes only; status is ignored on main-resource writes', async (t) => {
  const r = (await custom.createNamespacedCustomObject({
    ...routeApi('default'),
    body: { ...httpRoute('gen', 'svc'), status: { parents: [] } },
  })) as KubeObj;
  t.is(r.metadata.generation, 1);
  t.is(r.status, undefined);
  const mp = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  const labelled = (await custom.patchNamespacedCustomObject(
    { ...routeApi('default'), name: 'gen', body: { metadata: { labels: { l: '1' } } } },
    mp,
  )) as KubeObj;
  t.is(labelled.metadata.generation, 1);
  t.true(Number(labelled.metadata.resourceVersion) > Number(r.metadata.resourceVersion));
  const spec = (await custom.patchNamespacedCustomObject(
    { ...routeApi('default'), name: 'gen', body: { spec: { hostnames: ['h.example'] } } },
    mp,
  )) as KubeObj;
  t.is(spec.metadata.generation, 2);
  const parents = [{ parentRef: { name: 'svc' }, controllerName: 'x/y', conditions: [] }];
  const st = (await custom.patchNamespacedCustomObjectStatus(
    { ...routeApi('default'), name: 'gen', body: { status: { parents } } },
    mp,
  )) as KubeObj;
  t.is(st.metadata.generation, 2);
  t.deepEqual(st.status?.parents, parents);
  const main = (await custom.patchNamespacedCustomObject(
    { ...routeApi('default'), name: 'gen', body: { status: { parents: [] } } },
    mp,
  )) as KubeObj;
  t.deepEqual(main.status?.parents, parents, 'status untouched by a main-resource patch');
  const noop = (await custom.patchNamespacedCustomObject(
    { ...routeApi('default'), name: 'gen', body: { spec: { hostnames: ['h.example'] } } },
    mp,
  )) as KubeObj;
  t.is(
    noop.metadata.resourceVersion,
    st.metadata.resourceVersion,
    'a no-op write does not bump resourceVersion',
  );
});

test.serial(
  'server-side apply of status keeps another controller’s parents entry; merge patch replaces the list',
  async (t) => {
    await custom.createNamespacedCustomObject({ ...routeApi('default'), body: httpRoute('ssa', 'svc') });
    const ssa = setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply);
    const entry = (controllerName: string, reason: string) => ({
      parentRef: { group: '', kind: 'Service', name: 'svc', port: 80 },
      controllerName,
      conditions: [{ type: 'Accepted', status: 'True', reason, message: '' }],
    });
    const apply = (manager: string, parents: unknown[], force = true) =>
      custom.patchNamespacedCustomObjectStatus(
        {
          ...routeApi('default'),
          name: 'ssa',
          fieldManager: manager,
          force,
          body: {
            apiVersion: `${GROUP}/v1`,
            kind: 'HTTPRoute',
            metadata: { name: 'ssa', namespace: 'default' },
            status: { parents },
          },
        },
        ssa,
      ) as Promise<KubeObj>;
    await apply('other', [entry('other.io/ctl', 'Accepted')]);
    let obj = await apply('gamma', [entry('gamma-csm.dev/controller', 'Accepted')]);
    t.deepEqual(
      (obj.status?.parents as { controllerName: string }[]).map((p) => p.controllerName),
      ['other.io/ctl', 'gamma-csm.dev/controller'],
    );
    obj = await apply('gamma', [entry('gamma-csm.dev/controller', 'Changed')]);
    t.is((obj.status?.parents as unknown[]).length, 2);
    t.deepEqual(
      (obj.status?.parents as { conditions: { reason: string }[] }[])[1].conditions[0].reason,
      'Changed',
    );
    const stolen = await apiError(apply('gamma', [entry('other.io/ctl', 'Mine')], false));
    t.is(stolen.code, 409, 'changing an entry another manager owns without force conflicts');
    obj = await apply('gamma', []);
    t.deepEqual(obj.status?.parents, [entry('other.io/ctl', 'Accepted')], 'our entry gone, theirs kept');
    const mp = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
    obj = (await custom.patchNamespacedCustomObjectStatus(
      { ...routeApi('default'), name: 'ssa', body: { status: { parents: [entry('x', 'X')] } } },
      mp,
    )) as KubeObj;
    t.deepEqual(obj.status?.parents, [entry('x', 'X')]);
    const yamlBody = await raw(
      emu,
      `/apis/${GROUP}/v1/namespaces/default/httproutes/ssa/status?fieldManager=y`,
      {
        method: 'PATCH',
        headers: { 'content-type': 'application/apply-patch+yaml' },
        body: 'apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: ssa}\nstatus:\n  parents:\n  - parentRef: {name: g}\n    controllerName: y\n    conditions: []\n',
      },
    );
    t.is(yamlBody.status, 200);
    t.is((((await yamlBody.json()) as KubeObj).status?.parents as unknown[]).length, 2);
  },
);

test.serial('watch: ADDED/MODIFIED/DELETED through client-node, namespaced and label-filtered', async (t) => {
  await core.createNamespace({ body: { metadata: { name: 'w' } } });
  const start = (await core.listNamespacedService({ namespace: 'w' })).metadata?.resourceVersion;
  const seen: string[] = [];
  const w = new Watch(kc);
  const req = await w.watch(
    '/api/v1/namespaces/w/services',
    { resourceVersion: start, labelSelector: 'watch=yes' },
    (type, obj) => seen.push(`${type} ${obj.metadata.name}`),
    () => {},
  );
  await core.createNamespacedService({ namespace: 'w', body: service('in', 'w', { watch: 'yes' }) as never });
  await core.createNamespacedService({ namespace: 'w', body: service('out', 'w', { watch: 'no' }) as never });
  await core.createNamespacedService({
    namespace: 'default',
    body: service('elsewhere', 'default', { watch: 'yes' }) as never,
  });
  const mp = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  await core.patchNamespacedService(
    { namespace: 'w', name: 'in', body: { spec: { ports: [{ port: 81 }] } } },
    mp,
  );
  await core.patchNamespacedService(
    { namespace: 'w', name: 'out', body: { metadata: { labels: { watch: 'yes' } } } },
    mp,
  );
  await core.patchNamespacedService(
    { namespace: 'w', name: 'in', body: { metadata: { labels: { watch: 'no' } } } },
    mp,
  );
  await core.deleteNamespacedService({ namespace: 'w', name: 'out' });
  await eventually(() => seen.length >= 5, 3000, 'watch events');
  req.abort();
  t.deepEqual(seen, ['ADDED in', 'MODIFIED in', 'ADDED out', 'DELETED in', 'DELETED out']);
});

test.serial(
  'watch without resourceVersion sends current state as ADDED; BOOKMARK on request and periodically',
  async (t) => {
    const res = await raw(
      emu,
      `/apis/${GROUP}/v1/namespaces/default/httproutes?watch=true&allowWatchBookmarks=true&fieldSelector=metadata.name=counter`,
    );
    await eventually(() => emu.openWatchCount() > 0);
    emu.sendBookmarks();
    const events = await readEvents(res, 2);
    t.deepEqual(
      events.map((e) => e.type),
      ['ADDED', 'BOOKMARK'],
    );
    t.is(events[1].object.metadata.resourceVersion, String(emu.store.resourceVersion));
    t.is(events[1].object.kind, 'HTTPRoute');

    const fast = await emulatorWithClient({ bookmarkIntervalMs: 50 });
    const res2 = await raw(
      fast.emu,
      '/api/v1/services?watch=true&allowWatchBookmarks=true&resourceVersion=1&timeoutSeconds=1',
    );
    const periodic = await readEvents(res2, 2);
    t.deepEqual(
      periodic.map((e) => e.type),
      ['BOOKMARK', 'BOOKMARK'],
    );
    const plain = await raw(fast.emu, '/api/v1/services?watch=true&resourceVersion=1&timeoutSeconds=1');
    const started = Date.now();
    t.deepEqual(
      await readEvents(plain, 1, 3000),
      [],
      'no bookmarks unless asked; the stream ends at timeoutSeconds',
    );
    t.true(Date.now() - started >= 900);
    await fast.emu.close();
  },
);

test.serial(
  '410 Expired: as an ERROR event and as an HTTP status, also when the history window rolls over',
  async (t) => {
    const small = await emulatorWithClient({ historyWindow: 3 });
    for (let i = 0; i < 5; i++) small.emu.apply(service(`h${i}`) as KubeObj);
    const ev = await readEvents(await raw(small.emu, '/api/v1/services?watch=true&resourceVersion=2'), 1);
    t.is(ev[0].type, 'ERROR');
    t.is(ev[0].object.code, 410);
    t.is((ev[0].object as unknown as { reason: string }).reason, 'Expired');
    const recent = await raw(
      small.emu,
      `/api/v1/services?watch=true&resourceVersion=${small.emu.store.resourceVersion - 2}&timeoutSeconds=1`,
    );
    t.is((await readEvents(recent, 2)).length, 2, 'inside the window the history replays');

    small.emu.expireAs = 'status';
    const status = await raw(small.emu, '/api/v1/services?watch=true&resourceVersion=2');
    t.is(status.status, 410);
    let doneErr: { statusCode?: number } | undefined;
    await new Watch(small.kc).watch(
      '/api/v1/services',
      { resourceVersion: '2' },
      () => {},
      (e) => (doneErr = e as { statusCode?: number }),
    );
    await eventually(() => doneErr !== undefined);
    t.is(doneErr?.statusCode, 410);

    small.emu.expireAs = 'event';
    const rv = small.emu.store.resourceVersion;
    small.emu.compact();
    const after = await readEvents(
      await raw(small.emu, `/api/v1/services?watch=true&resourceVersion=${rv - 1}`),
      1,
    );
    t.is(after[0].object.code, 410, 'compact() expires everything older');
    await small.emu.close();
  },
);

test.serial('tables for kubectl, discovery documents and state persistence', async (t) => {
  const table = (await (
    await raw(emu, `/apis/${GROUP}/v1/httproutes`, {
      headers: { accept: 'application/json;as=Table;g=meta.k8s.io;v=v1' },
    })
  ).json()) as {
    kind: string;
    columnDefinitions: { name: string }[];
    rows: { cells: unknown[] }[];
  };
  t.is(table.kind, 'Table');
  t.deepEqual(
    table.columnDefinitions.map((c) => c.name),
    ['Name', 'Hostnames', 'Age'],
  );
  t.true(table.rows.some((r) => r.cells[0] === 'gen' && r.cells[1] === 'h.example'));
  const groups = (await (await raw(emu, '/apis')).json()) as {
    groups: { name: string; versions: { version: string }[] }[];
  };
  t.deepEqual(
    groups.groups[0].versions.map((v) => v.version),
    ['v1', 'v1beta1', 'v1alpha3', 'v1alpha2'],
  );
  const res = (await (await raw(emu, `/apis/${GROUP}/v1beta1`)).json()) as { resources: { name: string }[] };
  t.deepEqual(
    res.resources.map((r) => r.name),
    ['httproutes', 'httproutes/status', 'referencegrants'],
  );

  const statePath = path.join(mkdtempSync(path.join(os.tmpdir(), 'k8s-state-')), 'state.json');
  const first = await emulatorWithClient({ statePath });
  first.emu.apply(service('kept') as KubeObj);
  const rv = first.emu.store.resourceVersion;
  await first.emu.close();
  const second = await emulatorWithClient({ statePath });
  t.truthy(second.emu.getObject('Service', 'default', 'kept'));
  t.true(second.emu.store.resourceVersion >= rv);
  await second.emu.close();
});
