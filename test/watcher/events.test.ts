// The watcher against the k8s stand-in and our Pub/Sub emulator, observed through a subscription:
// which parents get a snapshot, and what the snapshot holds, for each kind of cluster change.
import test from 'ava';
import { startPubsubEmulator } from '../../infra/local/pubsub/emulator.ts';
import type { PubsubEmulator } from '../../infra/local/pubsub/emulator.ts';
import { ROUTE_EVENT_SCHEMA, compareSequences } from '../../shared/events/index.ts';
import type { RouteEvent } from '../../shared/events/index.ts';
import type { KubeObj } from '../../infra/local/k8s/index.ts';
import { FakeClock } from './fake-clock.ts';
import { CLUSTER, eventually, rig, route, routeNames, service, serviceNames } from './harness.ts';

let pubsub: PubsubEmulator;
test.before(async () => {
  pubsub = await startPubsubEmulator({ port: 0 });
});
test.after.always(() => pubsub.close());

const hasRoute = (name: string) => (e: RouteEvent) => routeNames(e).includes(name);

test('route created, updated, deleted -> one full snapshot each, ordered by parent key, rising sequence', async (t) => {
  const r = await rig(t, pubsub, { seed: [service('svc'), service('v2')] });
  r.emu.apply(route('r', 'svc', ['svc']));
  const created = await r.waitFor('default/svc', hasRoute('default/r'), 'created');
  t.is(created.schema, ROUTE_EVENT_SCHEMA);
  t.is(created.cluster, CLUSTER);
  t.deepEqual(serviceNames(created), ['default/svc']);
  t.deepEqual(created.snapshot.serviceNamespacesByName, { svc: ['default'] });
  t.deepEqual(created.reason, ['HTTPRoute default/r added']);
  t.is(r.received[0].orderingKey, `${CLUSTER}/default/svc`);
  t.is(r.received[0].attributes.parent, 'default/svc');

  r.emu.apply(route('r', 'svc', ['svc', 'v2']));
  const updated = await r.waitFor('default/svc', (e) => serviceNames(e).includes('default/v2'), 'updated');
  t.deepEqual(serviceNames(updated), ['default/svc', 'default/v2']);
  const rule = (updated.snapshot.httpRoutes[0].spec as { rules: { backendRefs: unknown[] }[] }).rules[0];
  t.is(rule.backendRefs.length, 2);

  r.emu.deleteObject('HTTPRoute', 'default', 'r');
  const deleted = await r.waitFor('default/svc', (e) => e.snapshot.httpRoutes.length === 0, 'deleted');
  t.deepEqual(serviceNames(deleted), ['default/svc']);
  const seqs = r.forParent('default/svc').map((e) => e.sequence);
  t.is(seqs.length, 3, 'one message per change');
  t.true(compareSequences(seqs[0], seqs[1]) < 0 && compareSequences(seqs[1], seqs[2]) < 0, seqs.join(' < '));
  // Objects arrive stripped of server bookkeeping.
  t.is(created.snapshot.services[0].metadata.managedFields, undefined);
});

test('parentRef moved from a to b -> both parents, the old one without the route', async (t) => {
  const r = await rig(t, pubsub, { seed: [service('a'), service('b'), route('r', 'a')] });
  r.emu.apply(route('r', 'b', ['a']));
  const toB = await r.waitFor('default/b', hasRoute('default/r'), 'b gets the route');
  const leftA = await r.waitFor('default/a', (e) => e.snapshot.httpRoutes.length === 0, 'a loses the route');
  t.deepEqual(serviceNames(toB), ['default/a', 'default/b']);
  t.deepEqual(serviceNames(leftA), ['default/a']);
});

test('backend Service created, then deleted -> the parent gets it, then loses it', async (t) => {
  const r = await rig(t, pubsub, { seed: [service('p'), route('r', 'p', ['be'])] });
  r.emu.apply(service('be', 'default', [8080]));
  const withBackend = await r.waitFor('default/p', (e) => serviceNames(e).includes('default/be'));
  t.deepEqual(serviceNames(withBackend), ['default/be', 'default/p']);
  t.is(withBackend.previousPorts, undefined, 'a backend change carries no parent ports');
  r.emu.deleteObject('Service', 'default', 'be');
  const without = await r.waitFor(
    'default/p',
    (e) => r.forParent('default/p').length >= 2 && !serviceNames(e).includes('default/be'),
  );
  t.deepEqual(serviceNames(without), ['default/p']);
  t.deepEqual(routeNames(without), ['default/r']);
});

test('parent Service ports changed, then deleted -> snapshots carry the previous ports', async (t) => {
  const r = await rig(t, pubsub, { seed: [service('p', 'default', [80, 81]), route('r', 'p', ['p'])] });
  r.emu.apply(service('p', 'default', [80]));
  const shrunk = await r.waitFor('default/p', (e) => e.previousPorts !== undefined, 'ports change');
  t.deepEqual(shrunk.previousPorts, [80, 81]);
  t.deepEqual(
    (shrunk.snapshot.services[0].spec.ports ?? []).map((p) => p.port),
    [80],
  );
  r.emu.deleteObject('Service', 'default', 'p');
  const gone = await r.waitFor('default/p', (e) => e.snapshot.services.length === 0, 'parent deleted');
  t.deepEqual(gone.previousPorts, [80]);
  t.deepEqual(routeNames(gone), ['default/r'], 'routes still listed so the sync can reject them');
  t.deepEqual(gone.snapshot.serviceNamespacesByName, { p: [] });
});

