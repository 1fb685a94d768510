// Safety guards of the scheduled reconcile (docs/architecture.md §5.3): a partial cluster read stops the run before
// any delete; an empty cluster cannot wipe what gamma-csm owns without an explicit override; two
// clusters writing into one project never touch each other's resources.
import test from 'ava';
import { startK8sEmulator } from '../../infra/local/k8s/index.ts';
import type { K8sEmulator } from '../../infra/local/k8s/index.ts';
import { startPipeline } from '../../infra/local/pipeline.ts';
import type { Pipeline } from '../../infra/local/pipeline.ts';
import { loadConfig } from '../../shared/config/index.ts';
import { createDeps, makeLogger } from '../../shared/pipeline/index.ts';
import type { PipelineDeps } from '../../shared/pipeline/index.ts';
import { NetsvcClient } from '../../shared/netsvc/client.ts';
import { deletesIn, fingerprint, httpRoute, namespace, reconcileTick, service } from './support.ts';

const open: { close(): Promise<unknown> }[] = [];
test.after.always(async () => {
  for (const o of open.reverse()) await o.close().catch(() => undefined);
});

async function pipeline(env: Record<string, string> = {}, clusterId = 'alpha'): Promise<Pipeline> {
  const p = await startPipeline({
    watcher: false,
    clusterId,
    env: { GAMMA_MAX_DELETE_ABSOLUTE: '3', ...env },
  });
  open.push(p);
  return p;
}

function seedRoutes(k8s: K8sEmulator, ns: string, n: number): void {
  k8s.apply(namespace(ns));
  for (let i = 0; i < n; i++) {
    k8s.apply(service(`s${i}`, ns));
    k8s.apply(httpRoute(`r${i}`, ns, `s${i}`, `/p${i}`));
  }
}

test('a cluster listing that fails on page 3 of 5 stops reconcile before any delete', async (t) => {
  const p = await pipeline();
  seedRoutes(p.k8s, 'shop', 4);
  const first = await reconcileTick(p.deps);
  t.is(first.handled?.ran && first.handled.summary.created, 5, 'mesh + 4 routes created');
  // 2 100 Services: five pages of 500. Every route's parent vanishes if page 3 were read as empty.
  p.k8s.apply(namespace('bulk'));
  for (let i = 0; i < 2100; i++) p.k8s.apply(service(`b${String(i).padStart(4, '0')}`, 'bulk'));
  const before = fingerprint(p.netsvc);
  p.netsvc.resetStats();
  p.k8s.failListPage(3, { resource: 'services', code: 500 });
  const failed = await reconcileTick(p.deps);
  t.truthy(failed.error, 'the run throws, so Pub/Sub redelivers the tick');
  t.regex(failed.error?.message ?? '', /reading the cluster[\s\S]*nothing planned/);
  t.is(deletesIn(p.netsvc), 0);
  t.is(p.netsvc.stats().writes, 0, 'nothing written at all');
  t.deepEqual(fingerprint(p.netsvc), before);
  t.true(
    p.logs.some((l) => l.includes('"severity":"ERROR"') && l.includes('reconcile failed, nothing applied')),
  );
  const pages = p.k8s.requests.filter((r) => r.path.endsWith('/services') && r.method === 'GET');
  t.true(pages.length >= 3, `pages requested: ${pages.length}`);
  // The fault was one-shot: the next run reads everything and changes nothing.
  const next = await reconcileTick(p.deps);
  t.is(next.handled?.ran && next.handled.summary.deleted, 0);
  t.deepEqual(fingerprint(p.netsvc), before);
});

test('a failing route listing (first page) also stops reconcile before any delete', async (t) => {
  const p = await pipeline();
  seedRoutes(p.k8s, 'shop', 3);
  await reconcileTick(p.deps);
  const before = fingerprint(p.netsvc);
  p.k8s.failListPage(1, { resource: 'httproutes', code: 503, times: 1 });
  const failed = await reconcileTick(p.deps);
  t.truthy(failed.error);
  t.deepEqual(fingerprint(p.netsvc), before);
});

test('an empty cluster with many owned resources: the mass-deletion guard refuses loudly until overridden', async (t) => {
  const p = await pipeline({ GAMMA_MAX_DELETE_FRACTION: '0.5', GAMMA_MAX_DELETE_ABSOLUTE: '3' });
  seedRoutes(p.k8s, 'shop', 12);
  await reconcileTick(p.deps);
  t.is(p.netsvc.resources('httpRoutes').length, 12);
  for (let i = 0; i < 12; i++) p.k8s.deleteObject('HTTPRoute', 'shop', `r${i}`);
  const before = fingerprint(p.netsvc);
  p.netsvc.resetStats();
  const guarded = await reconcileTick(p.deps);
  const summary = guarded.handled?.ran ? guarded.handled.summary : undefined;
  t.truthy(summary, guarded.error?.message);
  t.is(summary?.deleted, 0);
  t.is(summary?.refused, 12, 'every delete refused, and counted in the summary');
  t.is(deletesIn(p.netsvc), 0);
  t.deepEqual(fingerprint(p.netsvc), before);
  const warning = p.logs.filter((l) => l.includes('"severity":"WARNING"') && l.includes('12 refused'));
  t.is(warning.length, 1, 'one WARNING summary line names the refusals');

  // The explicit override (GAMMA_FORCE_DELETE / --force-delete) lets the same run through.
  const forced: PipelineDeps = {
    ...p.deps,
    settings: { ...p.deps.settings, plan: { ...p.deps.settings.plan, forceDelete: true } },
  };
  const override = await reconcileTick(forced);
  t.is(override.handled?.ran && override.handled.summary.deleted, 12);
  t.is(p.netsvc.resources('httpRoutes').length, 0);
});

