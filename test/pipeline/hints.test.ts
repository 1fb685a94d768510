// The pure pieces behind "events are hints" and the per-parent caps (shared/pipeline/limits.ts,
// liveness.ts confirmedSnapshot, sequence-labels.ts boundSequences, events withinCluster).
import test from 'ava';
import { ROUTE_EVENT_SCHEMA, withinCluster } from '../../shared/events/index.ts';
import type { RouteEvent } from '../../shared/events/index.ts';
import { isPermanentStatusFailure } from '../../shared/cluster/index.ts';
import type { HTTPRoute, Service } from '../../shared/gamma/types.ts';
import { DEFAULT_LIMITS, oversizedBy, scopeToOwner } from '../../shared/pipeline/limits.ts';
import { checkFreshness, confirmedSnapshot } from '../../shared/pipeline/liveness.ts';
import type { LiveObjects } from '../../shared/pipeline/liveness.ts';
import { candidatePorts } from '../../shared/pipeline/parent-scope.ts';
import { LABEL_SEQUENCE, boundSequences } from '../../shared/pipeline/sequence-labels.ts';
import type { Desired, NsHttpRoute } from '../../shared/translate/types.ts';

const svc = (name: string, ns = 'ns', ports = [80]): Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: ns, uid: `uid-${ns}-${name}` },
  spec: { ports: ports.map((port) => ({ port })) },
});

const route = (name: string, ns: string, ports: number[], backend = 'a'): HTTPRoute =>
  ({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name, namespace: ns, uid: `uid-${ns}-${name}` },
    spec: {
      parentRefs: ports.map((port) => ({ group: '', kind: 'Service', namespace: 'ns', name: 'a', port })),
      rules: [{ backendRefs: [{ name: backend, namespace: ns, port: 80 }] }],
    },
  }) as HTTPRoute;

const event = (services: Service[], routes: HTTPRoute[], extra: Partial<RouteEvent> = {}): RouteEvent => ({
  schema: ROUTE_EVENT_SCHEMA,
  cluster: 'c1',
  parent: { namespace: 'ns', name: 'a' },
  sequence: '10',
  emittedAt: '2026-01-01T00:00:00Z',
  reason: [],
  snapshot: { services, httpRoutes: routes, grpcRoutes: [], serviceNamespacesByName: { a: ['ns'] } },
  ...extra,
});

test('candidate ports come from the Service, previous ports and producer routes, never consumer routes', (t) => {
  const e = event([svc('a')], [route('own', 'ns', [81]), route('grab', 'x', [1000, 1001, 1002])], {
    previousPorts: [82],
  });
  t.deepEqual(candidatePorts(e), [80, 81, 82]);
});

test('scopeToOwner: consumer routes are capped and their backends only fill what the cap leaves', (t) => {
  const limits = { ...DEFAULT_LIMITS, maxRoutesPerSnapshot: 2, maxServicesPerSnapshot: 3 };
  const consumers = [0, 1, 2, 3].map((i) => route(`grab-${i}`, 'x', [80], `b${i}`));
  const backends = [0, 1, 2, 3].map((i) => svc(`b${i}`, 'x'));
  const e = event(
    [svc('a'), svc('own-backend'), ...backends],
    [route('own', 'ns', [80], 'own-backend'), ...consumers],
  );
  const scoped = scopeToOwner(e, limits);
  t.deepEqual(
    scoped.snapshot.httpRoutes.map((r) => r.metadata.name),
    ['own', 'grab-0', 'grab-1'],
  );
  t.deepEqual(
    scoped.snapshot.services.map((s) => s.metadata.name),
    ['a', 'own-backend', 'b0'],
    'the owner’s Services first; consumer backends only in the room left',
  );
  t.is(oversizedBy(scoped, limits), undefined, 'consumer routes never make the owner oversized');
});

test('oversizedBy names the cap and the variable that raises it', (t) => {
  const limits = { ...DEFAULT_LIMITS, maxRoutesPerSnapshot: 1, maxPortsPerParent: 2 };
  t.regex(
    oversizedBy(event([svc('a')], [route('r1', 'ns', [80]), route('r2', 'ns', [80])]), limits) ?? '',
    /2 producer routes, over the limit of 1 .*GAMMA_MAX_ROUTES_PER_SNAPSHOT/,
  );
  t.regex(
    oversizedBy(event([svc('a', 'ns', [80, 81, 82])], []), limits) ?? '',
    /3 candidate ports, over the limit of 2 .*GAMMA_MAX_PORTS_PER_PARENT/,
  );
  t.is(oversizedBy(event([svc('a')], [route('r1', 'ns', [80])]), limits), undefined);
});

test('confirmedSnapshot: the cluster’s copies; what it lacks is dropped; the short-name fact is the listed one', (t) => {
  const real = route('real', 'ns', [80]);
  const invented = route('evil', 'ns', [80]);
  const liveReal = { ...real, spec: { ...real.spec, rules: [] } } as HTTPRoute;
  const live: LiveObjects = {
    service: svc('a'),
    routes: new Map([
      ['HTTPRoute ns/real', liveReal],
      ['HTTPRoute ns/evil', null],
    ]),
    services: new Map([
      ['ns/a', svc('a')],
      ['ns/ghost', null],
    ]),
    shortNameNamespaces: ['ns', 'other'],
    resourceVersion: '99',
  };
  const e = event([svc('a'), svc('ghost')], [real, invented]);
  const confirmed = confirmedSnapshot(e, live);
  t.deepEqual(confirmed.httpRoutes, [liveReal]);
  t.deepEqual(
    confirmed.services.map((s) => s.metadata.name),
    ['a'],
  );
  t.deepEqual(confirmed.serviceNamespacesByName, { a: ['ns', 'other'] });
  t.like(checkFreshness(e, live), { fresh: false });
  const claimed = event([svc('a')], [], {
    snapshot: { ...e.snapshot, services: [svc('a')], httpRoutes: [] },
  });
  t.like(
    checkFreshness(claimed, { ...live, routes: new Map() }),
    { fresh: false, why: 'the namespaces with a Service named a differ from the snapshot' },
    'a forged short-name fact (would emit a hijacking short hostname) is not confirmed',
  );
});

test('withinCluster and boundSequences: labels the cluster cannot have issued are reset, others kept', (t) => {
  t.is(withinCluster('50', '100'), '50');
  t.is(withinCluster('150', '100'), undefined);
  t.is(withinCluster('9'.repeat(40), 'x'), undefined, 'above int64');
  t.is(withinCluster('abc', '100'), undefined);
  const r = (id: string, seq: string) =>
    ({
      name: `projects/p/locations/global/httpRoutes/${id}`,
      labels: { [LABEL_SEQUENCE]: seq },
    }) as NsHttpRoute;
  const desired = {
    httpRoutes: [r('ok', '50'), r('poisoned', '9'.repeat(40)), r('junk', 'x')],
    grpcRoutes: [],
  } as unknown as Desired;
  const bound = boundSequences(desired, '100');
  t.deepEqual(
    bound.httpRoutes.map((h) => h.labels?.[LABEL_SEQUENCE]),
    ['50', '100', '100'],
  );
});

test('status failures: 4xx but 408, 409, 429 are permanent', (t) => {
  for (const code of [400, 403, 404, 422]) t.true(isPermanentStatusFailure(code), String(code));
  for (const code of [408, 409, 429, 500, 503, undefined])
    t.false(isPermanentStatusFailure(code), String(code));
});
