// Sustained churn on one parent: every event is stale on arrival, because the cluster has changed
// again by the time it is delivered. Refusing stale events outright applied nothing until the churn
// stopped (a livelock). The rule now: a stale event newer than what is applied is applied, routes
// only, from the cluster's copies of the objects it names (events are hints: docs/security.md §6);
// its route status is left to a fresh event; an event no newer than what is applied costs no
// write (and, when this instance applied the newer one itself, no request at all).
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { startPipeline } from '../../infra/local/pipeline.ts';
import type { Pipeline } from '../../infra/local/pipeline.ts';
import type { RouteEvent } from '../../shared/events/index.ts';
import { LABEL_SEQUENCE, parentMemo, syncParent } from '../../shared/pipeline/index.ts';
import type { SyncOutcome } from '../../shared/pipeline/index.ts';
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
const NS = 'churn';
const RUN = 'run-churn';

test.before(async () => {
  // Deliveries here come back to back; the 1 s stale-apply interval has its own test below.
  p = await startPipeline({ watcher: false, staleApplyIntervalMs: 0 });
  p.k8s.apply(namespace(NS));
});
test.after.always(async () => {
  await p?.close();
});

/** The outcome of the last delivery the sync function processed. */
function lastOutcome(): SyncOutcome | undefined {
  const last = p.syncResults[p.syncResults.length - 1];
  return last?.acked === 'processed' ? last.outcome : undefined;
}

/** The generation our status entry for the parent was last written for (undefined: none). */
function statusGeneration(route: string): number | undefined {
  const obj = p.k8s.getObject('HTTPRoute', NS, route) as
    { status?: { parents?: { conditions?: { type: string; observedGeneration?: number }[] }[] } } | undefined;
  return obj?.status?.parents?.[0]?.conditions?.find((c) => c.type === 'Accepted')?.observedGeneration;
}

const generationOf = (route: string) =>
  (p.k8s.getObject('HTTPRoute', NS, route) as { metadata: { generation?: number } }).metadata.generation;

async function pushed(t: ExecutionContext, e: RouteEvent): Promise<void> {
  t.is(await push(p.sync.url, e), 204, 'delivery acknowledged');
}

/** Sets the parent's one route to `/v<version>` and returns the event the watcher would publish. */
async function changeTo(svc: string, version: number, count: number): Promise<RouteEvent> {
  p.k8s.apply(httpRoute(`r-${svc}`, NS, svc, [`/v${version}`]));
  return { ...(await currentEvent(p, NS, svc)), origin: { run: RUN, count } };
}

const prefixes = (svc: string) => prefixesOf(routeFor(p, NS, svc));

test.serial('every delivery stale on arrival: the applied state still advances with each one', async (t) => {
  p.k8s.apply(service('hot', NS));
  await pushed(t, await changeTo('hot', 0, 1));
  t.deepEqual(prefixes('hot'), ['/v0', '/v0/'], 'the initial state, from a fresh event');
  const statusBefore = statusGeneration('r-hot');
  t.truthy(statusBefore);

  // Delivery lags one change behind: event k arrives after change k+1 was made, so it is stale.
  const ROUNDS = 8;
  let pending = await changeTo('hot', 1, 2);
  for (let k = 1; k <= ROUNDS; k++) {
    const next = await changeTo('hot', k + 1, k + 2);
    p.netsvc.resetStats();
    await pushed(t, pending);
    const outcome = lastOutcome();
    t.like(outcome, { result: 'applied', snapshot: 'stale', statuses: { written: 0 } }, `delivery ${k}`);
    // The event names the route; what is applied is the route as the cluster has it (change k+1).
    t.deepEqual(prefixes('hot'), [`/v${k + 1}`, `/v${k + 1}/`], `delivery ${k} moved the parent forward`);
    t.is(
      routeFor(p, NS, 'hot')?.labels &&
        (routeFor(p, NS, 'hot')?.labels as Record<string, string>)[LABEL_SEQUENCE],
      pending.sequence,
    );
    // A stale direct successor keeps the memo's one-request path.
    t.deepEqual(requestMix(p), { 'PATCH httpRoutes': 1 }, `delivery ${k}: one write, no read`);
    t.is(statusGeneration('r-hot'), statusBefore, 'no status written from a stale snapshot');
    pending = next;
  }
  t.true(
    p.logs.some((l) => l.includes('status not written (stale snapshot: HTTPRoute churn/r-hot has changed')),
  );

  // The churn stops: the last event is fresh and brings routes and status up to the cluster.
  await pushed(t, pending);
  t.like(lastOutcome(), { result: 'applied', snapshot: 'fresh', statuses: { written: 1 } });
  t.deepEqual(prefixes('hot'), [`/v${ROUNDS + 1}`, `/v${ROUNDS + 1}/`], 'ends at the final cluster state');
  t.is(statusGeneration('r-hot'), generationOf('r-hot'), 'status written for the current generation');
});

