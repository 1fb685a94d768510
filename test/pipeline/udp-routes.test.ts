// UDPRoutes in the pipeline's checks (shared/pipeline): read live and kept only when the cluster
// still has them, their status entries kept for this parent, counted in the caps, and never part of
// what shapes Network Services (freshness, the inputs digest, candidate ports). Events from a
// watcher that predates them (no `udpRoutes`) read exactly as before.
import test from 'ava';
import { ROUTE_EVENT_SCHEMA, validateRouteEvent } from '../../shared/events/index.ts';
import type { RouteEvent } from '../../shared/events/index.ts';
import type { Route, Service, TCPRoute, UDPRoute } from '../../shared/gamma/types.ts';
import { makeKubeConfig } from '../../shared/cluster/index.ts';
import { DEFAULT_LIMITS, oversizedBy, scopeToOwner } from '../../shared/pipeline/limits.ts';
import type { LiveObjects } from '../../shared/pipeline/liveness.ts';
import {
  checkFreshness,
  confirmedSnapshot,
  readLiveObjects,
  snapshotDigest,
} from '../../shared/pipeline/liveness.ts';
import { candidatePorts, statusesForParent } from '../../shared/pipeline/parent-scope.ts';
import { translate } from '../../shared/translate/index.ts';
import type { KubeObj } from '../../infra/local/k8s/index.ts';
import { GROUP, emulatorWithClient } from '../k8s/support.ts';

const svc = (name: string, ns = 'ns', ports = [5432]): Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: ns, uid: `uid-${ns}-${name}` },
  spec: { ports: ports.map((port) => ({ port })) },
});

const parentRef = (port: number) => ({ group: '', kind: 'Service', namespace: 'ns', name: 'db', port });

const udp = (name: string, ns: string, ports: number[], generation = 1): UDPRoute => ({
  apiVersion: `${GROUP}/v1alpha2`,
  kind: 'UDPRoute',
  metadata: { name, namespace: ns, uid: `uid-${ns}-${name}`, generation },
  spec: { parentRefs: ports.map(parentRef), rules: [{ backendRefs: [{ name: 'resolver', port: 53 }] }] },
});

const tcp = (name: string, ns: string): TCPRoute => ({
  apiVersion: `${GROUP}/v1alpha2`,
  kind: 'TCPRoute',
  metadata: { name, namespace: ns, uid: `uid-${ns}-${name}` },
  spec: { parentRefs: [parentRef(5432)], rules: [{ backendRefs: [{ name: 'db', port: 5432 }] }] },
});

const event = (routes: { udp?: UDPRoute[]; tcp?: TCPRoute[] }, services = [svc('db')]): RouteEvent => ({
  schema: ROUTE_EVENT_SCHEMA,
  cluster: 'c1',
  parent: { namespace: 'ns', name: 'db' },
  sequence: '10',
  emittedAt: '2026-01-01T00:00:00Z',
  reason: [],
  snapshot: {
    services,
    httpRoutes: [],
    grpcRoutes: [],
    ...(routes.tcp ? { tcpRoutes: routes.tcp } : {}),
    ...(routes.udp ? { udpRoutes: routes.udp } : {}),
    serviceNamespacesByName: { db: ['ns'] },
  },
});

const OPTIONS = {
  project: 'p',
  location: 'global',
  mesh: 'm',
  clusterId: 'c1',
  controllerName: 'gamma-csm.dev/controller',
  clusterDomain: 'cluster.local',
};

test('confirmedSnapshot keeps the live copies of the UDPRoutes; gone or unread ones are dropped', (t) => {
  const kept = udp('kept', 'ns', [53], 2);
  const e = event({ udp: [udp('kept', 'ns', [53]), udp('gone', 'ns', [53])] });
  const live: LiveObjects = {
    service: svc('db'),
    routes: new Map(),
    udpRoutes: new Map([
      ['UDPRoute ns/kept', kept],
      ['UDPRoute ns/gone', null],
    ]),
  };
  t.deepEqual(confirmedSnapshot(e, live).udpRoutes, [kept], 'the live copy, not the event’s');
  t.deepEqual(
    confirmedSnapshot(e, { service: svc('db'), routes: new Map() }).udpRoutes,
    [],
    'never read: never trusted',
  );
  t.false('udpRoutes' in confirmedSnapshot(event({}), live), 'an event without UDPRoutes keeps its shape');
});

