// Hostile route events through the sync function (functions-framework's server, the k8s and
// Network Services stand-ins): forged sequences, invented routes and Services, replays, other
// clusters, oversized and malformed messages, a restored cluster. After each, Network Services
// matches the cluster (a dry-run reconcile finds no drift) and the next real change lands.
// docs/security.md §6 names these tests.
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { startPipeline } from '../../infra/local/pipeline.ts';
import type { Pipeline } from '../../infra/local/pipeline.ts';
import type { RouteEvent } from '../../shared/events/index.ts';
import type { HTTPRoute } from '../../shared/gamma/types.ts';
import { LABEL_SEQUENCE } from '../../shared/pipeline/index.ts';
import type { SyncOutcome } from '../../shared/pipeline/index.ts';
import {
  currentEvent,
  httpRoute,
  namespace,
  prefixesOf,
  push,
  routeFor,
  service,
  statusOf,
} from './support.ts';

let p: Pipeline;
const NS = 'h';
const FORGED = '9'.repeat(40);

test.before(async () => {
  p = await startPipeline({ watcher: false, env: { GAMMA_MAX_ROUTES_PER_SNAPSHOT: '4' } });
  p.k8s.apply(namespace(NS));
});
test.after.always(async () => {
  await p?.close();
});

function lastOutcome(): SyncOutcome | undefined {
  const last = p.syncResults[p.syncResults.length - 1];
  return last?.acked === 'processed' ? last.outcome : undefined;
}

const prefixes = (svc: string) => prefixesOf(routeFor(p, NS, svc));
const labelOf = (svc: string) =>
  (routeFor(p, NS, svc)?.labels as Record<string, string> | undefined)?.[LABEL_SEQUENCE];

/** Network Services matches the cluster: a reconcile would change nothing (routes nor labels). */
async function matchesCluster(t: ExecutionContext, why: string): Promise<void> {
  const summary = await p.runReconcile({ dryRun: true });
  t.like(summary, { drift: false, created: 0, updated: 0, deleted: 0 }, why);
}

/** Changes the real route and checks that its real event lands. */
async function realChangeLands(t: ExecutionContext, svc: string, path: string): Promise<RouteEvent> {
  p.k8s.apply(httpRoute(`r-${svc}`, NS, svc, [path]));
  const event = await currentEvent(p, NS, svc);
  t.is(await push(p.sync.url, event), 204);
  t.like(lastOutcome(), { result: 'applied', snapshot: 'fresh' }, `the real change to ${path} lands`);
  t.deepEqual(prefixes(svc), [path, `${path}/`]);
  return event;
}

async function setUp(t: ExecutionContext, svc: string): Promise<RouteEvent> {
  p.k8s.apply(service(svc, NS));
  p.k8s.apply(httpRoute(`r-${svc}`, NS, svc, ['/real']));
  const event = await currentEvent(p, NS, svc);
  t.is(await push(p.sync.url, event), 204);
  t.deepEqual(prefixes(svc), ['/real', '/real/']);
  return event;
}

const invented = (svc: string, path: string) =>
  ({
    ...httpRoute(`evil-${svc}`, NS, svc, [path]),
    metadata: { name: `evil-${svc}`, namespace: NS },
  }) as HTTPRoute;

test.serial(
  'a forged 40-digit sequence with an invented HTTPRoute: refused, nothing invented lands',
  async (t) => {
    const real = await setUp(t, 'forged');
    const forged: RouteEvent = {
      ...real,
      sequence: FORGED,
      snapshot: { ...real.snapshot, httpRoutes: [...real.snapshot.httpRoutes, invented('forged', '/evil')] },
    };
    p.netsvc.resetStats();
    t.is(await push(p.sync.url, forged), 204, 'acknowledged: a redelivery cannot make it true');
    t.like(lastOutcome(), { result: 'skipped', skip: 'sequence-beyond-cluster' });
    t.is(p.netsvc.stats().requests, 0, 'refused before any Network Services request');
    t.deepEqual(prefixes('forged'), ['/real', '/real/'], 'the invented path never reaches Network Services');
    t.true(p.logs.some((l) => l.includes('skipped (sequence-beyond-cluster)') && l.includes('"WARNING"')));
    await matchesCluster(t, 'after a forged sequence');
    await realChangeLands(t, 'forged', '/next');
  },
);

