// Properties of translate over generated snapshots: deterministic, independent of object order,
// unique hostnames per Mesh, valid ids, never throws on arbitrary JSON-ish routes.
import test from 'ava';
import fc from 'fast-check';
import { translate } from '../../shared/translate/index.ts';
import { ID_PATTERN } from '../../shared/translate/names.ts';
import type { HTTPRoute, Service } from '../../shared/gamma/types.ts';
import type { Snapshot } from '../../shared/translate/types.ts';
import { OPTIONS } from './support.ts';

const namespaces = ['a', 'a-b', 'b'];
const names = ['c', 'b-c', 'svc', 'api'];
const ports = [80, 8080, 7070];

const serviceArb: fc.Arbitrary<Service> = fc
  .record({
    ns: fc.constantFrom(...namespaces),
    name: fc.constantFrom(...names),
    ports: fc.uniqueArray(fc.constantFrom(...ports), { minLength: 1 }),
  })
  .map(({ ns, name, ports: list }) => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: ns },
    spec: { ports: list.map((port) => ({ name: `http-${port}`, port })) },
  }));

const matchArb = fc.record(
  {
    path: fc.record({
      type: fc.constantFrom('Exact', 'PathPrefix', 'RegularExpression'),
      value: fc.constantFrom('/', '/a', '/a/b', '/b/', '/[a-z]+', '/(x'),
    }),
    headers: fc.array(
      fc.record({ name: fc.constantFrom('x-a', 'X-A', 'x-b'), value: fc.constantFrom('1', '2') }),
      { maxLength: 2 },
    ),
    method: fc.constantFrom('GET', 'POST'),
  },
  { requiredKeys: [] },
);

const backendArb = fc.record({
  name: fc.constantFrom(...names, 'missing'),
  port: fc.constantFrom(...ports),
  weight: fc.integer({ min: 0, max: 5 }),
});

const httpRouteArb: fc.Arbitrary<HTTPRoute> = fc
  .record({
    ns: fc.constantFrom(...namespaces),
    name: fc.constantFrom('r1', 'r2', 'r3'),
    ts: fc.option(fc.constantFrom('2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z'), { nil: undefined }),
    parents: fc.array(
      fc.record({
        name: fc.constantFrom(...names),
        port: fc.option(fc.constantFrom(...ports), { nil: undefined }),
      }),
      { minLength: 1, maxLength: 2 },
    ),
    rules: fc.array(
      fc.record({
        matches: fc.array(matchArb, { maxLength: 2 }),
        backendRefs: fc.array(backendArb, { maxLength: 3 }),
      }),
      { minLength: 1, maxLength: 3 },
    ),
  })
  .map(({ ns, name, ts, parents, rules }) => ({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name, namespace: ns, ...(ts ? { creationTimestamp: ts } : {}) },
    spec: {
      parentRefs: parents.map((p) => ({
        group: '',
        kind: 'Service',
        name: p.name,
        ...(p.port ? { sectionName: `http-${p.port}` } : {}),
      })),
      rules,
    },
  }));

const snapshotArb: fc.Arbitrary<Snapshot> = fc.record({
  services: fc.array(serviceArb, { maxLength: 6 }),
  httpRoutes: fc.array(httpRouteArb, { maxLength: 4 }),
  grpcRoutes: fc.constant([]),
});

const RUNS = { numRuns: 100 };

function reversed(snapshot: Snapshot): Snapshot {
  return {
    ...snapshot,
    services: [...snapshot.services].reverse(),
    httpRoutes: [...snapshot.httpRoutes].reverse(),
    grpcRoutes: [...snapshot.grpcRoutes].reverse(),
  };
}

test('deterministic and independent of input order', (t) => {
  fc.assert(
    fc.property(snapshotArb, (snapshot) => {
      const once = JSON.stringify(translate(snapshot, OPTIONS));
      return (
        once === JSON.stringify(translate(snapshot, OPTIONS)) &&
        once === JSON.stringify(translate(reversed(snapshot), OPTIONS))
      );
    }),
    RUNS,
  );
  t.pass();
});

test('no two routes share a hostname on the Mesh, and every id is valid', (t) => {
  fc.assert(
    fc.property(snapshotArb, (snapshot) => {
      const desired = translate(snapshot, OPTIONS);
      const all = [...desired.httpRoutes, ...desired.grpcRoutes];
      const hostnames = all.flatMap((r) => r.hostnames ?? []);
      const ids = all.map((r) => (r.name ?? '').split('/').pop() ?? '');
      return (
        new Set(hostnames).size === hostnames.length &&
        ids.every((id) => ID_PATTERN.test(id)) &&
        new Set(ids).size === ids.length
      );
    }),
    RUNS,
  );
  t.pass();
});

test('every rule list is non-empty and every action names exactly one outcome', (t) => {
  fc.assert(
    fc.property(snapshotArb, (snapshot) =>
      translate(snapshot, OPTIONS).httpRoutes.every(
        (r) =>
          (r.rules ?? []).length > 0 &&
          (r.rules ?? []).every(
            (rule) =>
              [rule.action?.destinations, rule.action?.redirect, rule.action?.directResponse].filter(Boolean)
                .length === 1,
          ),
      ),
    ),
    RUNS,
  );
  t.pass();
});

test('never throws on arbitrary JSON-ish routes', (t) => {
  const junkRoute = fc.record({
    apiVersion: fc.constantFrom('gateway.networking.k8s.io/v1', 'x'),
    kind: fc.constantFrom('HTTPRoute', 'GRPCRoute'),
    metadata: fc.oneof(
      fc.record({ name: fc.constantFrom('r', 'q'), namespace: fc.constantFrom('a', 'b') }),
      fc.anything(),
    ),
    spec: fc.oneof(
      fc.anything(),
      fc.record({
        parentRefs: fc.array(
          fc.oneof(
            fc.record({
              group: fc.constant(''),
              kind: fc.constant('Service'),
              name: fc.constantFrom(...names),
            }),
            fc.anything(),
          ),
        ),
        rules: fc.anything(),
      }),
      fc.record({
        parentRefs: fc.constant([{ group: '', kind: 'Service', name: 'c' }]),
        rules: fc.array(
          fc.dictionary(
            fc.constantFrom('matches', 'filters', 'backendRefs', 'timeouts', 'retry', 'sessionPersistence'),
            fc.jsonValue(),
          ),
        ),
      }),
    ),
  });
  fc.assert(
    fc.property(
      fc.array(serviceArb, { maxLength: 3 }),
      fc.array(junkRoute, { maxLength: 3 }),
      fc.array(junkRoute, { maxLength: 2 }),
      (services, http, grpc) => {
        translate({ services, httpRoutes: http as never, grpcRoutes: grpc as never }, OPTIONS);
        return true;
      },
    ),
    { numRuns: 200 },
  );
  t.pass();
});
