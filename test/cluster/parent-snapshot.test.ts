// The per-parent snapshot (shared/cluster/parent-snapshot.ts), built purely from cache contents.
import test from 'ava';
import { buildParentSnapshot, snapshotObjects } from '../../shared/cluster/parent-snapshot.ts';
import type { Service } from '../../shared/gamma/types.ts';
import { DEFAULT_LIMITS } from '../../shared/pipeline/limits.ts';
import { grpc, http, svc, tcp, tls, udp } from '../watcher/fixtures.ts';

const names = (objs: { metadata: { namespace?: string; name: string } }[]) =>
  objs.map((o) => `${o.metadata.namespace}/${o.metadata.name}`);

test('the parent, every route naming it (consumer routes too), their backends and mirrors, short-name facts', (t) => {
  const parentSvc: Service = {
    ...svc('cart', 'shop'),
    metadata: {
      name: 'cart',
      namespace: 'shop',
      managedFields: [{ manager: 'kubectl' }],
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}', keep: 'me' },
    },
    status: { loadBalancer: {} },
  } as Service;
  const cache = {
    services: [
      svc('v2', 'shop'),
      parentSvc,
      svc('cart', 'other'),
      svc('cart', 'third'),
      svc('mirror', 'shop'),
      svc('unrelated', 'shop'),
      svc('remote', 'far'),
    ],
    httpRoutes: [
      http('main', { namespace: 'shop', parents: ['cart'], backends: ['cart', 'v2'], mirror: 'mirror' }),
      http('consumer', {
        namespace: 'client',
        parents: [{ name: 'cart', namespace: 'shop' }],
        backends: [{ name: 'remote', namespace: 'far' }],
      }),
      http('elsewhere', { namespace: 'other', parents: ['cart'], backends: ['unrelated'] }),
      http('missing-backend', { namespace: 'shop', parents: ['cart'], backends: ['ghost'] }),
    ],
    grpcRoutes: [
      grpc('g', { namespace: 'shop', parents: ['cart'], backends: ['cart'] }),
      grpc('g2', { namespace: 'shop', parents: ['x'] }),
    ],
  };
  const snap = buildParentSnapshot(cache, { namespace: 'shop', name: 'cart' });
  t.deepEqual(names(snap.httpRoutes), ['client/consumer', 'shop/main', 'shop/missing-backend']);
  t.deepEqual(names(snap.grpcRoutes), ['shop/g']);
  t.deepEqual(names(snap.services), ['far/remote', 'shop/cart', 'shop/mirror', 'shop/v2']);
  t.deepEqual(snap.serviceNamespacesByName, { cart: ['other', 'shop', 'third'] });
  t.deepEqual([snap.tcpRoutes, snap.tlsRoutes], [[], []], 'a cluster without TCPRoute/TLSRoute: none');
  const parent = snap.services.find((s) => s.metadata.name === 'cart') as Service & { status?: unknown };
  t.is(parent.metadata.managedFields, undefined);
  t.deepEqual(parent.metadata.annotations, { keep: 'me' });
  t.is(parent.status, undefined);
  // The cache objects are not modified.
  t.truthy(parentSvc.metadata.managedFields);
});

test('a deleted parent: no Service, routes still listed, short name facts without it', (t) => {
  const snap = buildParentSnapshot(
    { services: [svc('b')], httpRoutes: [http('r', { parents: ['a'], backends: ['b'] })], grpcRoutes: [] },
    { namespace: 'default', name: 'a' },
  );
  t.deepEqual(names(snap.services), ['default/b']);
  t.deepEqual(names(snap.httpRoutes), ['default/r']);
  t.deepEqual(snap.serviceNamespacesByName, { a: [] });
});

test("other namespaces' routes are capped and never crowd out the parent's own routes or Services", (t) => {
  // Another tenant floods shop/cart with consumer routes (translate rejects them anyway), each with its
  // own backend Service in their namespace.
  const flood = Array.from({ length: 6 }, (_, i) =>
    http(`c${i}`, {
      namespace: 'tenant',
      parents: [{ name: 'cart', namespace: 'shop' }],
      backends: [`b${i}`],
    }),
  );
  const cache = {
    services: [
      svc('cart', 'shop'),
      svc('v2', 'shop'),
      svc('v3', 'shop'),
      ...flood.map((_, i) => svc(`b${i}`, 'tenant')),
    ],
    httpRoutes: [
      ...flood,
      http('main', { namespace: 'shop', parents: ['cart'], backends: ['cart', 'v2'] }),
      http('more', { namespace: 'shop', parents: ['cart'], backends: ['v3'] }),
    ],
    grpcRoutes: [
      grpc('g', { namespace: 'elsewhere', parents: [{ name: 'cart', namespace: 'shop' }], backends: ['x'] }),
    ],
  };
  const limits = { maxRoutesPerSnapshot: 2, maxServicesPerSnapshot: 4 };
  const snap = buildParentSnapshot(cache, { namespace: 'shop', name: 'cart' }, limits);
  // Two consumer routes at most (first by namespace/name, across kinds), every producer route kept.
  t.deepEqual(names(snap.grpcRoutes), ['elsewhere/g']);
  t.deepEqual(names(snap.httpRoutes), ['shop/main', 'shop/more', 'tenant/c0']);
  // The parent and its producer routes' backends come first; consumer backends only fill the rest.
  t.deepEqual(names(snap.services), ['shop/cart', 'shop/v2', 'shop/v3', 'tenant/b0']);

  // With the shared default cap (the one sync applies), the flood stays bounded the same way.
  const big = Array.from({ length: DEFAULT_LIMITS.maxRoutesPerSnapshot + 20 }, (_, i) =>
    http(`c${String(i).padStart(4, '0')}`, {
      namespace: 'tenant',
      parents: [{ name: 'cart', namespace: 'shop' }],
    }),
  );
  const bounded = buildParentSnapshot(
    {
      services: [svc('cart', 'shop')],
      httpRoutes: [...big, http('main', { namespace: 'shop', parents: ['cart'] })],
      grpcRoutes: [],
    },
    { namespace: 'shop', name: 'cart' },
  );
  t.is(bounded.httpRoutes.length, DEFAULT_LIMITS.maxRoutesPerSnapshot + 1);
  t.true(names(bounded.httpRoutes).includes('shop/main'));
});

