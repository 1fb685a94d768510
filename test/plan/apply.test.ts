// applyPlan and readActualState against the real emulator over loopback, through the real client.
import test from 'ava';
import { maxInWindow, startNetsvcEmulator, type NetsvcEmulator } from '../../infra/local/netsvc/server.ts';
import { NetsvcClient, type NetsvcClientOptions } from '../../shared/netsvc/client.ts';
import { applyPlan, readActualState } from '../../shared/netsvc/apply.ts';
import { isEmptyPlan, plan, type Plan, type PlanOptions } from '../../shared/plan/index.ts';
import { OPTS, desired, grpcRoute, httpRoute, mesh } from './builders.ts';

const MANAGED: PlanOptions = { ...OPTS, manageMesh: true };
const emulators: NetsvcEmulator[] = [];

async function setup(clientOptions: Partial<NetsvcClientOptions> = {}) {
  const emu = await startNetsvcEmulator({ port: 0 });
  emulators.push(emu);
  const client = new NetsvcClient({
    project: 'p',
    location: 'global',
    endpoint: emu.url,
    pollIntervalMs: 5,
    retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 },
    ...clientOptions,
  });
  return { emu, client };
}

test.after.always(async () => {
  await Promise.all(emulators.map((e) => e.close()));
});

/** Distinct hostnames per route: the API rejects two routes with one hostname on a Mesh. */
const routes = (n: number) =>
  Array.from({ length: n }, (_, i) => httpRoute(`r${i}`, { hostnames: [`r${i}.apps.svc.cluster.local`] }));

async function planAgainst(client: NetsvcClient, d = desired(), options = MANAGED): Promise<Plan> {
  const actual = await readActualState(client);
  return plan(d, actual.state, options);
}

test('creates the Mesh then the routes, with many operations in flight; a second plan is empty', async (t) => {
  const { emu, client } = await setup({ maxConcurrency: 16, requestsPerSecond: 1000 });
  emu.setFaults({ operationDelay: { ms: 300 } });
  const d = desired({ httpRoutes: routes(20), grpcRoutes: [grpcRoute('g')] });
  const first = await planAgainst(client, d);
  t.is(first.creates.length, 22);
  const progress: number[] = [];
  const result = await applyPlan(client, first, { onProgress: (done) => progress.push(done) });
  t.true(result.ok, JSON.stringify(result.items.filter((i) => i.status !== 'done')));
  t.deepEqual(
    progress,
    Array.from({ length: 22 }, (_, i) => i + 1),
  );
  // The Mesh phase finished before any route started (ms is per item; order of records shows phases).
  t.is(result.items[0].kind, 'meshes');
  // Each operation takes >= 300 ms, so a sequential applier could start at most one route create per
  // 300 ms window; more than one proves the creates overlap.
  const routePosts = emu
    .requestLog()
    .filter((r) => r.method === 'POST' && r.collection !== 'meshes')
    .map((r) => r.t);
  t.is(routePosts.length, 21);
  const overlapping = maxInWindow(routePosts, 300);
  t.true(overlapping > 1, `at most ${overlapping} route creates started per 300 ms`);
  t.log(
    `22 creates with 300 ms operations: ${result.ms} ms; up to ${overlapping} route creates started within 300 ms`,
  );
  t.is(emu.resources('httpRoutes').length, 20);
  emu.resetStats();
  const second = await planAgainst(client, d);
  t.true(isEmptyPlan(second), JSON.stringify(second.updates.map((u) => [u.id, u.diff])));
  t.is(emu.stats().writes, 0);
});

test('a failed Mesh create skips the routes that need it; a re-run converges', async (t) => {
  const { emu, client } = await setup();
  const d = desired({ httpRoutes: routes(3) });
  emu.setFaults({ failOperationRate: 1 });
  const result = await applyPlan(client, await planAgainst(client, d));
  t.false(result.ok);
  t.deepEqual(
    result.items.map((i) => `${i.action} ${i.kind}/${i.id} ${i.status}`),
    [
      'create meshes/m failed',
      'create httpRoutes/r0 skipped',
      'create httpRoutes/r1 skipped',
      'create httpRoutes/r2 skipped',
    ],
  );
  t.regex(result.items[0].error ?? '', /operation .* failed/);
  t.regex(result.items[1].error ?? '', /mesh m was not created/);
  emu.clearFaults();
  t.true((await applyPlan(client, await planAgainst(client, d))).ok);
  t.true(isEmptyPlan(await planAgainst(client, d)));
});

