// The Compute planner: ownership by description, managed fields only, fingerprints on updates,
// deletes only when asked and under the mass-deletion guard, health checks kept while used.
import test from 'ava';
import { desiredCompute, ownerDescription } from '../../shared/compute/desired.ts';
import { computePhases, planCompute } from '../../shared/compute/plan.ts';
import type { ActualCompute, ComputeBackendService, ComputeHealthCheck } from '../../shared/compute/types.ts';
import type { Service } from '../../shared/gamma/types.ts';

const OPTS = { project: 'p1', clusterId: 'c1' };

function svc(name: string, zones: string[]): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name,
      namespace: 'ns',
      annotations: {
        'cloud.google.com/neg-status': JSON.stringify({
          network_endpoint_groups: { 80: `neg-${name}` },
          zones,
        }),
      },
    },
    spec: { ports: [{ port: 80 }] },
  } as Service;
}

const mapping = (name: string) => ({
  serviceName: `projects/p1/locations/global/backendServices/bs-${name}`,
  namespace: 'ns',
  service: name,
  port: 80,
});

/** What the API answers for a body: server fields added, URLs as given. */
function live<T extends ComputeBackendService | ComputeHealthCheck>(body: T, extra: object = {}): T {
  return {
    ...body,
    id: '123',
    kind: 'compute#x',
    creationTimestamp: '2026-01-01T00:00:00Z',
    fingerprint: 'fp1',
    timeoutSec: 30,
    ...extra,
  };
}

const state = (bs: ComputeBackendService[], hc: ComputeHealthCheck[]): ActualCompute => ({
  backendServices: bs,
  healthChecks: hc,
  complete: true,
});

test('nothing exists: health check and backend service created, health checks first', (t) => {
  const desired = desiredCompute([svc('a', ['us-central1-a'])], [mapping('a')], OPTS);
  const p = planCompute(desired, state([], []), { clusterId: 'c1', deletes: false });
  t.deepEqual(
    p.creates.map((c) => c.kind),
    ['healthChecks', 'backendServices'],
  );
  const phases = computePhases(p);
  t.deepEqual(
    phases.beforeRoutes.map((ph) => ph.map((s) => s.item.kind)),
    [['healthChecks'], ['backendServices']],
  );
  t.deepEqual(phases.afterRoutes, []);
});

test('as the API returns it (server fields, defaults): unchanged, 0 writes', (t) => {
  const desired = desiredCompute([svc('a', ['us-central1-b', 'us-central1-a'])], [mapping('a')], OPTS);
  const actual = state(
    desired.backendServices.map((b) =>
      live(b, { backends: [...(b.backends ?? [])].reverse().map((x) => ({ ...x, capacityScaler: 1 })) }),
    ),
    desired.healthChecks.map((h) => live(h, { checkIntervalSec: 5 })),
  );
  const p = planCompute(desired, actual, { clusterId: 'c1', deletes: true });
  t.is(p.unchanged, 2);
  t.deepEqual([p.creates, p.updates, p.deletes, p.refused], [[], [], [], []]);
});

test('a zone change patches the backends with the live fingerprint', (t) => {
  const before = desiredCompute([svc('a', ['us-central1-a', 'us-central1-b'])], [mapping('a')], OPTS);
  const after = desiredCompute([svc('a', ['us-central1-a', 'us-central1-c'])], [mapping('a')], OPTS);
  const actual = state(
    before.backendServices.map((b) => live(b)),
    before.healthChecks.map((h) => live(h)),
  );
  const p = planCompute(after, actual, { clusterId: 'c1', deletes: false });
  t.is(p.updates.length, 1);
  t.deepEqual(
    p.updates[0].diff.map((d) => d.field),
    ['backends'],
  );
  t.is((p.updates[0].body as ComputeBackendService).fingerprint, 'fp1');
});

test('foreign and other-cluster resources are refused, never updated or deleted', (t) => {
  const desired = desiredCompute([svc('a', ['us-central1-a'])], [mapping('a')], OPTS);
  const foreign = { ...desired.backendServices[0], description: 'made by hand' };
  const otherHc = {
    ...desired.healthChecks[0],
    description: ownerDescription({ cluster: 'c2', healthCheck: 'tcp' }),
  };
  const stray = { name: 'gamma-other', description: 'not ours', healthChecks: [] };
  const p = planCompute(desired, state([live(foreign), live(stray)], [live(otherHc)]), {
    clusterId: 'c1',
    deletes: true,
    forceDelete: true,
  });
  t.deepEqual(p.refused.map((r) => r.kind).sort(), ['backendServices', 'healthChecks']);
  t.regex(p.refused.find((r) => r.kind === 'backendServices')?.reason ?? '', /not gamma-csm's/);
  t.regex(p.refused.find((r) => r.kind === 'healthChecks')?.reason ?? '', /cluster "c2"/);
  t.deepEqual([p.updates, p.deletes, p.creates], [[], [], []]);
});

test('deletes: owned and unwanted only, health check kept while any remaining backend service uses it', (t) => {
  const desired = desiredCompute([svc('a', ['us-central1-a'])], [mapping('a')], OPTS);
  const gone = desiredCompute([svc('b', ['us-central1-a'])], [mapping('b')], OPTS).backendServices[0];
  const actual = state([live(desired.backendServices[0]), live(gone)], [live(desired.healthChecks[0])]);
  const p = planCompute(desired, actual, { clusterId: 'c1', deletes: true });
  t.deepEqual(
    p.deletes.map((d) => d.id),
    ['bs-b'],
  );
  const none = planCompute({ healthChecks: [], backendServices: [] }, actual, {
    clusterId: 'c1',
    deletes: true,
  });
  t.deepEqual(
    none.deletes.map((d) => d.kind),
    ['backendServices', 'backendServices', 'healthChecks'],
  );
  t.deepEqual(
    computePhases(none).afterRoutes.map((ph) => ph[0].item.kind),
    ['backendServices', 'healthChecks'],
  );
  const noDeletes = planCompute({ healthChecks: [], backendServices: [] }, actual, {
    clusterId: 'c1',
    deletes: false,
  });
  t.deepEqual(noDeletes.deletes, []);
});

test('mass-deletion guard: refuses past both share and number unless forced', (t) => {
  const services = Array.from({ length: 10 }, (_, i) => svc(`s${i}`, ['us-central1-a']));
  const all = desiredCompute(
    services,
    services.map((s) => mapping(s.metadata.name)),
    OPTS,
  );
  const actual = state(
    all.backendServices.map((b) => live(b)),
    all.healthChecks.map((h) => live(h)),
  );
  const empty = { healthChecks: [], backendServices: [] };
  const guarded = planCompute(empty, actual, { clusterId: 'c1', deletes: true });
  t.is(guarded.deletes.length, 0);
  t.is(guarded.refused.length, 11);
  t.regex(guarded.refused[0].reason, /REFUSED: would delete 11 of 11/);
  t.is(planCompute(empty, actual, { clusterId: 'c1', deletes: true, forceDelete: true }).deletes.length, 11);
});

test('an incomplete read plans nothing', (t) => {
  const p = planCompute(
    { healthChecks: [], backendServices: [] },
    { ...state([], []), complete: false },
    { clusterId: 'c1', deletes: true },
  );
  t.is(p.errors.length, 1);
});