test('TCPRoutes and TLSRoutes naming the parent are in it with their backends, like HTTP and gRPC routes', (t) => {
  const cache = {
    services: [svc('db', 'shop'), svc('db-v2', 'shop'), svc('tls-back', 'shop'), svc('other', 'shop')],
    httpRoutes: [],
    grpcRoutes: [],
    tcpRoutes: [
      tcp('t2', { namespace: 'shop', parents: ['db'], backends: ['db-v2'] }),
      tcp('t1', { namespace: 'shop', parents: ['db'], backends: ['db'] }),
      tcp('elsewhere', { namespace: 'shop', parents: ['other'], backends: ['other'] }),
    ],
    tlsRoutes: [tls('s', { namespace: 'shop', parents: ['db'], backends: ['tls-back'] })],
  };
  const snap = buildParentSnapshot(cache, { namespace: 'shop', name: 'db' });
  t.deepEqual(names(snap.tcpRoutes ?? []), ['shop/t1', 'shop/t2']);
  t.deepEqual(names(snap.tlsRoutes ?? []), ['shop/s']);
  t.deepEqual(names(snap.services), ['shop/db', 'shop/db-v2', 'shop/tls-back']);
  t.deepEqual(
    snapshotObjects(snap).map((o) => o.kind),
    ['Service', 'Service', 'Service', 'TCPRoute', 'TCPRoute', 'TLSRoute'],
  );
  // A Service only a TCPRoute sends to is part of that parent's snapshot, not of others.
  const other = buildParentSnapshot(cache, { namespace: 'shop', name: 'other' });
  t.deepEqual(names(other.tcpRoutes ?? []), ['shop/elsewhere']);
  t.deepEqual(names(other.services), ['shop/other']);
});

test('UDPRoutes naming the parent are in it, capped with the consumer routes; their backends are not', (t) => {
  const withStatus = {
    ...udp('dns', { namespace: 'shop', parents: ['db'], backends: ['resolver'] }),
    status: { parents: [{ parentRef: { name: 'db' }, controllerName: 'other.dev/c', conditions: [] }] },
  };
  withStatus.metadata = { ...withStatus.metadata, managedFields: [{ manager: 'kubectl' }] };
  const cache = {
    services: [svc('db', 'shop'), svc('resolver', 'shop')],
    httpRoutes: [http('c-http', { namespace: 'a', parents: [{ name: 'db', namespace: 'shop' }] })],
    grpcRoutes: [],
    udpRoutes: [
      withStatus,
      udp('c-udp', { namespace: 'b', parents: [{ name: 'db', namespace: 'shop' }] }),
      udp('elsewhere', { namespace: 'shop', parents: ['resolver'] }),
    ],
  };
  const snap = buildParentSnapshot(cache, { namespace: 'shop', name: 'db' });
  t.deepEqual(names(snap.udpRoutes ?? []), ['b/c-udp', 'shop/dns']);
  t.deepEqual(names(snap.services), ['shop/db'], 'a UDPRoute backend is not followed');
  const dns = snap.udpRoutes?.find((r) => r.metadata.name === 'dns') as typeof withStatus;
  t.is(dns.metadata.managedFields, undefined, 'stripped for transport');
  t.deepEqual(dns.status, withStatus.status, 'route status kept, like the other kinds');
  t.deepEqual(
    snapshotObjects(snap).map((o) => o.kind),
    ['Service', 'HTTPRoute', 'UDPRoute', 'UDPRoute'],
  );
  // One consumer route allowed: the first by namespace/name of every kind (a/c-http) is kept.
  const capped = buildParentSnapshot(
    cache,
    { namespace: 'shop', name: 'db' },
    {
      ...DEFAULT_LIMITS,
      maxRoutesPerSnapshot: 1,
    },
  );
  t.deepEqual(names(capped.httpRoutes), ['a/c-http']);
  t.deepEqual(names(capped.udpRoutes ?? []), ['shop/dns'], 'producer UDPRoutes are never dropped');
  t.deepEqual(
    buildParentSnapshot({ ...cache, udpRoutes: undefined }, { namespace: 'shop', name: 'db' }).udpRoutes,
    [],
  );
});
