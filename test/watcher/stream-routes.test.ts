// TCPRoute and TLSRoute in the running watcher: watched at the version the cluster serves (and not
// at all, said once in the log and in /healthz, when the cluster has no CRD for them); their changes
// and their backends' changes publish their parents' snapshots, which carry them.
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { startPubsubEmulator } from '../../infra/local/pubsub/emulator.ts';
import type { PubsubEmulator } from '../../infra/local/pubsub/emulator.ts';
import type { KubeObj } from '../../infra/local/k8s/index.ts';
import { GATEWAY_GROUP, RESOURCES } from '../../infra/local/k8s/resources.ts';
import type { ResourceDef } from '../../infra/local/k8s/resources.ts';
import type { RouteEvent } from '../../shared/events/index.ts';
import { FakeClock } from './fake-clock.ts';
import { eventually, healthz, names, rig, route, service } from './harness.ts';

let pubsub: PubsubEmulator;
test.before(async () => {
  pubsub = await startPubsubEmulator({ port: 0 });
});
test.after.always(() => pubsub.close());

const streamDef = (kind: 'TCPRoute' | 'TLSRoute', versions: string[]): ResourceDef => ({
  group: GATEWAY_GROUP,
  versions,
  plural: `${kind.toLowerCase()}s`,
  singular: kind.toLowerCase(),
  kind,
  namespaced: true,
  hasStatus: true,
});

/**
 * The stand-in serves exactly `defs` of the two kinds for this test (its kinds are one module-level
 * list, hence the serial tests), as a cluster with those CRDs installed would.
 */
function serveStreamKinds(t: ExecutionContext, defs: ResourceDef[]): (defs: ResourceDef[]) => void {
  const isStream = (d: ResourceDef) => d.plural === 'tcproutes' || d.plural === 'tlsroutes';
  const saved = RESOURCES.filter(isStream);
  const set = (list: ResourceDef[]) => {
    for (let i = RESOURCES.length - 1; i >= 0; i--) if (isStream(RESOURCES[i])) RESOURCES.splice(i, 1);
    RESOURCES.push(...list);
  };
  set(defs);
  t.teardown(() => set(saved));
  return set;
}

function stream(
  kind: 'TCPRoute' | 'TLSRoute',
  version: string,
  name: string,
  parent: string,
  backend: string,
): KubeObj {
  return {
    apiVersion: `${GATEWAY_GROUP}/${version}`,
    kind,
    metadata: { name, namespace: 'default' },
    spec: {
      parentRefs: [{ group: '', kind: 'Service', name: parent }],
      rules: [{ backendRefs: [{ name: backend, port: 5432 }] }],
    },
  };
}

test.serial(
  'served kinds: watched at the served version; route and backend changes publish their parents',
  async (t) => {
    // An older experimental release: TCPRoute only as v1alpha2; TLSRoute as v1 (and its alphas).
    serveStreamKinds(t, [
      streamDef('TCPRoute', ['v1alpha2']),
      streamDef('TLSRoute', ['v1', 'v1alpha3', 'v1alpha2']),
    ]);
    const r = await rig(t, pubsub, {
      seed: [
        service('db', 'default', [5432]),
        service('secure', 'default', [443]),
        service('pool', 'default', [5432]),
        stream('TCPRoute', 'v1alpha2', 't', 'db', 'pool'),
        stream('TLSRoute', 'v1', 's', 'secure', 'pool'),
      ],
      settings: { resyncOnStart: true },
    });
    // Watched (not only listed) at the version served: v1 first, v1alpha2 for TCPRoute here.
    const watched = (version: string, plural: string) =>
      r.emu.requests.some(
        (q) => q.path === `/apis/gateway.networking.k8s.io/${version}/${plural}` && q.query.watch === 'true',
      );
    await eventually(
      () => [watched('v1alpha2', 'tcproutes'), watched('v1', 'tlsroutes')],
      (w) => w.every(Boolean),
      10_000,
      'both kinds watched',
    );
    t.false(watched('v1', 'tcproutes'));
    t.false(watched('v1alpha3', 'tlsroutes'));
    t.deepEqual((await healthz(r.watcher.healthPort)).notWatched, []);

    const db = await r.waitFor('default/db', (e) => e.reason.includes('resync'));
    t.deepEqual(names(db.snapshot.tcpRoutes), ['t']);
    t.deepEqual(names(db.snapshot.services), ['db', 'pool']);
    const secure = await r.waitFor('default/secure', (e) => e.reason.includes('resync'));
    t.deepEqual(names(secure.snapshot.tlsRoutes), ['s']);

    // A backend both routes send to changes its ports: both parents, each with its own route.
    r.emu.apply(service('pool', 'default', [5433]));
    const backendChanged = (e: RouteEvent) => e.reason.includes('backend Service default/pool modified');
    const db2 = await r.waitFor('default/db', backendChanged);
    const secure2 = await r.waitFor('default/secure', backendChanged);
    t.deepEqual(db2.snapshot.services.find((s) => s.metadata.name === 'pool')?.spec?.ports?.[0]?.port, 5433);
    t.deepEqual(names(secure2.snapshot.tlsRoutes), ['s']);

    // The TCPRoute goes: its parent's next snapshot has none.
    r.emu.deleteObject('TCPRoute', 'default', 't');
    const gone = await r.waitFor('default/db', (e) => e.reason.includes('TCPRoute default/t deleted'));
    t.deepEqual(gone.snapshot.tcpRoutes, []);
  },
);