test('UDPRoutes never make an event stale, nor move the digest or the candidate ports', (t) => {
  const own = tcp('own', 'ns');
  const routes = new Map<string, Route | null>([['TCPRoute ns/own', own]]);
  const before = event({ tcp: [own] });
  const e = event({ tcp: [own], udp: [udp('u', 'ns', [53])] });
  const live: LiveObjects = {
    service: svc('db'),
    routes,
    udpRoutes: new Map([['UDPRoute ns/u', null]]),
  };
  t.deepEqual(checkFreshness(e, live), { fresh: true }, 'a UDPRoute gone since: still fresh');
  t.is(snapshotDigest(e), snapshotDigest(before), 'digest as without UDPRoutes');
  t.is(snapshotDigest(event({ tcp: [own], udp: [] })), snapshotDigest(before));
  t.deepEqual(candidatePorts(e), [5432], 'the UDPRoute’s parentRef port 53 is no candidate');
});

test('statusesForParent keeps the entries of live UDPRoutes, for this parent only', (t) => {
  const shared = udp('shared', 'ns', [53]);
  (shared.spec?.parentRefs ?? []).push({ group: '', kind: 'Service', name: 'other' });
  const gone = udp('gone', 'ns', [53]);
  const e = event({ udp: [shared, gone] });
  const live: LiveObjects = {
    service: svc('db'),
    routes: new Map(),
    udpRoutes: new Map([
      ['UDPRoute ns/shared', shared],
      ['UDPRoute ns/gone', null],
    ]),
  };
  const { statuses } = translate({ ...e.snapshot, udpRoutes: [shared, gone] }, OPTIONS);
  const mine = statusesForParent(statuses, live, e.parent);
  t.deepEqual(
    mine.map((s) => `${s.kind} ${s.name} ${s.parents.map((p) => p.parentRef.name).join()}`),
    ['UDPRoute shared db'],
  );
  t.like(mine[0].parents[0].conditions[0], { type: 'Accepted', status: 'False', reason: 'UnsupportedValue' });
});

test('caps: consumer UDPRoutes share the consumer cap; producer ones count as routes', (t) => {
  const limits = { ...DEFAULT_LIMITS, maxRoutesPerSnapshot: 1 };
  const e = event({ tcp: [tcp('c1', 'x')], udp: [udp('own', 'ns', [53]), udp('c2', 'y', [53])] });
  const scoped = scopeToOwner(e, limits).snapshot;
  t.deepEqual(
    [...(scoped.tcpRoutes ?? []), ...(scoped.udpRoutes ?? [])].map(
      (r) => `${r.metadata.namespace}/${r.metadata.name}`,
    ),
    ['x/c1', 'ns/own'],
  );
  t.false('udpRoutes' in scopeToOwner(event({ tcp: [] }), limits).snapshot);
  const over = event({ tcp: [tcp('t', 'ns')], udp: [udp('u', 'ns', [53])] });
  t.regex(oversizedBy(over, limits) ?? '', /2 producer routes, over the limit of 1/);
});

test('route events carry UDPRoutes, checked like the other kinds', (t) => {
  const e = event({ udp: [udp('u', 'ns', [53])] });
  t.true(validateRouteEvent(JSON.parse(JSON.stringify(e))).ok);
  const wrong = structuredClone(e) as unknown as { snapshot: { udpRoutes: { kind: string }[] } };
  wrong.snapshot.udpRoutes[0].kind = 'TCPRoute';
  t.regex(
    (validateRouteEvent(wrong) as { error: string }).error,
    /snapshot\.udpRoutes\[0\]\.kind must be "UDPRoute", got "TCPRoute"/,
  );
});

test.serial('readLiveObjects reads the UDPRoutes an event names; a deleted one reads as gone', async (t) => {
  const { emu } = await emulatorWithClient();
  t.teardown(() => emu.close());
  const kc = makeKubeConfig({ kubeconfigPath: emu.kubeconfigPath });
  emu.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns' } });
  const db = emu.apply(svc('db') as unknown as KubeObj) as unknown as Service;
  const u = emu.apply(udp('u', 'ns', [53]) as unknown as KubeObj);
  emu.apply(udp('v', 'ns', [53]) as unknown as KubeObj);
  const e = event({ udp: [u as unknown as UDPRoute, udp('v', 'ns', [53])] }, [db]);
  emu.deleteObject('UDPRoute', 'ns', 'v');
  const before = emu.requests.length;
  const live = await readLiveObjects(kc, e);
  const paths = emu.requests.slice(before).map((r) => r.path);
  t.true(paths.includes(`/apis/${GROUP}/v1alpha2/namespaces/ns/udproutes/u`));
  t.is(live.udpRoutes?.get('UDPRoute ns/u')?.metadata.uid, u.metadata.uid);
  t.is(live.udpRoutes?.get('UDPRoute ns/v'), null);
  t.is(live.routes.size, 0, 'not among the translated kinds');
  t.deepEqual(
    confirmedSnapshot(e, live).udpRoutes?.map((r) => r.metadata.name),
    ['u'],
  );
  t.deepEqual(checkFreshness(e, live), { fresh: true });
});
