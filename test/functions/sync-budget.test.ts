// What a sync delivery costs in Network Services requests: a stale event newer than what is applied
// writes its routes (never its status), an older one writes nothing; the shared Mesh is read once
// per instance for a short while (shared/pipeline/mesh-memo.ts), not on every event; a Mesh deleted
// behind our back comes back.
import test from 'ava';
import { startPipeline } from '../../infra/local/pipeline.ts';
import type { Pipeline } from '../../infra/local/pipeline.ts';
import { meshMemo } from '../../shared/pipeline/index.ts';
import type { NsMesh } from '../../shared/translate/types.ts';
import { currentEvent, httpRoute, namespace, prefixesOf, push, routeFor, service } from './support.ts';

// Long enough that three events under a loaded machine stay within it; the expiry test waits it out.
const MEMO_MS = 1500;
let p: Pipeline;
/** Requests to one collection since the last resetStats(), by method. */
const requests = (collection: string) => p.netsvc.stats().byCollection[collection] ?? {};

test.before(async () => {
  p = await startPipeline({ watcher: false, meshMemoTtlMs: MEMO_MS });
  p.k8s.apply(namespace('ns'));
});
test.after.always(async () => {
  await p?.close();
});

test('meshMemo: recalls a copy within its lifetime, for its mesh only, until forgotten', (t) => {
  const memo = meshMemo(1000);
  const mesh = { name: 'projects/p/locations/global/meshes/m', labels: { a: '1' } } as unknown as NsMesh;
  t.is(memo.recall('m', 0), undefined, 'nothing remembered yet');
  memo.remember('m', mesh, 0);
  mesh.labels = { a: 'changed' };
  t.deepEqual(memo.recall('m', 999)?.labels, { a: '1' }, 'a copy, not the caller’s object');
  t.is(memo.recall('other', 10), undefined);
  t.is(memo.recall('m', 1000), undefined, 'expired');
  memo.remember('m', null, 2000);
  t.is(memo.recall('m', 2001), null, 'a missing Mesh is remembered as missing');
  memo.forget();
  t.is(memo.recall('m', 2002), undefined);
});

test.serial('later events of an instance do not read the Mesh again', async (t) => {
  p.k8s.apply(service('a', 'ns'));
  p.k8s.apply(httpRoute('ra', 'ns', 'a', ['/one']));
  // The first event creates the Mesh (a plan that touches the Mesh keeps no memo); the second reads it.
  t.is(await push(p.sync.url, await currentEvent(p, 'ns', 'a')), 204);
  p.k8s.apply(httpRoute('ra', 'ns', 'a', ['/one', '/uno']));
  t.is(await push(p.sync.url, await currentEvent(p, 'ns', 'a')), 204);
  t.deepEqual(prefixesOf(routeFor(p, 'ns', 'a')), ['/one', '/one/', '/uno', '/uno/']);
  p.netsvc.resetStats();
  p.k8s.apply(httpRoute('ra', 'ns', 'a', ['/two']));
  t.is(await push(p.sync.url, await currentEvent(p, 'ns', 'a')), 204);
  t.deepEqual(prefixesOf(routeFor(p, 'ns', 'a')), ['/two', '/two/']);
  t.is(requests('meshes').GET ?? 0, 0, 'the Mesh read of the first event is reused');
  t.is(requests('httpRoutes').GET, 1, 'the parent’s own routes are still read every time');
});

test.serial(
  'a stale event newer than what is applied writes its routes, no status; an older one writes nothing',
  async (t) => {
    p.k8s.apply(service('b', 'ns'));
    p.k8s.apply(httpRoute('rb', 'ns', 'b', ['/first']));
    const first = await currentEvent(p, 'ns', 'b');
    t.is(await push(p.sync.url, first), 204);
    const status = p.k8s.getObject('HTTPRoute', 'ns', 'rb')?.status;
    p.k8s.apply(httpRoute('rb', 'ns', 'b', ['/old']));
    const old = await currentEvent(p, 'ns', 'b');
    p.k8s.apply(httpRoute('rb', 'ns', 'b', ['/new']));
    // `old` is stale (the cluster says /new) but newer than the applied `first`: it moves forward,
    // to the route as the cluster has it (events are hints: docs/security.md §6).
    p.netsvc.resetStats();
    t.is(await push(p.sync.url, old), 204);
    t.deepEqual(prefixesOf(routeFor(p, 'ns', 'b')), ['/new', '/new/']);
    t.is(requests('httpRoutes').PATCH, 1, 'the routes are written');
    t.deepEqual(p.k8s.getObject('HTTPRoute', 'ns', 'rb')?.status, status, 'no status written');
    t.true(
      p.logs.some(
        (l) =>
          l.includes('status not written (stale snapshot: HTTPRoute ns/rb') &&
          l.includes('"snapshot":"stale"'),
      ),
    );
    // `first` is stale and older than what is applied: refused without a write.
    p.netsvc.resetStats();
    t.is(await push(p.sync.url, first), 204);
    t.is(p.netsvc.stats().writes, 0);
    t.deepEqual(prefixesOf(routeFor(p, 'ns', 'b')), ['/new', '/new/']);
    t.true(p.logs.some((l) => l.includes('skipped (stale-s') && l.includes(`sequence ${first.sequence}`)));
  },
);

test.serial('a Mesh deleted behind the instance’s back is created again once the memo expires', async (t) => {
  p.k8s.apply(service('c', 'ns'));
  p.k8s.apply(httpRoute('rc', 'ns', 'c', ['/c']));
  t.is(await push(p.sync.url, await currentEvent(p, 'ns', 'c')), 204);
  t.true(p.netsvc.deleteRaw('meshes', `projects/${p.project}/locations/global/meshes/${p.mesh}`));
  await new Promise((resolve) => setTimeout(resolve, MEMO_MS));
  p.k8s.apply(httpRoute('rc', 'ns', 'c', ['/c2']));
  t.is(await push(p.sync.url, await currentEvent(p, 'ns', 'c')), 204);
  t.is(p.netsvc.resources('meshes').length, 1);
  t.deepEqual(prefixesOf(routeFor(p, 'ns', 'c')), ['/c2', '/c2/']);
});
