// Tenants cannot hurt each other (docs/security.md §2, §5): consumer routes another namespace points
// at a Service are rejected, and must not grow that Service's sync: not its port list (each port
// costs two Network Services reads), not its cluster reads, not its snapshot past a cap that would
// refuse the owner's own changes.
import test from 'ava';
import { startPipeline } from '../../infra/local/pipeline.ts';
import type { Pipeline } from '../../infra/local/pipeline.ts';
import { ROUTE_COLLECTIONS } from '../../shared/netsvc/kinds.ts';
import type { KubeObj } from '../../infra/local/k8s/index.ts';
import type { SyncOutcome } from '../../shared/pipeline/index.ts';
import {
  currentEvent,
  httpRoute,
  namespace,
  prefixesOf,
  push,
  requestMix,
  routeFor,
  service,
  statusOf,
} from './support.ts';

let p: Pipeline;
const CAP = 4;

test.before(async () => {
  p = await startPipeline({ watcher: false, env: { GAMMA_MAX_ROUTES_PER_SNAPSHOT: String(CAP) } });
  for (const ns of ['victim', 'tenant']) p.k8s.apply(namespace(ns));
});
test.after.always(async () => {
  await p?.close();
});

function lastOutcome(): SyncOutcome | undefined {
  const last = p.syncResults[p.syncResults.length - 1];
  return last?.acked === 'processed' ? last.outcome : undefined;
}

/** A consumer route in `tenant` naming victim/svc on 32 ports (the CRD's parentRefs maximum), to its own backend. */
function consumerRoute(i: number): KubeObj {
  const route = httpRoute(`grab-${i}`, 'tenant', 'svc', [`/grab-${i}`], `backend-${i}`) as KubeObj & {
    spec: { parentRefs: unknown[] };
  };
  route.spec.parentRefs = Array.from({ length: 32 }, (_, k) => ({
    group: '',
    kind: 'Service',
    namespace: 'victim',
    name: 'svc',
    port: 1000 + i * 32 + k,
  }));
  return route;
}

test.serial(
  'consumer routes in another namespace do not raise the cost of a Service they name',
  async (t) => {
    p.k8s.apply(service('svc', 'victim'));
    p.k8s.apply(httpRoute('own', 'victim', 'svc', ['/mine']));
    t.is(await push(p.sync.url, await currentEvent(p, 'victim', 'svc')), 204);
    t.deepEqual(prefixesOf(routeFor(p, 'victim', 'svc')), ['/mine', '/mine/']);

    // More consumer routes than the cap, 32 ports each, each with a backend Service of its own.
    const GRABS = CAP + 2;
    for (let i = 0; i < GRABS; i++) {
      p.k8s.apply(service(`backend-${i}`, 'tenant'));
      p.k8s.apply(consumerRoute(i));
    }
    const event = await currentEvent(p, 'victim', 'svc');
    t.is(event.snapshot.httpRoutes.length, GRABS + 1, 'the watcher-built snapshot carries them all');

    p.netsvc.resetStats();
    p.k8s.apply(httpRoute('own', 'victim', 'svc', ['/mine', '/more']));
    const changed = await currentEvent(p, 'victim', 'svc');
    const k8sBefore = p.k8s.requests.length;
    t.is(await push(p.sync.url, changed), 204);
    t.like(lastOutcome(), { result: 'applied', snapshot: 'fresh' }, 'not refused as oversized');
    t.deepEqual(prefixesOf(routeFor(p, 'victim', 'svc')), ['/mine', '/mine/', '/more', '/more/']);
    const mix = requestMix(p);
    t.is(
      ROUTE_COLLECTIONS.reduce((n, k) => n + (mix[`GET ${k}`] ?? 0), 0),
      ROUTE_COLLECTIONS.length,
      'one port read, not 1 + 32 per consumer route',
    );
    // The name LIST, the parent and its own route; at most CAP consumer routes and CAP of their
    // backends (what the Services cap leaves); a status read and write per route kept. Bounded by
    // the cap, not by how many consumer routes the tenant made.
    const clusterReads = p.k8s.requests.length - k8sBefore;
    t.true(clusterReads <= 3 + 2 * CAP + 2 * (CAP + 1), `cluster requests bounded (${clusterReads})`);

    // The consumer routes the event kept are rejected visibly; the victim's traffic is its own.
    const accepted = statusOf(p, 'tenant', 'grab-0')[0]?.conditions?.find((c) => c.type === 'Accepted');
    t.like(accepted, { status: 'False' });
    t.false(JSON.stringify(routeFor(p, 'victim', 'svc')).includes('/grab-'));
  },
);

test.serial('a reconcile rejects every consumer route, the ones sync left out included', async (t) => {
  const summary = await p.runReconcile();
  t.like(summary, { failed: 0 });
  for (let i = 0; i < CAP + 2; i++)
    t.like(
      statusOf(p, 'tenant', `grab-${i}`)[0]?.conditions?.find((c) => c.type === 'Accepted'),
      { status: 'False' },
      `grab-${i}`,
    );
  t.deepEqual(prefixesOf(routeFor(p, 'victim', 'svc')), ['/mine', '/mine/', '/more', '/more/']);
});
