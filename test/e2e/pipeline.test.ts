// End to end on loopback: k8s stand-in -> watcher -> Pub/Sub emulator (push, binary CloudEvents)
// -> sync function (functions-framework server) -> Network Services emulator, plus reconcile.
import test from 'ava';
import type { Message } from '@google-cloud/pubsub';
import { startPipeline } from '../../infra/local/pipeline.ts';
import type { Pipeline } from '../../infra/local/pipeline.ts';
import { accepted, httpRoute, namespace, prefixesOf, routeFor, service, waitFor } from './support.ts';

let p: Pipeline;

test.before(async () => {
  p = await startPipeline();
  p.k8s.apply(namespace('shop'));
});
test.after.always(async () => {
  await p?.close();
});

const writes = () => p.netsvc.stats().writes;

test.serial(
  'a route created in the cluster reaches Network Services and its status says Accepted',
  async (t) => {
    p.k8s.apply(service('cart', 'shop'));
    p.k8s.apply(httpRoute('cart-route', 'shop', 'cart', ['/v1']));
    const route = await waitFor(
      () => routeFor(p, 'shop', 'cart'),
      (r) => r !== undefined,
      'HttpRoute for shop/cart',
    );
    t.deepEqual(prefixesOf(route), ['/v1', '/v1/']);
    t.true((route?.hostnames as string[]).includes('cart.shop.svc.cluster.local'));
    t.is(
      (p.netsvc.resources('meshes') as { name: string }[])[0]?.name,
      `projects/${p.project}/locations/global/meshes/${p.mesh}`,
    );
    t.is(
      await waitFor(
        () => accepted(p, 'shop', 'cart-route'),
        (s) => s !== undefined,
        'status',
      ),
      'True',
    );
  },
);

test.serial('an update is patched in place and a delete removes the route', async (t) => {
  p.k8s.apply(service('pay', 'shop'));
  p.k8s.apply(httpRoute('pay-route', 'shop', 'pay', ['/a']));
  const first = await waitFor(
    () => routeFor(p, 'shop', 'pay'),
    (r) => r !== undefined,
    'pay route',
  );
  const patchesBefore = p.netsvc.stats().byMethod.PATCH ?? 0;
  p.k8s.apply(httpRoute('pay-route', 'shop', 'pay', ['/a', '/b']));
  const updated = await waitFor(
    () => routeFor(p, 'shop', 'pay'),
    (r) => prefixesOf(r).includes('/b'),
    'pay route with /b',
  );
  t.is(updated?.name, first?.name, 'same resource, patched');
  t.true((p.netsvc.stats().byMethod.PATCH ?? 0) > patchesBefore);
  p.k8s.deleteObject('HTTPRoute', 'shop', 'pay-route');
  await waitFor(
    () => routeFor(p, 'shop', 'pay'),
    (r) => r === undefined,
    'pay route deleted',
  );
  t.truthy(routeFor(p, 'shop', 'cart'), 'the other parent is untouched');
});

test.serial(
  'duplicated and reordered deliveries still end in the newest state, with no writes',
  async (t) => {
    const [tap] = await p.pubsubClient.topic(p.topics.routeEvents).createSubscription('tap');
    const captured: Message[] = [];
    tap.on('message', (m: Message) => (captured.push(m), m.ack()));
    p.k8s.apply(service('box', 'shop'));
    const paths: string[][] = [['/one'], ['/one', '/two'], ['/three'], ['/four', '/five']];
    for (const ps of paths) {
      p.k8s.apply(httpRoute('box-route', 'shop', 'box', ps));
      await waitFor(
        () => prefixesOf(routeFor(p, 'shop', 'box')),
        (x) => x.includes(ps[ps.length - 1]),
        ps.join(),
      );
    }
    await p.idle();
    await waitFor(
      () => captured.length,
      (n) => n >= paths.length,
      'captured events',
    );
    await tap.close();
    const final = routeFor(p, 'shop', 'box');
    const before = writes();
    const seenBefore = p.syncResults.length;
    p.pubsub.setFaults({ duplicateRate: 0.5, reorder: true });
    // Oldest last, every event twice, without ordering keys: the emulator may also shuffle and duplicate.
    const replay = [...captured].reverse().flatMap((m) => [m, m]);
    const topic = p.pubsubClient.topic(p.topics.routeEvents);
    await Promise.all(replay.map((m) => topic.publishMessage({ data: m.data, attributes: m.attributes })));
    await waitFor(
      () => p.syncResults.length - seenBefore,
      (n) => n >= replay.length,
      'replayed deliveries',
    );
    await p.idle();
    p.pubsub.setFaults({ duplicateRate: 0, reorder: false });
    t.deepEqual(routeFor(p, 'shop', 'box'), final, 'the newest state stays applied');
    t.is(writes(), before, 'no write from stale or duplicate deliveries');
    const skipped = p.syncResults
      .slice(seenBefore)
      .filter((r) => r.acked === 'processed' && r.outcome.result === 'skipped').length;
    t.true(skipped >= replay.length - 2, `stale deliveries were skipped (${skipped})`);
  },
);

