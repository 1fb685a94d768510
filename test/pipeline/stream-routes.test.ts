// TCPRoutes and TLSRoutes in the pipeline's checks (shared/pipeline): ports, caps, the cluster's own
// copies (read through client-node from the stand-in, at the version each was seen at), freshness,
// the inputs digest, the parent's desired routes, and route events carrying them.
import test from 'ava';
import { ROUTE_EVENT_SCHEMA, validateRouteEvent } from '../../shared/events/index.ts';
import type { RouteEvent } from '../../shared/events/index.ts';
import type { HTTPRoute, Route, Service, TCPRoute, TLSRoute } from '../../shared/gamma/types.ts';
import { makeKubeConfig } from '../../shared/cluster/index.ts';
import { DEFAULT_LIMITS, oversizedBy, scopeToOwner } from '../../shared/pipeline/limits.ts';
import {
  checkFreshness,
  confirmedSnapshot,
  readLiveObjects,
  serviceEssence,
  snapshotDigest,
} from '../../shared/pipeline/liveness.ts';
import { candidatePorts, desiredForParent } from '../../shared/pipeline/parent-scope.ts';
import { snapshotRoutes } from '../../shared/pipeline/snapshot-routes.ts';
import type { Desired } from '../../shared/translate/types.ts';
import { LABEL_PARENT } from '../../shared/translate/types.ts';
import { parentLabelValue } from '../../shared/translate/index.ts';
import type { KubeObj } from '../../infra/local/k8s/index.ts';
import { pathNotFound } from '../../infra/local/k8s/errors.ts';
import { GROUP, emulatorWithClient } from '../k8s/support.ts';

const svc = (name: string, ns = 'ns', ports = [5432]): Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: ns, uid: `uid-${ns}-${name}` },
  spec: { clusterIP: '10.0.0.12', ports: ports.map((port) => ({ port })) },
});

const parentRef = (port: number) => ({ group: '', kind: 'Service', namespace: 'ns', name: 'db', port });

const tcp = (name: string, ns: string, ports: number[], backend = 'db-v1'): TCPRoute => ({
  apiVersion: `${GROUP}/v1alpha2`,
  kind: 'TCPRoute',
  metadata: { name, namespace: ns, uid: `uid-${ns}-${name}` },
  spec: {
    parentRefs: ports.map(parentRef),
    rules: [{ backendRefs: [{ name: backend, namespace: ns, port: 5432 }] }],
  },
});

const tls = (name: string, ns: string, ports: number[]): TLSRoute => ({
  apiVersion: `${GROUP}/v1alpha2`,
  kind: 'TLSRoute',
  metadata: { name, namespace: ns, uid: `uid-${ns}-${name}` },
  spec: {
    parentRefs: ports.map(parentRef),
    hostnames: ['db.example.com'],
    rules: [{ backendRefs: [{ name: 'db-v1', namespace: ns, port: 5432 }] }],
  },
});

const event = (
  services: Service[],
  routes: { tcp?: TCPRoute[]; tls?: TLSRoute[]; http?: HTTPRoute[] },
  extra: Partial<RouteEvent> = {},
): RouteEvent => ({
  schema: ROUTE_EVENT_SCHEMA,
  cluster: 'c1',
  parent: { namespace: 'ns', name: 'db' },
  sequence: '10',
  emittedAt: '2026-01-01T00:00:00Z',
  reason: [],
  snapshot: {
    services,
    httpRoutes: routes.http ?? [],
    grpcRoutes: [],
    ...(routes.tcp ? { tcpRoutes: routes.tcp } : {}),
    ...(routes.tls ? { tlsRoutes: routes.tls } : {}),
    serviceNamespacesByName: { db: ['ns'] },
  },
  ...extra,
});

test('candidate ports include those TCP and TLS producer routes name, never consumer ones', (t) => {
  const e = event([svc('db')], {
    tcp: [tcp('own', 'ns', [6432]), tcp('grab', 'x', [1000])],
    tls: [tls('t', 'ns', [443])],
  });
  t.deepEqual(candidatePorts(e), [443, 5432, 6432]);
});

