// UDPRoute in the running watcher: watched when the cluster serves it (and not at all, said once in
// the log and in /healthz, when the cluster has no CRD for it), so its rejection reaches sync in
// seconds. A UDPRoute change publishes each Service parent it names, before and after, and the
// parent's snapshot holds it; its backends are not followed. The TCP/TLS equivalents:
// stream-routes.test.ts.
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { startPubsubEmulator } from '../../infra/local/pubsub/emulator.ts';
import type { PubsubEmulator } from '../../infra/local/pubsub/emulator.ts';
import type { KubeObj } from '../../infra/local/k8s/index.ts';
import { GATEWAY_GROUP, RESOURCES } from '../../infra/local/k8s/resources.ts';
import type { ResourceDef } from '../../infra/local/k8s/resources.ts';
import { FakeClock } from './fake-clock.ts';
import { eventually, healthz, names, rig, route, service } from './harness.ts';

let pubsub: PubsubEmulator;
test.before(async () => {
  pubsub = await startPubsubEmulator({ port: 0 });
});
test.after.always(() => pubsub.close());

/**
 * Takes the UDPRoute CRD out of the stand-in for this test (its kinds are one module-level list,
 * hence the serial tests); the returned function installs it again, as a cluster admin would.
 */
function withoutUdpCrd(t: ExecutionContext): () => void {
  const isUdp = (d: ResourceDef) => d.plural === 'udproutes';
  const saved = RESOURCES.filter(isUdp);
  const install = () => {
    for (let i = RESOURCES.length - 1; i >= 0; i--) if (isUdp(RESOURCES[i])) RESOURCES.splice(i, 1);
    RESOURCES.push(...saved);
  };
  for (let i = RESOURCES.length - 1; i >= 0; i--) if (isUdp(RESOURCES[i])) RESOURCES.splice(i, 1);
  t.teardown(install);
  return install;
}

function udpRoute(name: string, parents: string[], backend: string): KubeObj {
  return {
    apiVersion: `${GATEWAY_GROUP}/v1alpha2`,
    kind: 'UDPRoute',
    metadata: { name, namespace: 'default' },
    spec: {
      parentRefs: parents.map((parent) => ({ group: '', kind: 'Service', name: parent })),
      rules: [{ backendRefs: [{ name: backend, port: 53 }] }],
    },
  };
}

test.serial(
  'served: a UDPRoute publishes each Service parent it names, before and after; backends are not followed',
  async (t) => {
    const clock = new FakeClock();
    const r = await rig(t, pubsub, {
      seed: [service('dns', 'default', [53]), service('other', 'default', [53]), service('resolver')],
      clock,
    });
    await eventually(
      () =>
        r.emu.requests.some(
          (q) => q.path === `/apis/${GATEWAY_GROUP}/v1alpha2/udproutes` && q.query.watch === 'true',
        ),
      Boolean,
      10_000,
      'UDPRoutes watched at v1alpha2, the version served',
    );
    t.deepEqual((await healthz(r.watcher.healthPort)).notWatched, []);

    await r.change(() => r.emu.apply(udpRoute('u', ['dns'], 'resolver')));
    await r.settle();
    const [added] = r.forParent('default/dns');
    t.deepEqual(added.reason, ['UDPRoute default/u added']);
    t.deepEqual(names(added.snapshot.udpRoutes), ['u']);
    t.deepEqual(names(added.snapshot.services), ['dns'], 'the parent, not the UDPRoute’s backend');
    t.deepEqual(r.forParent('default/resolver'), [], 'a UDPRoute backend is no parent');

    // Its backend changes: nothing to publish (no snapshot holds it).
    const published = r.received.length;
    await r.change(() => r.emu.apply(service('resolver', 'default', [5353])));
    await r.settle();
    t.is(r.received.length, published);

    // It moves to another parent: the old one's snapshot no longer holds it, the new one's does.
    await r.change(() => r.emu.apply(udpRoute('u', ['other'], 'resolver')));
    await r.settle();
    const left = r.forParent('default/dns').at(-1);
    const reached = r.forParent('default/other').at(-1);
    t.deepEqual(
      [left?.reason, reached?.reason],
      [['UDPRoute default/u modified'], ['UDPRoute default/u modified']],
    );
    t.deepEqual([names(left?.snapshot.udpRoutes), names(reached?.snapshot.udpRoutes)], [[], ['u']]);

    // Its parent Service changes: the parent is published like any route parent.
    await r.change(() => r.emu.apply(service('other', 'default', [53, 54])));
    await r.settle();
    t.like(r.forParent('default/other').at(-1), { previousPorts: [53] });

    await r.change(() => r.emu.deleteObject('UDPRoute', 'default', 'u'));
    await r.settle();
    const gone = r.forParent('default/other').at(-1);
    t.deepEqual(gone?.reason, ['UDPRoute default/u deleted']);
    t.deepEqual(gone?.snapshot.udpRoutes, []);
  },
);

test.serial('the start-up resync publishes the parents UDPRoutes name', async (t) => {
  const clock = new FakeClock();
  const r = await rig(t, pubsub, {
    seed: [service('dns', 'default', [53]), udpRoute('u', ['dns'], 'dns')],
    settings: { resyncOnStart: true },
    clock,
  });
  await r.settle();
  const [e] = r.forParent('default/dns');
  t.deepEqual(e?.reason, ['resync']);
  t.deepEqual(names(e?.snapshot.udpRoutes), ['u']);
});

test.serial(
  'no UDPRoute CRD: not watched, said once in the log and in /healthz; the rest works',
  async (t) => {
    withoutUdpCrd(t);
    const clock = new FakeClock();
    const r = await rig(t, pubsub, { seed: [service('p'), route('h', 'p')], clock });
    const health = await healthz(r.watcher.healthPort);
    t.is(health.status, 'ok');
    t.deepEqual(health.notWatched, ['UDPRoute']);
    await r.change(() => r.emu.apply(route('h', 'p', ['p', 'p'])));
    await r.settle();
    const e = r.forParent('default/p').at(-1);
    t.deepEqual(e?.reason, ['HTTPRoute default/h modified']);
    t.deepEqual(e?.snapshot.udpRoutes, []);
    t.is(r.logs.filter((l) => l.includes('no UDPRoute CRD in the cluster')).length, 1);
  },
);

test.serial('a UDPRoute CRD installed while the watcher runs is found at the next look', async (t) => {
  const install = withoutUdpCrd(t);
  const clock = new FakeClock();
  const r = await rig(t, pubsub, {
    seed: [service('dns', 'default', [53])],
    settings: { crdRecheckIntervalMs: 60_000 },
    clock,
  });
  t.deepEqual((await healthz(r.watcher.healthPort)).notWatched, ['UDPRoute']);
  install();
  r.emu.apply(udpRoute('u', ['dns'], 'dns'));
  // The look at 60 s finds the CRD; the new informer's list brings the route in as an addition.
  await r.change(() => clock.advance(60_000));
  t.true(r.logs.some((l) => l.includes('UDPRoute CRD found (v1alpha2)')));
  await r.settle();
  const e = r.forParent('default/dns').at(-1);
  t.deepEqual(e?.reason, ['UDPRoute default/u added']);
  t.deepEqual(names(e?.snapshot.udpRoutes), ['u']);
  t.deepEqual((await healthz(r.watcher.healthPort)).notWatched, []);
});