test.serial(
  'a plausible sequence with an invented route: only what the cluster has is applied',
  async (t) => {
    const real = await setUp(t, 'plaus');
    p.k8s.apply(httpRoute('r-plaus', NS, 'plaus', ['/real', '/also']));
    const now = await currentEvent(p, NS, 'plaus');
    const lie: RouteEvent = {
      ...now,
      snapshot: { ...now.snapshot, httpRoutes: [...now.snapshot.httpRoutes, invented('plaus', '/evil')] },
    };
    t.is(await push(p.sync.url, lie), 204);
    t.like(
      lastOutcome(),
      { result: 'applied', snapshot: 'stale' },
      'the invented route makes the event stale',
    );
    t.deepEqual(
      prefixes('plaus'),
      ['/real', '/real/', '/also', '/also/'],
      "the cluster's route, not the invented one",
    );
    t.is(statusOf(p, NS, 'evil-plaus').length, 0, 'no status written for an object that does not exist');
    t.truthy(real);
    await matchesCluster(t, 'after an invented route');
    await realChangeLands(t, 'plaus', '/next');
  },
);

test.serial('an invented parent Service and invented backends never reach Network Services', async (t) => {
  const ghost = await currentEvent(p, NS, 'ghost');
  const lie: RouteEvent = {
    ...ghost,
    snapshot: {
      ...ghost.snapshot,
      services: [service('ghost', NS) as never, service('ghost-backend', NS) as never],
      httpRoutes: [invented('ghost', '/evil')],
    },
  };
  t.is(await push(p.sync.url, lie), 204);
  t.is(routeFor(p, NS, 'ghost'), undefined, 'no route for a Service the cluster does not have');
  const stale = lastOutcome();
  t.true(stale?.result === 'skipped' || (stale?.result === 'applied' && stale.snapshot === 'stale'));
  await matchesCluster(t, 'after invented Services');

  // An invented backend for a real parent: the route sends to a Service the cluster does not have,
  // and the event invents it. The event is stale (so no Compute runs from it), and the translation
  // sees the cluster's Services only: the backend stays unresolved, as the reconcile has it.
  p.k8s.apply(service('front', NS));
  p.k8s.apply(httpRoute('r-front', NS, 'front', ['/real'], 'missing-backend'));
  const real = await currentEvent(p, NS, 'front');
  const withBackend: RouteEvent = {
    ...real,
    snapshot: {
      ...real.snapshot,
      services: [...real.snapshot.services, service('missing-backend', NS) as never],
    },
  };
  t.is(await push(p.sync.url, withBackend), 204);
  t.like(lastOutcome(), { result: 'skipped', skip: 'stale-snapshot' }, 'nothing applied to prove it newer');
  t.regex((lastOutcome() as { detail: string }).detail, /Service h\/missing-backend no longer exists/);
  t.is(routeFor(p, NS, 'front'), undefined);
  t.is(await push(p.sync.url, real), 204, 'the real event');
  t.like(lastOutcome(), { result: 'applied', snapshot: 'fresh' });
  t.is(await push(p.sync.url, { ...withBackend, sequence: String(BigInt(real.sequence) + 1n) }), 204);
  t.like(
    lastOutcome(),
    { result: 'applied', snapshot: 'stale' },
    'newer than applied: the confirmed objects',
  );
  await matchesCluster(t, 'after an invented backend: the backend is as unresolved as the cluster says');
  await realChangeLands(t, 'front', '/next');
});

test.serial('replays of old events write nothing and regress nothing', async (t) => {
  const first = await setUp(t, 'replay');
  await realChangeLands(t, 'replay', '/v2');
  const second = await currentEvent(p, NS, 'replay');
  const writes = p.netsvc.stats().writes;
  for (const e of [first, first, second, first]) t.is(await push(p.sync.url, e), 204);
  t.is(p.netsvc.stats().writes, writes, 'no write');
  t.deepEqual(prefixes('replay'), ['/v2', '/v2/']);
  await matchesCluster(t, 'after replays');
  await realChangeLands(t, 'replay', '/v3');
});

test.serial(
  'events from another cluster id, malformed and oversized messages are acknowledged, no write',
  async (t) => {
    const real = await setUp(t, 'noise');
    const writes = p.netsvc.stats().writes;
    t.is(await push(p.sync.url, { ...real, cluster: 'other-cluster', sequence: FORGED }), 204);
    t.like(lastOutcome(), { result: 'skipped', skip: 'other-cluster' });
    t.is(await push(p.sync.url, { raw: Buffer.from('{"schema":').toString('base64') }), 204);
    t.is(await push(p.sync.url, { raw: '%%% not base64' }), 204);
    const huge = Buffer.alloc(5 * 1024 * 1024, 'a').toString('base64');
    t.is(await push(p.sync.url, { raw: huge }), 204);
    const wrongAttributes = {
      raw: Buffer.from(JSON.stringify(real)).toString('base64'),
      attributes: { cluster: 'x' },
    };
    t.is(await push(p.sync.url, wrongAttributes), 204);
    t.is(p.netsvc.stats().writes, writes);
    t.true(p.logs.filter((l) => l.includes('acknowledged')).length >= 4);
    await matchesCluster(t, 'after noise');
    await realChangeLands(t, 'noise', '/next');
  },
);