test('with 503s, 429s and failing operations each item reports its own outcome; a re-run converges', async (t) => {
  const { emu, client } = await setup({ retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 } });
  const d = desired({ httpRoutes: routes(12) });
  t.true((await applyPlan(client, await planAgainst(client, desired()))).ok); // the Mesh
  emu.setFaults({ seed: 7, failOperationRate: 0.3, errorRates: { POST: { '503': 0.3, '429': 0.2 } } });
  const result = await applyPlan(client, plan(d, (await readActualState(client)).state, MANAGED));
  const failed = result.items.filter((i) => i.status === 'failed');
  t.false(result.ok);
  t.true(failed.length > 0 && failed.length < 12, `${failed.length} failed`);
  for (const f of failed) t.truthy(f.error);
  t.is(result.items.length, 12);
  t.is(emu.resources('httpRoutes').length, 12 - failed.length);
  emu.clearFaults();
  const rerun = await applyPlan(client, await planAgainst(client, d));
  t.true(rerun.ok);
  t.is(rerun.items.length, failed.length);
  t.true(isEmptyPlan(await planAgainst(client, d)));
});

test('a failed route delete skips the delete of its Mesh', async (t) => {
  const { emu, client } = await setup();
  t.true((await applyPlan(client, await planAgainst(client, desired({ httpRoutes: routes(1) })))).ok);
  emu.setFaults({ failOperationRate: 1 });
  const p: Plan = {
    creates: [],
    updates: [],
    deletes: [
      { kind: 'httpRoutes', id: 'r0', name: httpRoute('r0').name!, body: routes(1)[0] },
      { kind: 'meshes', id: 'm', name: mesh().name!, body: mesh() },
    ],
    refused: [],
    unchanged: 0,
    errors: [],
  };
  const result = await applyPlan(client, p);
  t.deepEqual(
    result.items.map((i) => `${i.action} ${i.kind}/${i.id} ${i.status}`),
    ['delete httpRoutes/r0 failed', 'delete meshes/m skipped'],
  );
  t.is(emu.resources('meshes').length, 1);
});

test('a plan with errors is not applied at all', async (t) => {
  const { emu, client } = await setup();
  const p = await planAgainst(client, desired({ httpRoutes: routes(1) }), OPTS); // mesh missing, not managed
  t.deepEqual(p.errors, ['mesh m not found; create it or pass --manage-mesh']);
  emu.resetStats();
  const result = await applyPlan(client, p);
  t.false(result.ok);
  t.deepEqual(result.items, []);
  t.is(emu.stats().requests, 0);
});

test('a failed listing reads as incomplete, never as "no routes"', async (t) => {
  const { emu, client } = await setup({ retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });
  t.true((await applyPlan(client, await planAgainst(client, desired({ httpRoutes: routes(2) })))).ok);
  emu.setFaults({ errorRates: { GET: { '503': 1 } } });
  const actual = await readActualState(client);
  t.false(actual.state.complete);
  t.regex(actual.error ?? '', /503/);
  const p = plan(desired(), actual.state, MANAGED);
  t.deepEqual(p.deletes, []);
  t.regex(p.errors[0], /incomplete/);
});

const SOURCES = ['examples/http-split', 'examples/grpc-methods', 'test/plan/fixtures/http-split'];
for (const source of SOURCES) {
  test(`translator output converges (${source}): after one apply the plan is empty, zero writes`, async (t) => {
    const { buildSnapshot, loadManifestPaths } = await import('../../shared/gamma/index.ts');
    const { translate } = await import('../../shared/translate/index.ts');
    const { emu, client } = await setup({ requestsPerSecond: 1000 });
    const parsed = await loadManifestPaths([source]);
    const built = buildSnapshot(parsed.objects);
    t.deepEqual([...parsed.errors, ...built.errors], []);
    const d = translate(built.snapshot, {
      project: 'p',
      location: 'global',
      mesh: 'm',
      clusterId: 'c1',
      controllerName: 'gamma-csm.dev/controller',
      clusterDomain: 'cluster.local',
    });
    t.true(d.httpRoutes.length + d.grpcRoutes.length > 0);
    const result = await applyPlan(client, await planAgainst(client, d));
    t.true(result.ok, JSON.stringify(result.items.filter((i) => i.status !== 'done')));
    emu.resetStats();
    const second = await planAgainst(client, d);
    t.deepEqual(
      second.updates.map((u) => [u.id, u.diff]),
      [],
    );
    t.true(isEmptyPlan(second));
    t.is(second.unchanged, 1 + d.httpRoutes.length + d.grpcRoutes.length);
    t.is(emu.stats().writes, 0);
  });
}