test.serial(
  'a lost event and direct edits in Network Services are repaired by one reconcile run',
  async (t) => {
    p.k8s.apply(service('lost', 'shop'));
    p.k8s.apply(service('edited', 'shop'));
    p.k8s.apply(service('gone', 'shop'));
    p.k8s.apply(httpRoute('lost-route', 'shop', 'lost', ['/old']));
    p.k8s.apply(httpRoute('edited-route', 'shop', 'edited', ['/e']));
    p.k8s.apply(httpRoute('gone-route', 'shop', 'gone', ['/g']));
    for (const svc of ['lost', 'edited', 'gone'])
      await waitFor(
        () => routeFor(p, 'shop', svc),
        (r) => r !== undefined,
        `${svc} route`,
      );
    await p.idle();

    const acked = p.pubsub.subscriptionStats(p.subscriptions.sync).acked;
    p.dropDeliveries(() => true);
    p.k8s.apply(httpRoute('lost-route', 'shop', 'lost', ['/new']));
    await waitFor(
      () => p.pubsub.subscriptionStats(p.subscriptions.sync).acked,
      (n) => n > acked,
      'the lost delivery',
    );
    p.dropDeliveries(undefined);
    await p.idle();
    t.deepEqual(prefixesOf(routeFor(p, 'shop', 'lost')), ['/old', '/old/'], 'the change was lost');

    const edited = routeFor(p, 'shop', 'edited') as Record<string, unknown>;
    p.netsvc.putRaw('httpRoutes', edited.name as string, { ...edited, rules: [] });
    const gone = routeFor(p, 'shop', 'gone') as Record<string, unknown>;
    p.netsvc.deleteRaw('httpRoutes', gone.name as string);

    const summary = await p.runReconcile();
    t.truthy(summary);
    t.true(summary?.drift);
    t.is(summary?.created, 1);
    t.is(summary?.updated, 2, 'the lost change and the edited route');
    t.is(summary?.deleted, 0);
    t.is(summary?.failed, 0);
    t.deepEqual(prefixesOf(routeFor(p, 'shop', 'lost')), ['/new', '/new/']);
    t.deepEqual(prefixesOf(routeFor(p, 'shop', 'edited')), ['/e', '/e/']);
    t.deepEqual(prefixesOf(routeFor(p, 'shop', 'gone')), ['/g', '/g/']);
    const summaries = p.logs.filter((l) => l.includes('"reconcile: '));
    t.is(summaries.length, 1, 'one summary line per run');

    const before = writes();
    const again = await p.runReconcile();
    t.false(again?.drift, 'steady state: nothing to repair');
    t.is(writes(), before, 'steady state: zero writes');
  },
);

