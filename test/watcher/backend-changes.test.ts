// The fields of a backend Service the backend-services stage reads (docs/backends.md: the NEG
// annotations, ports and appProtocol, gamma-csm.dev/* overrides) republish every parent routing or
// mirroring to it: first on the fake clock through affectedParents + the per-parent coalescer, then
// end to end through the real watcher, the k8s stand-in and the Pub/Sub emulator. Plus the bounded
// per-parent memory of the running watcher.
import test from 'ava';
import { affectedParents } from '../../watcher/affected.ts';
import type { Change } from '../../watcher/affected.ts';
import { Coalescer } from '../../watcher/coalescer.ts';
import { ParentMemory } from '../../watcher/parent-memory.ts';
import { refKey } from '../../shared/gamma/refs.ts';
import type { KubeObj } from '../../infra/local/k8s/index.ts';
import { startPubsubEmulator } from '../../infra/local/pubsub/emulator.ts';
import type { PubsubEmulator } from '../../infra/local/pubsub/emulator.ts';
import type { Service } from '../../shared/gamma/types.ts';
import { FakeClock } from './fake-clock.ts';
import { http, svc } from './fixtures.ts';
import { eventually, rig, route, service } from './harness.ts';

const NEG = 'cloud.google.com/neg';
const NEG_STATUS = 'cloud.google.com/neg-status';
const status = (zones: string[]) =>
  JSON.stringify({ network_endpoint_groups: { '80': 'k8s1-abcd1234-default-be-80-0123abcd' }, zones });

function withAnnotations(base: Service, annotations: Record<string, string>): Service {
  return {
    ...base,
    metadata: { ...base.metadata, annotations: { ...base.metadata.annotations, ...annotations } },
  };
}

/** affectedParents feeding a per-parent coalescer on the fake clock, as the watcher wires them. */
function pipeline(
  routes = [
    http('r', { parents: ['a'], backends: ['be'] }),
    http('m', { parents: ['m1'], backends: ['z'], mirror: 'be' }),
    http('other', { parents: ['q'], backends: ['z'] }),
  ],
) {
  const clock = new FakeClock();
  const fired: Array<{ key: string; at: number; reasons: string[] }> = [];
  const known = new ParentMemory({ now: clock.now, forgetAfterMs: 600_000 });
  const coalescer = new Coalescer<string[]>({
    debounceMs: 100,
    maxWaitMs: 1000,
    merge: (a, b) => [...new Set([...a, ...b])],
    fire: (key, reasons) => fired.push({ key, at: clock.t, reasons }),
    timers: clock,
  });
  const change = (c: Change) => {
    for (const a of affectedParents(c, { services: [], routes, knownParents: known })) {
      known.see(refKey(a.parent));
      coalescer.touch(refKey(a.parent), a.reasons);
    }
  };
  return { clock, fired, change };
}

test('a burst of NEG controller writes on a backend republishes each parent once, after the debounce', (t) => {
  const { clock, fired, change } = pipeline();
  const v0 = svc('be');
  const v1 = withAnnotations(v0, { [NEG]: '{"exposed_ports":{"80":{}}}' });
  const v2 = withAnnotations(v1, { [NEG_STATUS]: status(['us-central1-a']) });
  const v3 = withAnnotations(v2, { [NEG_STATUS]: status(['us-central1-a', 'us-central1-b']) });
  change({ type: 'update', old: v0, new: v1 });
  clock.advance(40);
  change({ type: 'update', old: v1, new: v2 });
  clock.advance(40);
  change({ type: 'update', old: v2, new: v3 });
  clock.advance(99);
  t.deepEqual(fired, [], 'still inside the debounce window');
  clock.advance(1);
  t.deepEqual(
    fired.map((f) => [f.key, f.at]),
    [
      ['default/a', 180],
      ['default/m1', 180],
    ],
  );
  t.deepEqual(fired[0].reasons, ['backend Service default/be modified']);
});

test('appProtocol and gamma-csm.dev overrides republish; labels and load-balancer status do not', (t) => {
  const { clock, fired, change } = pipeline();
  const base = svc('be');
  const h2c: Service = {
    ...base,
    spec: { ports: [{ name: 'p80', port: 80, appProtocol: 'kubernetes.io/h2c' }] },
  };
  change({ type: 'update', old: base, new: { ...base, metadata: { ...base.metadata, labels: { a: 'b' } } } });
  change({
    type: 'update',
    old: base,
    new: { ...base, status: { loadBalancer: { ingress: [{ ip: '10.1.2.3' }] } } } as Service,
  });
  clock.advance(1000);
  t.deepEqual(fired, [], 'unrelated changes publish nothing');
  change({ type: 'update', old: base, new: h2c });
  clock.advance(100);
  change({
    type: 'update',
    old: h2c,
    new: withAnnotations(h2c, { 'gamma-csm.dev/health-check.80': 'grpc' }),
  });
  clock.advance(100);
  t.deepEqual(
    fired.map((f) => `${f.key}@${f.at}`),
    ['default/a@1100', 'default/m1@1100', 'default/a@1200', 'default/m1@1200'],
  );
});

