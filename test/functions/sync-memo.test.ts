// The parent memo (shared/pipeline/parent-memo.ts): an event that directly succeeds the last one an
// instance applied for its parent (same watcher run, count + 1) plans against what that instance
// wrote instead of reading the parent's routes: one request (the PATCH) instead of three. Anything
// else reads as before, and nothing changed behind the memo is left uncorrected by a plan that the
// memo alone would call "unchanged". Requests are counted at the Network Services emulator.
import test from 'ava';
import { startPipeline } from '../../infra/local/pipeline.ts';
import type { Pipeline } from '../../infra/local/pipeline.ts';
import { ROUTE_COLLECTIONS } from '../../shared/netsvc/kinds.ts';
import type { RouteEvent } from '../../shared/events/index.ts';
import { LABEL_SEQUENCE, parentMemo, parentResourceIds, syncParent } from '../../shared/pipeline/index.ts';
import { translate } from '../../shared/translate/index.ts';
import {
  currentEvent,
  httpRoute,
  namespace,
  prefixesOf,
  push,
  routeFor,
  service,
  requestMix,
} from './support.ts';

let p: Pipeline;
const NS = 'mm';

test.before(async () => {
  p = await startPipeline({ watcher: false });
  p.k8s.apply(namespace(NS));
});
test.after.always(async () => {
  await p?.close();
});

const withOrigin = (e: RouteEvent, run: string, count: number): RouteEvent => ({
  ...e,
  origin: { run, count },
});

/** Changes the parent's one route to `paths` and builds the event the watcher would publish. */
async function change(svc: string, paths: string[], run: string, count: number): Promise<RouteEvent> {
  p.k8s.apply(httpRoute(`r-${svc}`, NS, svc, paths));
  return withOrigin(await currentEvent(p, NS, svc), run, count);
}

/** A Service with one route, applied once through an event of `run` with count 1. */
async function parentApplied(svc: string, run: string, paths = ['/a']): Promise<RouteEvent> {
  p.k8s.apply(service(svc, NS));
  const first = await change(svc, paths, run, 1);
  if ((await push(p.sync.url, first)) !== 204) throw new Error(`first event for ${svc} failed`);
  return first;
}

async function pushed(t: { is: (a: unknown, b: unknown, m?: string) => void }, e: RouteEvent): Promise<void> {
  t.is(await push(p.sync.url, e), 204, 'delivery acknowledged');
}

const grpcId = (svc: string) =>
  parentResourceIds(p.deps.settings.translate, { namespace: NS, name: svc }, [80])[1].id;

test.serial('successive events of one parent cost one request, not three', async (t) => {
  await parentApplied('one', 'run-a');
  p.netsvc.resetStats();
  await pushed(t, await change('one', ['/b'], 'run-a', 2));
  t.deepEqual(requestMix(p), { 'PATCH httpRoutes': 1 }, 'the direct successor only writes');
  t.deepEqual(prefixesOf(routeFor(p, NS, 'one')), ['/b', '/b/']);
  p.netsvc.resetStats();
  await pushed(t, await change('one', ['/c'], 'run-a', 3));
  t.deepEqual(requestMix(p), { 'PATCH httpRoutes': 1 });
  t.deepEqual(prefixesOf(routeFor(p, NS, 'one')), ['/c', '/c/']);
  // The same change without an origin: every route collection is read by id, then written.
  p.k8s.apply(httpRoute('r-one', NS, 'one', ['/d']));
  p.netsvc.resetStats();
  await pushed(t, await currentEvent(p, NS, 'one'));
  t.deepEqual(requestMix(p), {
    'GET httpRoutes': 1,
    'GET grpcRoutes': 1,
    'GET tcpRoutes': 1,
    'GET tlsRoutes': 1,
    'PATCH httpRoutes': 1,
  });
  t.deepEqual(prefixesOf(routeFor(p, NS, 'one')), ['/d', '/d/']);
});