test.serial('latency from a route change to its Network Services write (20 changes)', async (t) => {
  p.k8s.apply(service('fast', 'shop'));
  p.k8s.apply(httpRoute('fast-route', 'shop', 'fast', ['/p0']));
  const name = (
    await waitFor(
      () => routeFor(p, 'shop', 'fast'),
      (r) => r !== undefined,
      'fast route',
    )
  )?.name as string;
  const path = `/v1/${name}`;
  const samples: number[] = [];
  for (let i = 1; i <= 20; i++) {
    const t0 = Date.now();
    p.k8s.apply(httpRoute('fast-route', 'shop', 'fast', [`/p${i}`]));
    await waitFor(
      () => prefixesOf(routeFor(p, 'shop', 'fast')),
      (x) => x[0] === `/p${i}`,
      `change ${i}`,
    );
    const write = p.netsvc
      .requestLog()
      .find((e) => e.t >= t0 && e.method === 'PATCH' && e.path.startsWith(path));
    t.truthy(write, `change ${i} was written by a PATCH`);
    samples.push((write?.t ?? Date.now()) - t0);
  }
  samples.sort((a, b) => a - b);
  const median = (samples[9] + samples[10]) / 2;
  // How long the sync function itself took per delivery (its log line's `ms`), for the breakdown.
  const syncMs = p.logs
    .map(
      (l) =>
        JSON.parse(l) as {
          message?: string;
          ms?: number;
          'logging.googleapis.com/labels'?: { parent?: string };
        },
    )
    .filter(
      (l) =>
        l.message?.startsWith('synced:') &&
        l['logging.googleapis.com/labels']?.parent?.endsWith('/shop/fast'),
    )
    .map((l) => l.ms ?? 0)
    .sort((a, b) => a - b);
  t.log(
    `route change -> NS write over 20 changes (watcher debounce 20 ms): median ${median.toFixed(1)} ms, worst ${samples[19].toFixed(1)} ms, best ${samples[0].toFixed(1)} ms; sync handler median ${syncMs[Math.floor(syncMs.length / 2)]} ms over ${syncMs.length} deliveries`,
  );
  t.true(samples[19] < 5000);
});

test.serial(
  'malformed messages are acknowledged with no write, and logged with their message id',
  async (t) => {
    await p.idle();
    const before = writes();
    const stats = p.pubsub.subscriptionStats(p.subscriptions.sync);
    const seen = p.syncResults.length;
    const topic = p.pubsubClient.topic(p.topics.routeEvents);
    const bodies = [
      Buffer.from('{not json'),
      Buffer.from(JSON.stringify({ schema: 'gamma-csm.dev/route-event/v9', cluster: p.clusterId })),
      Buffer.from(JSON.stringify({ schema: 'something-else' })),
      Buffer.alloc(5 * 1024 * 1024, 0x61), // oversized: over the 4 MiB event limit, under Pub/Sub's 10 MB
    ];
    const ids = await Promise.all(bodies.map((data) => topic.publishMessage({ data })));
    // Bad base64 cannot travel through a Pub/Sub client: push it the way Eventarc would.
    const direct = await fetch(p.sync.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'ce-id': 'bad-base64-1',
        'ce-source': `//pubsub.googleapis.com/projects/${p.project}/topics/${p.topics.routeEvents}`,
        'ce-specversion': '1.0',
        'ce-type': 'google.cloud.pubsub.topic.v1.messagePublished',
      },
      body: JSON.stringify({ message: { data: '!!!not base64!!!', messageId: 'bad-base64-1' } }),
    });
    t.true(direct.ok, `direct push answered ${direct.status}`);
    await waitFor(
      () => p.syncResults.length - seen,
      (n) => n >= bodies.length + 1,
      'malformed deliveries',
    );
    await p.idle();
    const after = p.pubsub.subscriptionStats(p.subscriptions.sync);
    t.is(after.acked - stats.acked, bodies.length, 'every malformed message acknowledged');
    t.is(after.nacked, stats.nacked, 'none retried');
    t.is(writes(), before, 'nothing written');
    const results = p.syncResults.slice(seen);
    t.true(results.every((r) => r.acked === 'malformed'));
    for (const id of [...ids, 'bad-base64-1'])
      t.true(
        p.logs.some((l) => l.includes(id) && l.includes('"severity":"ERROR"')),
        `message ${id} logged`,
      );
    const errors = results.map((r) => (r.acked === 'malformed' ? r.error : ''));
    t.true(errors.some((e) => /unknown schema version/.test(e)));
    t.true(errors.some((e) => /not valid UTF-8 JSON/.test(e)));
    t.true(errors.some((e) => /over the \d+-byte limit/.test(e)));
    t.true(errors.some((e) => /base64/.test(e)));
  },
);
