// The Gateway API CRDs deleted, as the pipeline sees it (docs/security.md §6): every HTTPRoute and
// GRPCRoute vanishes at once. With a small delete budget (GAMMA_DELETE_BUDGET=5, the default
// 600-s window, far longer than the test) at most 5 Network Services routes and Compute resources
// are deleted, across the sync events and the reconcile after them; the rest are refused naming
// GAMMA_FORCE_DELETE, while Network Services and Compute fail some requests. The reconcile's fraction guard is opened wide so the budget alone must hold.
// Once the routes are re-created, everything converges again.
import test from 'ava';
import { startPipeline } from '../../infra/local/pipeline.ts';
import type { Pipeline } from '../../infra/local/pipeline.ts';
import type { KubeObj } from '../../infra/local/k8s/index.ts';
import { RESOURCES } from '../../infra/local/k8s/resources.ts';
import { seededRandom } from '../../infra/local/netsvc/faults.ts';
import { readClusterSnapshot } from '../../shared/cluster/index.ts';
import { translate } from '../../shared/translate/index.ts';
import { labelValue } from '../../shared/translate/names.ts';
import { stateDiff, statusDiff } from './check.ts';
import { computeDiff } from './compute-check.ts';
import { World } from './world.ts';

const CLUSTER = 'crd';
const BUDGET = 5;
const ROUTE_KINDS = ['HTTPRoute', 'GRPCRoute'];

function routesOf(p: Pipeline): KubeObj[] {
  return RESOURCES.filter((d) => ROUTE_KINDS.includes(d.kind)).flatMap((def) =>
    p.k8s.store.list({ def, labels: [], fields: [] }).map((e) => e.obj),
  );
}

/** Successful DELETEs of distinct Network Services routes and Compute resources since `since`. */
function deletedSince(p: Pipeline, since: number): string[] {
  const ok = (e: { t: number; method: string; status: number }) =>
    e.t >= since && e.method === 'DELETE' && e.status >= 200 && e.status < 300;
  const ns = p.netsvc.requestLog().filter((e) => ok(e) && /Routes$/.test(e.collection));
  const compute = p.compute
    .requestLog()
    .filter((e) => ok(e) && ['backendServices', 'healthChecks'].includes(e.collection));
  return [...new Set([...ns, ...compute].map((e) => e.path))];
}

async function converged(p: Pipeline): Promise<string[]> {
  const cluster = await readClusterSnapshot(p.kube);
  const desired = translate(cluster, p.deps.settings.translate);
  return [
    ...stateDiff(desired, p.netsvc, labelValue(CLUSTER)),
    ...statusDiff(desired, p.k8s, p.deps.settings.controllerName),
    ...computeDiff(desired, cluster.services, p.compute, { project: p.project, clusterId: CLUSTER }),
  ];
}

const ownedRoutes = (p: Pipeline) =>
  (['httpRoutes', 'grpcRoutes'] as const).flatMap((k) =>
    (p.netsvc.resources(k) as { labels?: Record<string, string> }[]).filter(
      (r) => r.labels?.['gamma-csm-cluster'] === labelValue(CLUSTER),
    ),
  ).length;

test('CRD deletion: every route gone at once, the delete budget holds across sync and reconcile, re-created routes converge', async (t) => {
  const p = await startPipeline({
    clusterId: CLUSTER,
    env: {
      GAMMA_DELETE_BUDGET: String(BUDGET),
      GAMMA_MAX_DELETE_FRACTION: '1',
      GAMMA_MAX_DELETE_ABSOLUTE: '100000',
    },
  });
  try {
    new World(p.k8s, seededRandom(22)).seed(16);
    await p.idle(30_000);
    await p.runReconcile();
    t.deepEqual(await converged(p), [], 'converged before the deletion');
    const before = ownedRoutes(p);
    t.true(before > BUDGET, `more routes (${before}) than the budget, or the test proves nothing`);

    // All routes vanish at once, as when the CRDs are deleted, while Network Services and Compute
    // answer some requests 503 and Pub/Sub duplicates deliveries (retried deletes spend no more).
    const saved = routesOf(p);
    const since = Date.now();
    p.netsvc.setFaults({ errorRates: { '*': { '503': 0.2 } }, seed: 22 });
    p.compute.setFaults({ errorRates: { '*': { '503': 0.2 } }, seed: 22 });
    p.pubsub.setFaults({ duplicateRate: 0.3, reorder: true, delayMs: 0 });
    for (const r of saved) p.k8s.deleteObject(r.kind, r.metadata.namespace, r.metadata.name);
    await p.idle(30_000);
    p.netsvc.clearFaults();
    p.compute.clearFaults();
    p.pubsub.setFaults({ duplicateRate: 0, reorder: false, delayMs: 0 });
    const afterSync = deletedSince(p, since);
    const summary = await p.runReconcile();
    await p.idle(30_000);
    const deleted = deletedSince(p, since);
    t.log(`${before} routes; sync deleted ${afterSync.length}, with the reconcile ${deleted.length}`);
    t.true(deleted.length <= BUDGET, `at most ${BUDGET} deletes, got ${deleted.join(', ')}`);
    t.true(deleted.length > 0, 'the budget allowed some deletes');
    t.true(ownedRoutes(p) >= before - BUDGET, 'the refused routes are still there');

    const syncRefusals = p.syncResults
      .flatMap((h) => (h.acked === 'processed' && h.outcome.result === 'applied' ? h.outcome.messages : []))
      .filter((m) => m.includes('delete budget spent'));
    t.true(syncRefusals.length > 0, 'sync refused deletes over the budget');
    t.true(
      syncRefusals.every((m) => m.includes('GAMMA_FORCE_DELETE')),
      'sync refusals name the override',
    );
    const reconcileRefusals = (summary?.errors ?? []).filter((m) => m.includes('delete budget spent'));
    t.true(reconcileRefusals.length > 0, `the reconcile refused too: ${JSON.stringify(summary?.errors)}`);
    t.true(reconcileRefusals.every((m) => m.includes('GAMMA_FORCE_DELETE')));

    // The routes come back: creates are not budgeted, and everything converges.
    for (const r of saved)
      p.k8s.apply({
        apiVersion: r.apiVersion,
        kind: r.kind,
        metadata: { name: r.metadata.name, namespace: r.metadata.namespace },
        spec: r.spec,
      });
    await p.idle(30_000);
    const final = await p.runReconcile();
    await p.idle(30_000);
    t.is(final?.failed, 0);
    t.deepEqual(await converged(p), [], 'converged after the routes came back');
    t.true(deletedSince(p, since).length <= BUDGET, 'no further deletes within the window');
  } finally {
    await p.close();
  }
});