test.serial('a gap in the count, another run, a repeat or no origin: the routes are read', async (t) => {
  await parentApplied('two', 'run-b');
  const reads = () => ROUTE_COLLECTIONS.reduce((n, k) => n + (requestMix(p)[`GET ${k}`] ?? 0), 0);
  const cases: [string, (e: RouteEvent) => RouteEvent][] = [
    ['a gap (count 3 after 1)', (e) => withOrigin(e, 'run-b', 3)],
    ['another run', (e) => withOrigin(e, 'run-other', 4)],
    ['the same count again', (e) => withOrigin(e, 'run-other', 4)],
    ['no origin', (e) => ({ ...e, origin: undefined })],
  ];
  let n = 0;
  for (const [what, stamp] of cases) {
    p.k8s.apply(httpRoute('r-two', NS, 'two', [`/v${++n}`]));
    p.netsvc.resetStats();
    await pushed(t, stamp(await currentEvent(p, NS, 'two')));
    t.is(reads(), ROUTE_COLLECTIONS.length, `${what}: every route collection read`);
    t.deepEqual(prefixesOf(routeFor(p, NS, 'two')), [`/v${n}`, `/v${n}/`], `${what}: applied`);
  }
  // After a read the memo holds the new state again: the next count goes without reads.
  await pushed(t, await change('two', ['/after2'], 'run-x', 1));
  p.netsvc.resetStats();
  await pushed(t, await change('two', ['/after3'], 'run-x', 2));
  t.is(reads(), 0, 'the successor of a read event plans from the memo');
  t.deepEqual(prefixesOf(routeFor(p, NS, 'two')), ['/after3', '/after3/']);
});

test.serial('a route deleted behind the memo is created again (404 -> read, plan once more)', async (t) => {
  await parentApplied('three', 'run-c');
  const name = routeFor(p, NS, 'three')?.name as string;
  t.true(p.netsvc.deleteRaw('httpRoutes', name));
  p.netsvc.resetStats();
  await pushed(t, await change('three', ['/again'], 'run-c', 2));
  t.deepEqual(prefixesOf(routeFor(p, NS, 'three')), ['/again', '/again/']);
  const mix = requestMix(p);
  t.is(mix['PATCH httpRoutes'], 1, 'the blind write met 404');
  t.is(mix['POST httpRoutes'], 1, 'then created from a real read');
  t.is(mix['GET httpRoutes'], 1);
});

test.serial('an unchanged plan from the memo is checked: drift behind the memo is repaired', async (t) => {
  const first = await parentApplied('four', 'run-d', ['/keep']);
  const route = routeFor(p, NS, 'four') as Record<string, unknown>;
  p.netsvc.putRaw('httpRoutes', route.name as string, {
    ...route,
    rules: [
      { matches: [{ prefixMatch: '/drift' }], action: (route.rules as { action: unknown }[])[0].action },
    ],
  });
  p.netsvc.resetStats();
  // The same cluster state again (a resync): against the memo nothing would change.
  await pushed(t, withOrigin(first, 'run-d', 2));
  t.deepEqual(prefixesOf(routeFor(p, NS, 'four')), ['/keep', '/keep/']);
  t.is(requestMix(p)['GET httpRoutes'], 1, 'verified with a real read');
  t.is(requestMix(p)['PATCH httpRoutes'], 1, 'and repaired');
});

test.serial('the other kind created behind the memo is deleted when the memo sees no change', async (t) => {
  const first = await parentApplied('five', 'run-e');
  const http = routeFor(p, NS, 'five') as Record<string, unknown>;
  const name = `projects/${p.project}/locations/global/grpcRoutes/${grpcId('five')}`;
  p.netsvc.putRaw('grpcRoutes', name, {
    name,
    labels: http.labels,
    meshes: http.meshes,
    hostnames: ['five-grpc.example'],
    rules: [{ action: { destinations: [{ serviceName: 'projects/x/locations/global/backendServices/b' }] } }],
  });
  p.netsvc.resetStats();
  await pushed(t, withOrigin(first, 'run-e', 2));
  t.is(p.netsvc.resources('grpcRoutes').filter((r) => (r as { name: string }).name === name).length, 0);
  t.is(requestMix(p)['DELETE grpcRoutes'], 1);
  t.deepEqual(prefixesOf(routeFor(p, NS, 'five')), ['/a', '/a/']);
});