test.serial('a stale event no newer than what is applied costs no write', async (t) => {
  p.k8s.apply(service('dup', NS));
  await pushed(t, await changeTo('dup', 0, 1));
  const older = await changeTo('dup', 1, 2);
  const applied = await changeTo('dup', 2, 3);
  await changeTo('dup', 3, 4); // both events above are now stale
  await pushed(t, applied);
  t.deepEqual(prefixes('dup'), ['/v3', '/v3/'], 'the route as the cluster has it');

  // This instance applied the newer event itself: the duplicate and the older event are refused
  // before any Network Services request.
  for (const e of [applied, older]) {
    p.netsvc.resetStats();
    await pushed(t, e);
    t.like(lastOutcome(), { result: 'skipped', skip: 'stale-snapshot' });
    t.is(p.netsvc.stats().requests, 0, 'refused from what this instance applied: no request');
  }
  t.true(
    p.logs.some((l) =>
      l.includes(`sequence ${older.sequence} is not newer than the applied ${applied.sequence}`),
    ),
  );

  // Another instance (no memo) reads the routes and refuses them by their labels: reads, no write.
  const elsewhere = { ...p.deps, parentMemo: parentMemo() };
  const writes = p.netsvc.stats().writes;
  t.like(await syncParent(older, elsewhere), { result: 'skipped', skip: 'stale-sequence' });
  t.like(await syncParent(applied, elsewhere), { result: 'skipped', skip: 'stale-snapshot' });
  t.is(p.netsvc.stats().writes, writes, 'no write');
  t.deepEqual(prefixes('dup'), ['/v3', '/v3/'], 'nothing regressed');
});

test.serial(
  'a stale event with nothing applied to order it against is refused (no resurrection)',
  async (t) => {
    p.k8s.apply(service('gone', NS));
    const before = await changeTo('gone', 0, 1);
    await pushed(t, before);
    t.truthy(routeFor(p, NS, 'gone'));
    // The route is deleted and that event applied: no route, so no sequence label, remains.
    p.k8s.deleteObject('HTTPRoute', NS, 'r-gone');
    await pushed(t, { ...(await currentEvent(p, NS, 'gone')), origin: { run: RUN, count: 2 } });
    t.is(routeFor(p, NS, 'gone'), undefined);
    // A late duplicate of the first event, on another instance: stale, and nothing proves it newer.
    const writes = p.netsvc.stats().writes;
    const outcome = await syncParent(before, { ...p.deps, parentMemo: parentMemo() });
    t.like(outcome, { result: 'skipped', skip: 'stale-snapshot' });
    t.regex(
      (outcome as { detail: string }).detail,
      /no longer exists; no applied sequence to prove it newer/,
    );
    t.is(p.netsvc.stats().writes, writes);
    t.is(routeFor(p, NS, 'gone'), undefined, 'the deleted route stays deleted');
  },
);

test.serial(
  'within the interval after its own apply an instance passes over stale snapshots; after it, applies one',
  async (t) => {
    // Intervals chosen so that machine load cannot flip the outcome: 60 s is never over here, and
    // 200 ms is always over after the 300 ms wait. (Production default: 1 s.)
    const deps = { ...p.deps, parentMemo: parentMemo(30_000, 100, 60_000) };
    p.k8s.apply(service('burst', NS));
    t.like(await syncParent(await changeTo('burst', 0, 1), deps), { result: 'applied', snapshot: 'fresh' });
    const stale = await changeTo('burst', 1, 2);
    const fresh = await changeTo('burst', 2, 3);

    p.netsvc.resetStats();
    const passed = await syncParent(stale, deps);
    t.like(passed, { result: 'skipped', skip: 'stale-snapshot' });
    t.regex((passed as { detail: string }).detail, /this instance applied the parent \d+ ms ago/);
    t.is(p.netsvc.stats().requests, 0, 'passed over without a request');
    t.deepEqual(prefixes('burst'), ['/v0', '/v0/']);

    // The pass-over advanced the memo: the fresh successor still takes the one-request path.
    t.like(await syncParent(fresh, deps), { result: 'applied', snapshot: 'fresh' });
    t.deepEqual(requestMix(p), { 'PATCH httpRoutes': 1 });
    t.deepEqual(prefixes('burst'), ['/v2', '/v2/']);

    // Churn goes on past the interval: the next stale snapshot is applied (progress).
    const shortDeps = { ...p.deps, parentMemo: parentMemo(30_000, 100, 200) };
    t.like(await syncParent(await changeTo('burst', 3, 4), shortDeps), {
      result: 'applied',
      snapshot: 'fresh',
    });
    const late = await changeTo('burst', 4, 5);
    await changeTo('burst', 5, 6);
    await new Promise((r) => setTimeout(r, 300));
    t.like(await syncParent(late, shortDeps), { result: 'applied', snapshot: 'stale' });
    t.deepEqual(prefixes('burst'), ['/v5', '/v5/'], 'the route as the cluster has it');
  },
);
