// Routes by kind against the stand-in through client-node: TCPRoute and TLSRoute listed and read at
// the version the cluster serves (falling back to the older ones), a cluster without their CRD
// read as "no such routes" (not a failure), and route status written on the new kinds.
import test from 'ava';
import { CustomObjectsApi } from '@kubernetes/client-node';
import {
  ROUTE_RESOURCES,
  listRoutes,
  makeKubeConfig,
  notServedMessage,
  readRoute,
  writeRouteStatuses,
} from '../../shared/cluster/index.ts';
import type { RouteParentStatus } from '../../shared/gamma/types.ts';
import type { KubeObj } from '../../infra/local/k8s/index.ts';
import { ApiError, pathNotFound } from '../../infra/local/k8s/errors.ts';
import { GROUP, emulatorWithClient } from '../k8s/support.ts';

const CONTROLLER = 'gamma-csm.dev/controller';
const { emu } = await emulatorWithClient();
const kc = makeKubeConfig({ kubeconfigPath: emu.kubeconfigPath });
const custom = kc.makeApiClient(CustomObjectsApi);
test.after.always(() => emu.close());

function route(kind: 'TCPRoute' | 'TLSRoute', name: string, namespace = 'default'): KubeObj {
  return {
    apiVersion: `${GROUP}/v1alpha2`,
    kind,
    metadata: { name, namespace },
    spec: {
      parentRefs: [{ group: '', kind: 'Service', name: 'db', port: 5432 }],
      ...(kind === 'TLSRoute' ? { hostnames: ['db.example.com'] } : {}),
      rules: [{ backendRefs: [{ name: 'db-v1', port: 5432 }] }],
    },
  };
}

/** The cluster refuses every path matching `re` as the real one does for a resource it does not serve. */
function notServing(re: RegExp): () => void {
  emu.onRequest = (entry) => {
    if (re.test(entry.path)) throw pathNotFound();
  };
  return () => (emu.onRequest = undefined);
}

emu.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other' } });
for (const name of ['a', 'b', 'c']) emu.apply(route('TCPRoute', name));
emu.apply(route('TCPRoute', 'd', 'other'));
const tls = emu.apply(route('TLSRoute', 'sni'));
emu.apply({ ...tls, status: { parents: [] } });

test.serial('listRoutes: every page, at v1, with apiVersion and kind, without status', async (t) => {
  const tcp = await listRoutes(custom, 'TCPRoute', { limit: 1 });
  t.false(tcp.notServed);
  t.is(tcp.version, 'v1');
  t.deepEqual(
    tcp.items.map((r) => `${r.metadata.namespace}/${r.metadata.name}`),
    ['default/a', 'default/b', 'default/c', 'other/d'],
  );
  t.true(tcp.items.every((r) => r.apiVersion === `${GROUP}/v1` && r.kind === 'TCPRoute'));
  t.truthy(tcp.resourceVersion);
  const tlsList = await listRoutes(custom, 'TLSRoute');
  t.is(tlsList.items.length, 1);
  t.is(tlsList.items[0].status, undefined);
  t.deepEqual((tlsList.items[0].spec as { hostnames: string[] }).hostnames, ['db.example.com']);
});

test.serial('a cluster serving only the older versions is read at them, status included', async (t) => {
  const restore = notServing(new RegExp(`^/apis/${GROUP}/v1/(namespaces/[^/]+/)?(tcp|tls)routes`));
  t.teardown(restore);
  const tcp = await listRoutes(custom, 'TCPRoute');
  t.is(tcp.version, 'v1alpha2');
  t.is(tcp.items.length, 4);
  t.is(tcp.items[0].apiVersion, `${GROUP}/v1alpha2`);
  t.is((await listRoutes(custom, 'TLSRoute')).version, 'v1alpha3');
  const read = await readRoute(custom, 'TCPRoute', 'default', 'a');
  t.like(read, { found: true, version: 'v1alpha2' });

  const before = emu.requests.length;
  const res = await writeRouteStatuses(
    kc,
    [
      {
        kind: 'TCPRoute',
        namespace: 'default',
        name: 'a',
        parents: [
          {
            parentRef: { group: '', kind: 'Service', name: 'db', port: 5432 },
            controllerName: CONTROLLER,
            conditions: [{ type: 'Accepted', status: 'True', reason: 'Accepted', message: '' }],
          },
        ],
      },
    ],
    { controllerName: CONTROLLER },
  );
  t.deepEqual(res, { written: 1, skipped: 0, failed: [] });
  const patch = emu.requests.slice(before).find((r) => r.method === 'PATCH');
  t.is(patch?.path, `/apis/${GROUP}/v1alpha2/namespaces/default/tcproutes/a/status`);
  const parents = (emu.getObject('TCPRoute', 'default', 'a') as KubeObj).status
    ?.parents as RouteParentStatus[];
  t.is(parents[0].controllerName, CONTROLLER);
  t.is(parents[0].conditions[0].observedGeneration, 1);
});

test.serial('a cluster without the CRDs has no such routes: not a failure', async (t) => {
  const restore = notServing(/\/(tcp|tls)routes/);
  t.teardown(restore);
  for (const kind of ['TCPRoute', 'TLSRoute'] as const) {
    const listed = await listRoutes(custom, kind);
    t.deepEqual(listed, { items: [], resourceVersion: '', notServed: true }, kind);
    t.deepEqual(await readRoute(custom, kind, 'default', 'a'), { found: false, notServed: true });
  }
  const res = await writeRouteStatuses(
    kc,
    [{ kind: 'TLSRoute', namespace: 'default', name: 'sni', parents: [] }],
    { controllerName: CONTROLLER },
  );
  t.deepEqual(res, { written: 0, skipped: 1, failed: [] });
  t.regex(
    notServedMessage('TCPRoute'),
    /tcproutes\.gateway\.networking\.k8s\.io \(v1, v1alpha2\).*TCPRoute CRD is not installed/,
  );
});

test.serial('a missing route is not a missing CRD; other failures throw', async (t) => {
  t.deepEqual(await readRoute(custom, 'TCPRoute', 'default', 'nope'), { found: false, notServed: false });
  t.deepEqual(await readRoute(custom, 'TCPRoute', 'no-such-ns', 'a'), { found: false, notServed: false });
  const sni = await readRoute(custom, 'TLSRoute', 'default', 'sni', { apiVersion: `${GROUP}/v1alpha3` });
  t.like(sni, { found: true, version: 'v1alpha3' }, 'the version an object was seen at is tried first');

  emu.onRequest = (entry) => {
    if (entry.path.includes('/tcproutes')) throw new ApiError(500, 'InternalError', 'boom');
  };
  t.teardown(() => (emu.onRequest = undefined));
  await t.throwsAsync(listRoutes(custom, 'TCPRoute'), { message: /500/ });
  await t.throwsAsync(readRoute(custom, 'TCPRoute', 'default', 'a'), { message: /500/ });
  emu.failListPage(2, { resource: 'tcproutes', code: 404 });
  emu.onRequest = undefined;
  await t.throwsAsync(
    listRoutes(custom, 'TCPRoute', { limit: 1 }),
    undefined,
    'a later page lost is a failure',
  );
});

test('every route kind has a resource', (t) => {
  t.deepEqual(Object.keys(ROUTE_RESOURCES).sort(), ['GRPCRoute', 'HTTPRoute', 'TCPRoute', 'TLSRoute']);
});