test.serial('a route changed behind the memo to what the next event wants ends right', async (t) => {
  await parentApplied('six', 'run-f', ['/old']);
  const next = await change('six', ['/new'], 'run-f', 2);
  // Someone writes exactly the next desired content (our labels, no newer sequence) before it arrives.
  const wanted = translate(next.snapshot, p.deps.settings.translate).httpRoutes.filter((r) =>
    r.description?.endsWith(`-> Service ${NS}/six:80`),
  );
  t.is(wanted.length, 1);
  const current = routeFor(p, NS, 'six') as Record<string, unknown>;
  p.netsvc.putRaw('httpRoutes', current.name as string, { ...wanted[0], labels: current.labels });
  p.netsvc.resetStats();
  await pushed(t, next);
  const after = routeFor(p, NS, 'six') as { labels: Record<string, string> };
  t.deepEqual(prefixesOf(after), ['/new', '/new/']);
  t.is(after.labels[LABEL_SEQUENCE], next.sequence, 'the write from the memo moved the sequence label');
  t.deepEqual(requestMix(p), { 'PATCH httpRoutes': 1 });
});

test.serial('a write planned from the memo replaces every field, so drift in others goes too', async (t) => {
  await parentApplied('eight', 'run-i', ['/one']);
  const route = routeFor(p, NS, 'eight') as Record<string, unknown>;
  const description = route.description;
  const hostnames = route.hostnames;
  // Drift in fields the next event does not change: the memo cannot see it.
  p.netsvc.putRaw('httpRoutes', route.name as string, {
    ...route,
    description: 'edited by hand',
    hostnames: ['edited.example'],
  });
  p.netsvc.resetStats();
  await pushed(t, await change('eight', ['/two'], 'run-i', 2));
  t.deepEqual(requestMix(p), { 'PATCH httpRoutes': 1 }, 'still one blind write');
  const after = routeFor(p, NS, 'eight') as Record<string, unknown>;
  t.deepEqual(prefixesOf(after), ['/two', '/two/']);
  t.is(after.description, description);
  t.deepEqual(after.hostnames, hostnames);
});

test.serial('duplicates and out-of-order redeliveries never regress', async (t) => {
  const a = await parentApplied('seven', 'run-g', ['/a']);
  // B adds a second route: A's snapshot still passes the cluster check (its route is unchanged), so
  // only the sequence label can refuse A once B is applied.
  p.k8s.apply(httpRoute('r-seven-b', NS, 'seven', ['/b']));
  const b = withOrigin(await currentEvent(p, NS, 'seven'), 'run-g', 2);
  await pushed(t, b);
  const expected = ['/a', '/a/', '/b', '/b/'];
  t.deepEqual(prefixesOf(routeFor(p, NS, 'seven')), expected);

  for (const [what, e] of [
    ['A again (count 1)', a],
    ['B again (count 2)', b],
    ['A with no origin', { ...a, origin: undefined }],
  ] as const) {
    p.netsvc.resetStats();
    await pushed(t, e);
    t.deepEqual(prefixesOf(routeFor(p, NS, 'seven')), expected, `${what} changes nothing`);
    t.is(requestMix(p)['PATCH httpRoutes'] ?? 0, 0, `${what} writes nothing`);
  }

  // Each of those refused the memo. Now this instance applies B as count 1 of a new run; another
  // instance (its own memo) applies C as count 2; a duplicate of count 2 then reaches this instance,
  // whose memo is at count 1: it plans C from the memo of B and writes C again, which regresses nothing.
  await pushed(t, withOrigin(b, 'run-h', 1));
  p.k8s.apply(httpRoute('r-seven-b', NS, 'seven', ['/b', '/c']));
  const c = withOrigin(await currentEvent(p, NS, 'seven'), 'run-h', 2);
  const done = await syncParent(c, { ...p.deps, parentMemo: parentMemo() });
  t.is(done.result, 'applied');
  const withC = ['/a', '/a/', '/b', '/b/', '/c', '/c/'];
  t.deepEqual(prefixesOf(routeFor(p, NS, 'seven')), withC);
  p.netsvc.resetStats();
  await pushed(t, c);
  t.deepEqual(requestMix(p), { 'PATCH httpRoutes': 1 }, 'planned from the memo of count 1');
  t.deepEqual(prefixesOf(routeFor(p, NS, 'seven')), withC);
  // And B once more (count 1 again) is refused by the sequence label.
  p.netsvc.resetStats();
  await pushed(t, withOrigin(b, 'run-h', 1));
  t.deepEqual(prefixesOf(routeFor(p, NS, 'seven')), withC);
  t.is(requestMix(p)['PATCH httpRoutes'] ?? 0, 0);
});