test.serial(
  'no CRDs: the two kinds are not watched, said once in the log and in /healthz; the rest works',
  async (t) => {
    serveStreamKinds(t, []);
    const r = await rig(t, pubsub, { seed: [service('p'), route('h', 'p')] });
    const health = await healthz(r.watcher.healthPort);
    t.is(health.status, 'ok');
    t.deepEqual(health.notWatched, ['TCPRoute', 'TLSRoute']);
    // Each kind was looked for at every version it may be served at, once, before the watcher was ready.
    const asked = (plural: string) => r.emu.requests.filter((q) => q.path.endsWith(`/${plural}`)).length;
    t.deepEqual([asked('tcproutes'), asked('tlsroutes')], [2, 3]);

    r.emu.apply(route('h', 'p', ['p', 'p']));
    await r.waitFor('default/p', (e) => e.reason.includes('HTTPRoute default/h modified'));
    const said = (kind: string) => r.logs.filter((l) => l.includes(`no ${kind} CRD in the cluster`)).length;
    t.deepEqual([said('TCPRoute'), said('TLSRoute')], [1, 1]);
    t.deepEqual([asked('tcproutes'), asked('tlsroutes')], [2, 3], 'never asked again');
  },
);

test.serial(
  'a kind the API refuses to list is retried, not taken as absent; /healthz counts it as failing',
  async (t) => {
    serveStreamKinds(t, [streamDef('TCPRoute', ['v1']), streamDef('TLSRoute', ['v1'])]);
    const clock = new FakeClock();
    const r = await rig(t, pubsub, {
      seed: [service('db', 'default', [5432]), stream('TCPRoute', 'v1', 't', 'db', 'db')],
      // RBAC without tcproutes: the first list is refused; the retry waits 5-10 s on the watcher's clock.
      beforeStart: (emu) => emu.failListPage(1, { code: 403, resource: 'tcproutes' }),
      settings: { unhealthyAfterMs: 400, informerBackoff: { initialMs: 10_000, maxMs: 10_000 } },
      clock,
      waitReady: false,
    });
    await eventually(
      () => r.logs.filter((l) => l.includes('cannot tell whether the cluster serves tcproutes')).length,
      (n) => n === 1,
      10_000,
      'the refused list logged',
    );
    t.false(r.watcher.stats().synced, 'not ready while a kind is unknown');
    clock.advance(401);
    const failing = await healthz(r.watcher.healthPort);
    t.is(failing.status, 'unavailable');
    t.deepEqual(failing.failingInformers, ['tcproutes']);
    clock.advance(10_000); // the retry, now answered
    await r.watcher.ready;
    const healthy = await healthz(r.watcher.healthPort);
    t.is(healthy.status, 'ok');
    t.deepEqual(healthy.notWatched, []);
    await r.change(() => r.emu.apply(stream('TCPRoute', 'v1', 't', 'db', 'pool')));
    await r.settle();
    t.deepEqual(names(r.forParent('default/db').at(-1)?.snapshot.tcpRoutes), ['t']);
  },
);

test.serial(
  'a CRD installed while the watcher runs is found at the next look; its routes reach their parents',
  async (t) => {
    const install = serveStreamKinds(t, []);
    const clock = new FakeClock();
    const r = await rig(t, pubsub, {
      seed: [service('db', 'default', [5432])],
      settings: { crdRecheckIntervalMs: 60_000 },
      clock,
    });
    t.deepEqual((await healthz(r.watcher.healthPort)).notWatched, ['TCPRoute', 'TLSRoute']);
    install([streamDef('TCPRoute', ['v1', 'v1alpha2'])]);
    r.emu.apply(stream('TCPRoute', 'v1', 't', 'db', 'db'));
    clock.advance(59_999);
    t.false(
      r.logs.some((l) => l.includes('TCPRoute CRD found')),
      'not looked for before the interval',
    );
    // The look at 60 s finds the CRD; the new informer's list brings the route in as an addition.
    await r.change(() => clock.advance(1));
    t.true(r.logs.some((l) => l.includes('TCPRoute CRD found (v1)')));
    await r.settle();
    const e = r.forParent('default/db').at(-1);
    t.deepEqual(e?.reason, ['TCPRoute default/t added']);
    t.deepEqual(names(e?.snapshot.tcpRoutes), ['t']);
    t.deepEqual((await healthz(r.watcher.healthPort)).notWatched, ['TLSRoute']);
  },
);
