// The reconcile function behind functions-framework's server, against the k8s and Network Services
// stand-ins: all-or-nothing reads, the deletion guard, ownership, dry runs, steady state.
import test from 'ava';
import { startPipeline } from '../../infra/local/pipeline.ts';
import type { Pipeline } from '../../infra/local/pipeline.ts';
import { accepted, httpRoute, namespace, prefixesOf, routeFor, service } from './support.ts';

let p: Pipeline;
const writes = () => p.netsvc.stats().writes;
const SERVICES = ['s1', 's2', 's3', 's4', 's5', 's6', 's7', 's8'];

test.before(async () => {
  p = await startPipeline({
    watcher: false,
    env: { GAMMA_MAX_DELETE_ABSOLUTE: '3', GAMMA_MAX_DELETE_FRACTION: '0.5' },
    netsvcClient: { retry: { attempts: 2, baseDelayMs: 5, maxDelayMs: 10 } },
  });
  p.k8s.apply(namespace('r'));
  for (const s of SERVICES) {
    p.k8s.apply(service(s, 'r'));
    p.k8s.apply(httpRoute(`${s}-route`, 'r', s, [`/${s}`]));
  }
});
test.after.always(async () => {
  await p?.close();
});

test.serial('a first run creates everything, writes every status and logs one summary line', async (t) => {
  const summary = await p.runReconcile();
  t.like(summary, { created: SERVICES.length + 1, updated: 0, deleted: 0, failed: 0, drift: true });
  t.is(summary?.statusesWritten, SERVICES.length);
  for (const s of SERVICES) {
    t.deepEqual(prefixesOf(routeFor(p, 'r', s)), [`/${s}`, `/${s}/`]);
    t.is(accepted(p, 'r', `${s}-route`), 'True');
  }
  const lines = p.logs.filter((l) => l.includes('"message":"reconcile'));
  t.is(lines.length, 1);
  t.regex(lines[0], /9 created, 0 updated, 0 deleted, 0 unchanged, 0 refused, 0 failed; drift found/);
});

test.serial('a dry-run tick plans but writes nothing', async (t) => {
  const route = routeFor(p, 'r', 's1') as Record<string, unknown>;
  p.netsvc.putRaw('httpRoutes', route.name as string, { ...route, rules: [] });
  const before = writes();
  const summary = await p.runReconcile({ dryRun: true });
  t.true(summary?.drift);
  t.true(summary?.dryRun);
  t.is(writes(), before);
  const fixed = await p.runReconcile();
  t.is(fixed?.updated, 1);
  t.deepEqual(prefixesOf(routeFor(p, 'r', 's1')), ['/s1', '/s1/']);
});

test.serial('resources without our labels are never touched', async (t) => {
  const foreign = `projects/${p.project}/locations/global/httpRoutes/not-ours`;
  const body = {
    hostnames: ['elsewhere.example'],
    rules: [
      {
        action: {
          destinations: [{ serviceName: `projects/${p.project}/locations/global/backendServices/x` }],
        },
      },
    ],
  };
  p.netsvc.putRaw('httpRoutes', foreign, body);
  const summary = await p.runReconcile();
  t.is(summary?.deleted, 0);
  t.truthy((p.netsvc.resources('httpRoutes') as { name: string }[]).find((r) => r.name === foreign));
  t.false(summary?.drift, 'steady state');
});

test.serial('a failing cluster list stops the run before anything is planned', async (t) => {
  const before = writes();
  p.k8s.failListPage(1, { times: 1, code: 500, resource: 'httproutes' });
  const acked = p.pubsub.subscriptionStats(p.subscriptions.reconcile).nacked;
  const run = p.runReconcile(); // nacked once (500), then redelivered and completed
  await p.pubsub.waitForStats(
    (s) => (s.subscriptions[p.subscriptions.reconcile]?.nacked ?? 0) > acked,
    10_000,
  );
  const summary = await run;
  t.is(writes(), before, 'no writes at all: neither the failed run nor the clean retry');
  t.false(summary?.drift);
  t.true(
    p.logs.some((l) => l.includes('reconcile failed, nothing applied') && l.includes('reading the cluster')),
  );
});

test.serial('deleting more than the allowed share of owned routes is refused', async (t) => {
  for (const s of SERVICES.slice(0, 5)) p.k8s.deleteObject('HTTPRoute', 'r', `${s}-route`);
  const summary = await p.runReconcile();
  t.is(summary?.deleted, 0);
  t.is(summary?.refused, 5);
  for (const s of SERVICES.slice(0, 5)) t.truthy(routeFor(p, 'r', s), `${s} kept`);
  t.true(p.logs.some((l) => l.includes('"severity":"WARNING"') && l.includes('5 refused')));
  // Within the limits, deletes go through.
  for (const s of SERVICES.slice(0, 5)) p.k8s.apply(httpRoute(`${s}-route`, 'r', s, [`/${s}`]));
  p.k8s.deleteObject('HTTPRoute', 'r', 's8-route');
  const next = await p.runReconcile();
  t.is(next?.deleted, 1);
  t.is(routeFor(p, 'r', 's8'), undefined);
});