// The refusal names its reason and the override in the summary's errors and the log line.
test('the mass-deletion refusal says why and how to override, in the log and the summary', async (t) => {
  const p = await pipeline({ GAMMA_MAX_DELETE_ABSOLUTE: '3' });
  seedRoutes(p.k8s, 'shop', 8);
  await reconcileTick(p.deps);
  for (let i = 0; i < 8; i++) p.k8s.deleteObject('HTTPRoute', 'shop', `r${i}`);
  const guarded = await reconcileTick(p.deps);
  const summary = guarded.handled?.ran ? guarded.handled.summary : undefined;
  t.true(
    summary?.errors.some((e) => /would delete 8 of 8/.test(e)) ?? false,
    JSON.stringify(summary?.errors),
  );
  t.true(p.logs.some((l) => /would delete 8 of 8/.test(l) && /force/i.test(l)));
});

/** A second cluster's functions on their own k8s stand-in, writing into the first one's NS emulator. */
async function secondCluster(
  p: Pipeline,
  clusterId: string,
): Promise<{ k8s: K8sEmulator; deps: PipelineDeps; logs: string[] }> {
  const k8s = await startK8sEmulator({ port: 0, host: '127.0.0.1' });
  open.push(k8s);
  const config = loadConfig(
    {
      GAMMA_PROJECT: p.project,
      // Mesh hostnames are global: two clusters with the same Service names need a Mesh each.
      GAMMA_MESH: `${clusterId}-mesh`,
      GAMMA_CLUSTER_ID: clusterId,
      GAMMA_KUBECONFIG: k8s.kubeconfigPath,
      GAMMA_NETSVC_ENDPOINT: p.netsvc.url,
      GAMMA_COMPUTE_ENDPOINT: p.compute.url,
      GAMMA_FORCE_DELETE: 'true',
    },
    'reconcile',
  );
  const logs: string[] = [];
  const log = makeLogger('json', { component: clusterId }, (l) => logs.push(l), 'DEBUG');
  const netsvc = new NetsvcClient({ project: p.project, location: 'global', endpoint: p.netsvc.url });
  return { k8s, deps: createDeps(config, { log, netsvc }), logs };
}

test('two clusters writing to one project never touch each other’s resources', async (t) => {
  const a = await pipeline({ GAMMA_FORCE_DELETE: 'true' }, 'alpha');
  const b = await secondCluster(a, 'beta');
  // Same namespaces, Services and routes in both clusters: only the cluster id tells them apart.
  seedRoutes(a.k8s, 'shop', 3);
  seedRoutes(b.k8s, 'shop', 3);
  await reconcileTick(a.deps);
  const rb = await reconcileTick(b.deps);
  t.is(rb.handled?.ran && rb.handled.summary.created, 4, 'beta creates its own Mesh and 3 routes');
  const routes = a.netsvc.resources('httpRoutes') as { name: string; labels: Record<string, string> }[];
  t.is(routes.length, 6);
  t.deepEqual(routes.map((r) => r.labels['gamma-csm-cluster']).sort(), [
    'alpha',
    'alpha',
    'alpha',
    'beta',
    'beta',
    'beta',
  ]);
  const alphaOnly = () =>
    new Map([...fingerprint(a.netsvc)].filter(([, v]) => v.includes('"gamma-csm-cluster":"alpha"')));
  const alphaBefore = alphaOnly();

  // beta's cluster empties (force-delete on): beta deletes its own routes, not alpha's.
  for (let i = 0; i < 3; i++) b.k8s.deleteObject('HTTPRoute', 'shop', `r${i}`);
  const emptied = await reconcileTick(b.deps);
  t.is(emptied.handled?.ran && emptied.handled.summary.deleted, 3);
  t.deepEqual(alphaOnly(), alphaBefore, "alpha's resources byte-for-byte untouched");
  t.is(a.netsvc.resources('httpRoutes').length, 3);

  // alpha edits and reconciles: beta's Mesh is left as it is.
  const betaMesh = fingerprint(a.netsvc).get(`projects/${a.project}/locations/global/meshes/beta-mesh`);
  a.k8s.apply(httpRoute('r0', 'shop', 's0', '/changed'));
  const ra = await reconcileTick(a.deps);
  t.is(ra.handled?.ran && ra.handled.summary.updated, 1);
  t.is(ra.handled?.ran && ra.handled.summary.refused, 0);
  const meshes = (a.netsvc.resources('meshes') as { name: string; labels: Record<string, string> }[]).map(
    (m) => `${m.name.split('/').pop()}=${m.labels['gamma-csm-cluster']}`,
  );
  t.deepEqual(meshes.sort(), ['beta-mesh=beta', 'gamma-mesh=alpha']);
  t.is(fingerprint(a.netsvc).get(`projects/${a.project}/locations/global/meshes/beta-mesh`), betaMesh);
  t.true(
    b.logs.every((l) => !l.includes('"severity":"ERROR"')),
    'beta logged no errors',
  );
});
