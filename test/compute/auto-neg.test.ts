// GAMMA_AUTO_NEG's choice: which Services get which `cloud.google.com/neg` value. Only routed ports,
// never an override port, never a port already requested; what the user wrote is kept.
import test from 'ava';
import { missingNegAnnotations, withNegAnnotations } from '../../shared/compute/auto-neg.ts';
import type { HTTPRoute, Service, TCPRoute, TLSRoute } from '../../shared/gamma/types.ts';

function svc(name: string, ports: number[], annotations: Record<string, string> = {}): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'ns', annotations },
    spec: { ports: ports.map((port) => ({ port })) },
  } as Service;
}

function route(
  backends: { name: string; port: number }[],
  mirror?: { name: string; port: number },
): HTTPRoute {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'r', namespace: 'ns' },
    spec: {
      parentRefs: [{ group: '', kind: 'Service', name: 'front', port: 80 }],
      rules: [
        {
          backendRefs: backends,
          ...(mirror ? { filters: [{ type: 'RequestMirror', requestMirror: { backendRef: mirror } }] } : {}),
        },
      ],
    },
  } as HTTPRoute;
}

test('routed ports without NEGs get the annotation; mirrors count; other ports and overrides do not', (t) => {
  const services = [
    svc('front', [80]),
    svc('api', [8080, 9090], { 'cloud.google.com/neg': '{"ingress":true,"exposed_ports":{"9090":{}}}' }),
    svc('shadow', [80]),
    svc('mine', [80], { 'gamma-csm.dev/backend-service.80': 'my-bs' }),
    svc('ready', [80], { 'cloud.google.com/neg': '{"exposed_ports":{"80":{}}}' }),
  ];
  const routes = [
    route(
      [
        { name: 'api', port: 8080 },
        { name: 'api', port: 9090 },
        { name: 'mine', port: 80 },
        { name: 'ready', port: 80 },
        { name: 'missing', port: 80 },
        { name: 'front', port: 81 },
      ],
      { name: 'shadow', port: 80 },
    ),
  ];
  const patches = missingNegAnnotations({ services, httpRoutes: routes, grpcRoutes: [] });
  t.deepEqual(patches, [
    {
      namespace: 'ns',
      name: 'api',
      value: '{"ingress":true,"exposed_ports":{"8080":{},"9090":{}}}',
      ports: [8080],
    },
    { namespace: 'ns', name: 'shadow', value: '{"exposed_ports":{"80":{}}}', ports: [80] },
  ]);
  const after = withNegAnnotations({ services, httpRoutes: routes, grpcRoutes: [] }, patches);
  t.deepEqual(missingNegAnnotations(after), [], 'idempotent once written');
  t.is(
    services[1].metadata.annotations?.['cloud.google.com/neg'],
    '{"ingress":true,"exposed_ports":{"9090":{}}}',
    'input untouched',
  );
});

test('TCPRoute and TLSRoute backends get NEGs too', (t) => {
  const tcp = {
    apiVersion: 'gateway.networking.k8s.io/v1alpha2',
    kind: 'TCPRoute',
    metadata: { name: 'db', namespace: 'ns' },
    spec: {
      parentRefs: [{ group: '', kind: 'Service', name: 'front', port: 5432 }],
      rules: [{ backendRefs: [{ name: 'db', port: 5432, weight: 1 }] }],
    },
  } as TCPRoute;
  const tls = {
    ...tcp,
    kind: 'TLSRoute',
    metadata: { name: 'sni', namespace: 'ns' },
    spec: { ...tcp.spec, hostnames: ['a.example'], rules: [{ backendRefs: [{ name: 'tls', port: 443 }] }] },
  } as TLSRoute;
  const patches = missingNegAnnotations({
    services: [svc('db', [5432]), svc('tls', [443])],
    httpRoutes: [],
    grpcRoutes: [],
    tcpRoutes: [tcp],
    tlsRoutes: [tls],
  });
  t.deepEqual(
    patches.map((p) => [p.name, p.ports]),
    [
      ['db', [5432]],
      ['tls', [443]],
    ],
  );
});