test('a second Service with the same short name in another namespace -> the first parent gets a new snapshot', async (t) => {
  const r = await rig(t, pubsub, { seed: [service('api'), route('r', 'api')] });
  r.emu.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-b' } });
  r.emu.apply(service('api', 'team-b'));
  const e = await r.waitFor('default/api', () => true, 'short-name event');
  t.deepEqual(e.snapshot.serviceNamespacesByName, { api: ['default', 'team-b'] });
  t.deepEqual(serviceNames(e), ['default/api'], "the other namespace's Service is a fact, not a backend");
  t.regex(e.reason.join(), /short name "api": Service team-b\/api added/);
  await r.settle();
  t.deepEqual(r.forParent('team-b/api'), [], 'no routes name team-b/api');
});

test('unrelated changes publish nothing', async (t) => {
  const clock = new FakeClock();
  const r = await rig(t, pubsub, { seed: [service('p'), route('r', 'p')], clock });
  await r.change(() => {
    r.emu.apply(service('unrelated'));
    r.emu.apply(route('gw-route', 'x', [], { labels: {} }));
    const gwRoute = r.emu.getObject('HTTPRoute', 'default', 'gw-route') as KubeObj;
    r.emu.apply({ ...gwRoute, spec: { parentRefs: [{ name: 'some-gateway' }] } });
    // A status-only write (what the sync function does) must not echo back as an event.
    const existing = r.emu.getObject('HTTPRoute', 'default', 'r') as KubeObj;
    r.emu.apply({ ...existing, status: { parents: [] } });
  }, 4);
  t.is(r.watcher.stats().ignored, 2, 'the unrelated Service and the status write were ignored');
  await r.settle();
  // Service x is named (then dropped) as a parent by gw-route: that, and only that, is published,
  // once (both changes fell in one window), with the final state.
  t.deepEqual(
    r.received.map((m) => `${m.event.parent.namespace}/${m.event.parent.name}`),
    ['default/x'],
  );
  t.deepEqual(r.forParent('default/x')[0].snapshot.httpRoutes, []);
});

test('100 updates to one route, one every 15 ms -> one message at the maximum wait, one after the debounce', async (t) => {
  // The spec's defaults: 100 ms debounce, 1 s maximum wait.
  const clock = new FakeClock();
  const r = await rig(t, pubsub, {
    seed: [service('p'), route('r', 'p')],
    settings: { debounceMs: 100, maxWaitMs: 1000 },
    clock,
  });
  for (let i = 1; i <= 100; i++) {
    await r.change(() => r.emu.apply(route('r', 'p', ['p'], { labels: { v: String(i) } })));
    clock.advance(15);
  }
  // Update i is taken in at (i - 1) * 15 ms. The first window opened at 0 closes at its maximum wait
  // (1000 ms, after update 67); the second opened at 1005 ms closes 100 ms after update 100.
  await r.settle();
  const all = r.forParent('default/p');
  t.deepEqual(
    all.map((e) => e.snapshot.httpRoutes[0]?.metadata.labels?.v),
    ['67', '100'],
  );
  t.deepEqual(
    all.map((e) => e.emittedAt),
    [new Date(1000).toISOString(), new Date(1585).toISOString()],
  );
  t.is(r.watcher.stats().published, 2, 'every message received once');
});

test('resync on start publishes every parent named by a route; off publishes none', async (t) => {
  const seed = [service('a'), service('b'), route('ra', 'a'), route('rb', 'b', ['b'], { kind: 'GRPCRoute' })];
  const on = await rig(t, pubsub, { seed, settings: { resyncOnStart: true } });
  await eventually(
    () => on.received.length,
    (n) => n >= 2,
    3000,
    'resync',
  );
  t.deepEqual(on.received.map((m) => `${m.event.parent.name}:${m.event.reason.join()}`).sort(), [
    'a:resync',
    'b:resync',
  ]);
  t.deepEqual(routeNames(on.forParent('default/b')[0]), ['default/rb']);
  const off = await rig(t, pubsub, { seed, settings: { resyncOnStart: false }, clock: new FakeClock() });
  await off.settle();
  t.is(off.received.length, 0);
  t.is(off.watcher.stats().flushes, 0, 'no window was opened');
});

test('an oversized snapshot is logged naming the parent and not published', async (t) => {
  const r = await rig(t, pubsub, { seed: [service('big')] });
  const blob = 'x'.repeat(900 * 1024);
  for (let i = 0; i < 5; i++) {
    const o = route(`r${i}`, 'big');
    r.emu.apply({ ...o, metadata: { ...o.metadata, annotations: { blob } } });
  }
  await eventually(
    () => r.watcher.stats().oversized,
    (n) => n >= 1,
    5000,
    'oversized',
  );
  const line = r.logs.map((l) => JSON.parse(l) as Record<string, string>).find((l) => l.severity === 'ERROR');
  t.is(line?.parent, `${CLUSTER}/default/big`);
  t.regex(line?.message ?? '', /too large/);
  // The smaller snapshots before the limit was crossed may have gone out; none after.
  await r.settle();
  const published = r.forParent('default/big');
  t.true(published.every((e) => e.snapshot.httpRoutes.length < 5));
});