test('scopeToOwner caps consumer TCP/TLS routes like the others; absent lists stay absent', (t) => {
  const limits = { ...DEFAULT_LIMITS, maxRoutesPerSnapshot: 1 };
  const e = event([svc('db')], {
    tcp: [tcp('own', 'ns', [5432]), tcp('c1', 'x', [5432]), tcp('c2', 'y', [5432])],
  });
  const scoped = scopeToOwner(e, limits);
  t.deepEqual(
    scoped.snapshot.tcpRoutes?.map((r) => `${r.metadata.namespace}/${r.metadata.name}`),
    ['ns/own', 'x/c1'],
  );
  t.false('tlsRoutes' in scoped.snapshot, 'a snapshot without TLSRoutes keeps its shape');
  const over = event([svc('db')], { tcp: [tcp('a', 'ns', [5432])], tls: [tls('b', 'ns', [5432])] });
  t.regex(
    oversizedBy(over, limits) ?? '',
    /2 producer routes, over the limit of 1 \(raise GAMMA_MAX_ROUTES_PER_SNAPSHOT/,
    'TCP and TLS producer routes count against the cap',
  );
});

test('freshness and the digest see TCP and TLS routes; HTTP-only digests did not move', (t) => {
  const own = tcp('own', 'ns', [5432]);
  const sni = tls('sni', 'ns', [443]);
  const e = event([svc('db')], { tcp: [own], tls: [sni] });
  const routes = new Map<string, Route | null>([
    ['TCPRoute ns/own', own],
    ['TLSRoute ns/sni', sni],
  ]);
  const live = { service: svc('db'), routes };
  t.deepEqual(checkFreshness(e, live), { fresh: true });
  const changed = new Map(routes).set('TCPRoute ns/own', tcp('own', 'ns', [5432], 'db-v2'));
  t.deepEqual(checkFreshness(e, { ...live, routes: changed }), {
    fresh: false,
    why: 'TCPRoute ns/own has changed since the snapshot',
  });
  const gone = new Map(routes).set('TLSRoute ns/sni', null);
  t.deepEqual(checkFreshness(e, { ...live, routes: gone }), {
    fresh: false,
    why: 'TLSRoute ns/sni no longer exists',
  });
  const confirmed = confirmedSnapshot(e, { ...live, routes: gone });
  t.deepEqual(confirmed.tcpRoutes, [own]);
  t.deepEqual(confirmed.tlsRoutes, []);

  t.not(snapshotDigest(e), snapshotDigest(event([svc('db')], { tcp: [own] })));
  t.not(
    snapshotDigest(event([svc('db')], { tcp: [own] })),
    snapshotDigest(event([svc('db')], { tcp: [tcp('own', 'ns', [5432], 'x')] })),
  );
  t.is(
    snapshotDigest(event([svc('db')], {})),
    snapshotDigest(event([svc('db')], { tcp: [], tls: [] })),
    'empty TCP/TLS lists and absent ones are the same input',
  );
});

test('a Service that turns dual-stack is a change; single-stack essences did not move', (t) => {
  const single = svc('db');
  const withIps = { ...single, spec: { ...single.spec, clusterIPs: ['10.0.0.12'] } } as Service;
  t.is(serviceEssence(withIps), serviceEssence(single), 'one cluster IP adds nothing');
  t.is(
    serviceEssence(single),
    JSON.stringify([single.metadata.uid, [{ port: 5432 }], '', '', {}]),
    'the essence of a single-stack Service is what it was before TCPRoutes',
  );
  const dual = { ...single, spec: { ...single.spec, clusterIPs: ['10.0.0.12', 'fd00::12'] } } as Service;
  const e = event([single], { tcp: [tcp('own', 'ns', [5432])] });
  const routes = new Map<string, Route | null>([['TCPRoute ns/own', tcp('own', 'ns', [5432])]]);
  t.deepEqual(checkFreshness(e, { service: dual, routes }), {
    fresh: false,
    why: 'Service ns/db has changed since the snapshot',
  });
});

test('desiredForParent keeps only this parent’s TcpRoutes and TlsRoutes', (t) => {
  const label = (ns: string, name: string) => ({ labels: { [LABEL_PARENT]: parentLabelValue(ns, name) } });
  const desired = {
    mesh: {},
    httpRoutes: [],
    grpcRoutes: [],
    tcpRoutes: [
      { name: 'mine', ...label('ns', 'db') },
      { name: 'theirs', ...label('ns', 'other') },
    ],
    tlsRoutes: [{ name: 'theirs-tls', ...label('x', 'db') }],
    backends: [],
    statuses: [],
  } as unknown as Desired;
  const mine = desiredForParent(desired, { namespace: 'ns', name: 'db' });
  t.deepEqual(
    mine.tcpRoutes.map((r) => r.name),
    ['mine'],
  );
  t.deepEqual(mine.tlsRoutes, []);
});

test('route events carry TCPRoutes and TLSRoutes, checked like the other kinds', (t) => {
  const e = event([svc('db')], { tcp: [tcp('own', 'ns', [5432])], tls: [tls('sni', 'ns', [443])] });
  t.true(validateRouteEvent(JSON.parse(JSON.stringify(e))).ok);
  const wrong = structuredClone(e) as unknown as { snapshot: { tlsRoutes: { kind: string }[] } };
  wrong.snapshot.tlsRoutes[0].kind = 'TCPRoute';
  const v = validateRouteEvent(wrong);
  t.false(v.ok);
  t.regex(
    (v as { error: string }).error,
    /snapshot\.tlsRoutes\[0\]\.kind must be "TLSRoute", got "TCPRoute"/,
  );
  t.regex(
    (validateRouteEvent({ ...e, snapshot: { ...e.snapshot, tcpRoutes: {} } }) as { error: string }).error,
    /snapshot\.tcpRoutes must be an array/,
  );
});

test.serial(
  'readLiveObjects reads TCP/TLS routes at the version seen; a CRD gone means the route is gone',
  async (t) => {
    const { emu } = await emulatorWithClient();
    t.teardown(() => emu.close());
    const kc = makeKubeConfig({ kubeconfigPath: emu.kubeconfigPath });
    emu.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns' } });
    const db = emu.apply(svc('db') as unknown as KubeObj) as unknown as Service;
    const own = emu.apply(tcp('own', 'ns', [5432]) as unknown as KubeObj);
    const sni = emu.apply(tls('sni', 'ns', [443]) as unknown as KubeObj);
    const e = event([db], {
      tcp: [{ ...tcp('own', 'ns', [5432]), metadata: own.metadata } as TCPRoute],
      tls: [{ ...tls('sni', 'ns', [443]), metadata: sni.metadata } as TLSRoute],
    });
    const before = emu.requests.length;
    const live = await readLiveObjects(kc, e);
    const paths = emu.requests.slice(before).map((r) => r.path);
    t.true(paths.includes(`/apis/${GROUP}/v1alpha2/namespaces/ns/tcproutes/own`), 'read at the version seen');
    t.is(live.routes.get('TCPRoute ns/own')?.metadata.uid, own.metadata.uid);
    t.deepEqual((live.routes.get('TLSRoute ns/sni')?.spec as { hostnames: string[] }).hostnames, [
      'db.example.com',
    ]);
    t.deepEqual(
      snapshotRoutes(confirmedSnapshot(e, live)).map((r) => `${r.kind} ${r.route.metadata.name}`),
      ['TCPRoute own', 'TLSRoute sni'],
    );

    emu.onRequest = (entry) => {
      if (/\/tlsroutes/.test(entry.path)) throw pathNotFound();
    };
    const withoutTls = await readLiveObjects(kc, e);
    t.is(withoutTls.routes.get('TLSRoute ns/sni'), null);
    t.like(checkFreshness(e, withoutTls), { fresh: false, why: 'TLSRoute ns/sni no longer exists' });
    emu.onRequest = undefined;
  },
);