// ---- end to end ----

let pubsub: PubsubEmulator;
test.before(async () => {
  pubsub = await startPubsubEmulator({ port: 0 });
});
test.after.always(() => pubsub.close());

const annotated = (name: string, annotations: Record<string, string>, appProtocol?: string): KubeObj => ({
  ...service(name),
  metadata: { name, namespace: 'default', annotations },
  spec: { ports: [{ name: 'p80', port: 80, ...(appProtocol ? { appProtocol } : {}) }] },
});
const backendOf = (e: { snapshot: { services: Service[] } }) =>
  e.snapshot.services.find((s) => s.metadata.name === 'be');

test('the running watcher republishes the parent when the NEG controller writes neg-status, and on appProtocol', async (t) => {
  const exposed = { [NEG]: '{"exposed_ports":{"80":{}}}' };
  const clock = new FakeClock();
  const r = await rig(t, pubsub, {
    seed: [service('p'), annotated('be', exposed), route('r', 'p', ['be'])],
    clock,
  });
  const lastFor = () => r.forParent('default/p').at(-1);
  await r.change(() => r.emu.apply(annotated('be', { ...exposed, [NEG_STATUS]: status(['us-central1-a']) })));
  await r.settle();
  t.is(r.forParent('default/p').length, 1, 'one event for the NEG status write');
  const e1 = lastFor();
  t.deepEqual(JSON.parse(backendOf(e1!)?.metadata.annotations?.[NEG_STATUS] ?? '{}').zones, [
    'us-central1-a',
  ]);
  t.deepEqual(e1?.reason, ['backend Service default/be modified']);
  await r.change(() =>
    r.emu.apply(
      annotated('be', { ...exposed, [NEG_STATUS]: status(['us-central1-a']) }, 'kubernetes.io/h2c'),
    ),
  );
  await r.settle();
  t.is(r.forParent('default/p').length, 2, 'one event for the appProtocol change');
  t.is(backendOf(lastFor()!)?.spec.ports?.[0].appProtocol, 'kubernetes.io/h2c');
  // A label-only change publishes nothing: taken in, ignored, no window opened, nothing sent.
  const ignored = r.watcher.stats().ignored;
  await r.change(() =>
    r.emu.apply({
      ...annotated('be', { ...exposed, [NEG_STATUS]: status(['us-central1-a']) }, 'kubernetes.io/h2c'),
      metadata: {
        name: 'be',
        namespace: 'default',
        labels: { x: 'y' },
        annotations: { ...exposed, [NEG_STATUS]: status(['us-central1-a']) },
      },
    }),
  );
  t.is(r.watcher.stats().ignored, ignored + 1);
  await r.settle();
  t.is(r.forParent('default/p').length, 2);
});

test('the running watcher forgets parents whose routes are gone, and keeps the ones still routed', async (t) => {
  const parents = ['p0', 'p1', 'p2', 'p3', 'keep'];
  const r = await rig(t, pubsub, {
    seed: parents.map((p) => service(p)),
    settings: { forgetParentsAfterMs: 300, parentSweepIntervalMs: 50 },
  });
  for (const p of parents) r.emu.apply(route(`r-${p}`, p));
  for (const p of parents) await r.waitFor(`default/${p}`, (e) => e.snapshot.httpRoutes.length === 1);
  t.is(r.watcher.stats().rememberedParents, parents.length);
  t.is(r.watcher.stats().rememberedCounts, parents.length);
  for (const p of parents.slice(0, 4)) r.emu.deleteObject('HTTPRoute', 'default', `r-${p}`);
  for (const p of parents.slice(0, 4))
    await r.waitFor(`default/${p}`, (e) => e.snapshot.httpRoutes.length === 0);
  const s = await eventually(
    () => r.watcher.stats(),
    (x) => x.rememberedParents === 1 && x.rememberedCounts === 1,
    5000,
    'forgotten parents',
  );
  t.is(s.rememberedParents, 1, 'only the parent a route still names');
  // The kept parent still counts on from where it was; a forgotten one that comes back starts again.
  r.emu.apply(route('r-keep', 'keep', ['keep', 'p0']));
  const kept = await r.waitFor('default/keep', (e) => e.snapshot.services.length === 2);
  t.is(kept.origin?.count, 2);
  r.emu.apply(route('r-p1', 'p1'));
  const back = await r.waitFor(
    'default/p1',
    (e) => e.snapshot.httpRoutes.length === 1 && e.origin?.count === 1,
  );
  t.is(back.origin?.count, 1);
});
