// Resource ids, labels and backend service names built from hostile Kubernetes names (max length,
// long shared prefixes that collide once truncated, dashes and digits at the boundaries) stay valid
// and never collide across kinds, namespaces, Services, ports or clusters.
import test from 'ava';
import fc from 'fast-check';
import { backendServiceName, labelValue, parentLabelValue, routeId } from '../../shared/translate/names.ts';
import type { RouteIdKind } from '../../shared/translate/names.ts';
import { ID_PATTERN } from '../../shared/translate/index.ts';
import { LABEL_CLUSTER } from '../../shared/translate/types.ts';
import { baseLabels } from '../../shared/translate/names.ts';
import type { Service } from '../../shared/gamma/types.ts';
import { OPTIONS } from './support.ts';

const RUNS = { numRuns: 500, seed: Number(process.env.FUZZ_SEED ?? 11) };
const GCP_LABEL_VALUE = /^[a-z0-9_-]{0,63}$/;
// Label keys and values must start/end sensibly for some consumers; ids follow docs/architecture.md §5.1 exactly.

const LONG = 'a'.repeat(58);
const chars = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-'.split(''), '-', '-', 'a', '0');

/** A Kubernetes-ish name, hostile on purpose: up to `max` characters, dashes and digits anywhere. */
function hostileName(max: number) {
  return fc.oneof(
    fc.string({ unit: chars, minLength: 1, maxLength: max }),
    // Share a 58-character prefix so truncation alone would make them equal.
    fc.string({ unit: chars, minLength: 0, maxLength: Math.max(0, max - LONG.length) }).map((s) => LONG + s),
    fc.constantFrom(
      'a',
      '-',
      'a-',
      '-a',
      '0',
      'a'.repeat(max),
      `${'a'.repeat(max - 1)}-`,
      `a${'-'.repeat(max - 1)}`,
    ),
  );
}

const dnsLabel = hostileName(63);
const routeName = hostileName(253);
const port = fc.integer({ min: 1, max: 65535 });
const kind = fc.constantFrom<RouteIdKind>('http', 'grpc');
// Cluster ids are validated by config (label-safe); hostile ones are still fed to the pure helpers.
const cluster = fc.oneof(fc.constantFrom('prod', 'prod-eu', 'a'), hostileName(40));
const key = fc.record({ kind, cluster, ns: dnsLabel, svc: dnsLabel, port });

test('property: route ids always match the Network Services id pattern', (t) => {
  fc.assert(
    fc.property(key, (k) => {
      const id = routeId(k.kind, k.cluster, k.ns, k.svc, k.port);
      return ID_PATTERN.test(id) && id.length <= 63;
    }),
    RUNS,
  );
  t.pass();
});

test('property: distinct (kind, cluster, namespace, service, port) never share a route id', (t) => {
  fc.assert(
    fc.property(key, key, (a, b) => {
      const same =
        a.kind === b.kind && a.cluster === b.cluster && a.ns === b.ns && a.svc === b.svc && a.port === b.port;
      const idA = routeId(a.kind, a.cluster, a.ns, a.svc, a.port);
      const idB = routeId(b.kind, b.cluster, b.ns, b.svc, b.port);
      return same === (idA === idB);
    }),
    RUNS,
  );
  t.pass();
});

test('names that collide after truncation or dash-joining still get distinct ids', (t) => {
  const cases: [string, string][] = [
    [`${LONG}x1`, `${LONG}x2`],
    [`${'b'.repeat(63)}`, `${'b'.repeat(62)}c`],
  ];
  for (const [a, b] of cases) t.not(routeId('http', 'c', a, 'svc', 80), routeId('http', 'c', b, 'svc', 80));
  // namespace `a-b` + Service `c` versus namespace `a` + Service `b-c`: the same readable text
  t.not(routeId('http', 'c', 'a-b', 'c', 80), routeId('http', 'c', 'a', 'b-c', 80));
  // cluster `x-a` + ns `b` versus cluster `x` + ns `a-b`
  t.not(routeId('http', 'x-a', 'b', 's', 80), routeId('http', 'x', 'a-b', 's', 80));
  const ids = new Set<string>();
  for (let i = 0; i < 1000; i++) ids.add(routeId('http', 'c', `${LONG}${i}`, `${LONG}${i}`, 80));
  t.is(ids.size, 1000);
});