test.serial(
  'an oversized snapshot is refused visibly in route status, and lands once under the cap',
  async (t) => {
    p.k8s.apply(service('big', NS));
    for (let i = 0; i < 5; i++) p.k8s.apply(httpRoute(`big-${i}`, NS, 'big', [`/p${i}`]));
    t.is(await push(p.sync.url, await currentEvent(p, NS, 'big')), 204);
    t.like(lastOutcome(), { result: 'skipped', skip: 'oversized' });
    t.regex(
      (lastOutcome() as { detail: string }).detail,
      /5 producer routes, over the limit of 4 .*GAMMA_MAX_ROUTES_PER_SNAPSHOT/,
    );
    t.is(routeFor(p, NS, 'big'), undefined, 'nothing written to Network Services');
    const accepted = statusOf(p, NS, 'big-0')[0]?.conditions?.find((c) => c.type === 'Accepted');
    t.like(accepted, { status: 'False', reason: 'Oversized' }, 'the refusal is in the route status');
    p.k8s.deleteObject('HTTPRoute', NS, 'big-4');
    t.is(await push(p.sync.url, await currentEvent(p, NS, 'big')), 204);
    t.like(lastOutcome(), { result: 'applied', snapshot: 'fresh' });
    t.is(prefixes('big').length, 8);
    t.like(
      statusOf(p, NS, 'big-0')[0]?.conditions?.find((c) => c.type === 'Accepted'),
      { status: 'True' },
    );
  },
);

test.serial('a poisoned sequence label stalls nothing: the next real event re-stamps it', async (t) => {
  await setUp(t, 'poison');
  const id = String(routeFor(p, NS, 'poison')?.name)
    .split('/')
    .pop() as string;
  const route = await p.deps.netsvc.get('httpRoutes', id);
  await p.deps.netsvc.patch(
    'httpRoutes',
    id,
    { ...route, labels: { ...route?.labels, [LABEL_SEQUENCE]: FORGED } } as never,
    ['labels'],
  );
  t.is(labelOf('poison'), FORGED);
  // Before: every real event was skipped as stale-sequence until a reconcile, which kept the label.
  const event = await realChangeLands(t, 'poison', '/after');
  t.is(labelOf('poison'), event.sequence, 're-stamped with the real sequence');
  await matchesCluster(t, 'after the re-stamp');
});

test.serial('the reconcile resets a poisoned label to the cluster resourceVersion', async (t) => {
  await setUp(t, 'reset');
  const id = String(routeFor(p, NS, 'reset')?.name)
    .split('/')
    .pop() as string;
  const route = await p.deps.netsvc.get('httpRoutes', id);
  await p.deps.netsvc.patch(
    'httpRoutes',
    id,
    { ...route, labels: { ...route?.labels, [LABEL_SEQUENCE]: FORGED } } as never,
    ['labels'],
  );
  t.like(await p.runReconcile(), { updated: 1, failed: 0 }, 'the label alone is drift');
  t.true(
    BigInt(labelOf('reset') as string) <= BigInt(p.k8s.store.resourceVersion),
    'the label is the cluster’s again',
  );
  await matchesCluster(t, 'after the reset');
  await realChangeLands(t, 'reset', '/after');
});

test.serial(
  'a restored cluster (resourceVersions back): detected, the next real change lands without manual steps',
  async (t) => {
    await setUp(t, 'restore');
    await realChangeLands(t, 'restore', '/before');
    const applied = BigInt(labelOf('restore') as string);
    p.k8s.store.rewindResourceVersion(Number(applied) - 20);
    t.true(BigInt(p.k8s.store.resourceVersion) < applied, 'the cluster now issues lower resourceVersions');
    await realChangeLands(t, 'restore', '/after-restore');
    t.true(
      BigInt(labelOf('restore') as string) <= BigInt(p.k8s.store.resourceVersion),
      're-stamped within the cluster',
    );
    await realChangeLands(t, 'restore', '/again');
    // Every other parent's labels are above the lowered resourceVersion too: one reconcile resets them.
    t.like(await p.runReconcile(), { failed: 0 });
    await matchesCluster(t, 'after the restore and one reconcile');
  },
);