test('property: parent label values are valid and injective over (namespace, service)', (t) => {
  fc.assert(
    fc.property(dnsLabel, dnsLabel, dnsLabel, dnsLabel, (ns1, s1, ns2, s2) => {
      const a = parentLabelValue(ns1, s1);
      const b = parentLabelValue(ns2, s2);
      return GCP_LABEL_VALUE.test(a) && GCP_LABEL_VALUE.test(b) && (ns1 === ns2 && s1 === s2) === (a === b);
    }),
    RUNS,
  );
  t.pass();
});

test('property: label values are valid GCP label values and distinct inputs stay distinct', (t) => {
  const text = fc.oneof(
    routeName,
    fc.string({ maxLength: 100 }),
    fc.constantFrom('Prod', 'prod', 'a.b', 'a_b', 'Ä'),
  );
  fc.assert(
    fc.property(text, text, (a, b) => {
      const la = labelValue(a);
      const lb = labelValue(b);
      return GCP_LABEL_VALUE.test(la) && GCP_LABEL_VALUE.test(lb) && (a === b) === (la === lb);
    }),
    RUNS,
  );
  t.pass();
});

test('property: two clusters never share an ownership label value', (t) => {
  fc.assert(
    fc.property(cluster, cluster, (c1, c2) => {
      const l1 = baseLabels({ ...OPTIONS, clusterId: c1 })[LABEL_CLUSTER];
      const l2 = baseLabels({ ...OPTIONS, clusterId: c2 })[LABEL_CLUSTER];
      return (c1 === c2) === (l1 === l2);
    }),
    RUNS,
  );
  t.pass();
});

function svc(name: string, namespace: string): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace },
    spec: { ports: [] },
  } as unknown as Service;
}

const BS = /^projects\/p\/locations\/global\/backendServices\/[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
const bsKey = fc.record({ cluster, ns: dnsLabel, svc: dnsLabel, port });

function defaultBackend(k: { cluster: string; ns: string; svc: string; port: number }): string {
  const r = backendServiceName({ ...OPTIONS, clusterId: k.cluster }, svc(k.svc, k.ns), k.port);
  return 'name' in r ? r.name : `error: ${r.error}`;
}

test('property: default backend service names are valid backend service names', (t) => {
  fc.assert(
    fc.property(bsKey, (k) => BS.test(defaultBackend(k))),
    RUNS,
  );
  t.pass();
});

test('property: random distinct keys get distinct default backend service names', (t) => {
  fc.assert(
    fc.property(bsKey, bsKey, (a, b) => {
      const same = a.cluster === b.cluster && a.ns === b.ns && a.svc === b.svc && a.port === b.port;
      return same === (defaultBackend(a) === defaultBackend(b));
    }),
    RUNS,
  );
  t.pass();
});

// Fixed: the default template used to be taken verbatim, so namespace `a-b` + Service `c` and namespace
// `a` + Service `b-c` shared backend service `gamma-x-a-b-c-80`; the default now always gets a hash.
test('keys that differ only in where dashes split get distinct default backend services', (t) => {
  const segment = fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/);
  fc.assert(
    fc.property(
      segment,
      segment,
      segment,
      port,
      (x, y, z, p) =>
        defaultBackend({ cluster: 'c', ns: `${x}-${y}`, svc: z, port: p }) !==
        defaultBackend({ cluster: 'c', ns: x, svc: `${y}-${z}`, port: p }),
    ),
    RUNS,
  );
  t.not(
    defaultBackend({ cluster: 'x', ns: 'a-b', svc: 's', port: 80 }),
    defaultBackend({ cluster: 'x-a', ns: 'b', svc: 's', port: 80 }),
  );
});
