// The desired Compute stage and translate's endpoint checks: table tests plus properties
// (deterministic, order-independent, every route destination named by a desired backend service).
import test from 'ava';
import fc from 'fast-check';
import type { HTTPRoute, Service } from '../../shared/gamma/types.ts';
import { desiredCompute, ownerDescription } from '../../shared/compute/desired.ts';
import { portNegs } from '../../shared/compute/neg.ts';
import { parseHealthCheck, portBackend } from '../../shared/compute/protocol.ts';
import { translate } from '../../shared/translate/index.ts';
import type { TranslateOptions } from '../../shared/translate/types.ts';

const OPTS: TranslateOptions = {
  project: 'p1',
  location: 'global',
  mesh: 'm',
  clusterId: 'c1',
  controllerName: 'gamma-csm.dev/controller',
  clusterDomain: 'cluster.local',
  negCheck: 'reported',
};

function svc(
  name: string,
  opts: {
    ports?: { port: number; appProtocol?: string }[];
    annotations?: Record<string, string>;
    ns?: string;
  } = {},
): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: opts.ns ?? 'ns', annotations: opts.annotations },
    spec: { ports: opts.ports ?? [{ port: 8080 }] },
  } as Service;
}

function negStatus(
  port: number,
  zones: string[],
  neg = `k8s1-abc-ns-x-${port}-1234abcd`,
): Record<string, string> {
  return {
    'cloud.google.com/neg': JSON.stringify({ exposed_ports: { [port]: {} } }),
    'cloud.google.com/neg-status': JSON.stringify({ network_endpoint_groups: { [port]: neg }, zones }),
  };
}

function route(
  name: string,
  backends: { name: string; port: number; weight?: number }[],
  parent = 'front',
): HTTPRoute {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name, namespace: 'ns', generation: 1 },
    spec: {
      parentRefs: [{ group: '', kind: 'Service', name: parent, port: 80 }],
      rules: [{ backendRefs: backends.map((b) => ({ name: b.name, port: b.port, weight: b.weight ?? 1 })) }],
    },
  } as HTTPRoute;
}

const FRONT = svc('front', { ports: [{ port: 80 }] });

test('a Service port with NEGs: one backend per zone, RATE, INTERNAL_SELF_MANAGED, a shared TCP check', (t) => {
  const backend = svc('api', { annotations: negStatus(8080, ['us-central1-b', 'us-central1-a']) });
  const desired = translate(
    { services: [FRONT, backend], httpRoutes: [route('r', [{ name: 'api', port: 8080 }])], grpcRoutes: [] },
    OPTS,
  );
  const compute = desiredCompute([FRONT, backend], desired.backends, OPTS);
  t.is(compute.backendServices.length, 1);
  const bs = compute.backendServices[0];
  t.is(
    `projects/p1/locations/global/backendServices/${bs.name}`,
    desired.httpRoutes[0].rules?.[0].action?.destinations?.[0].serviceName ?? '',
  );
  t.is(bs.loadBalancingScheme, 'INTERNAL_SELF_MANAGED');
  t.is(bs.protocol, 'HTTP');
  t.deepEqual(bs.backends, [
    {
      group:
        'https://www.googleapis.com/compute/v1/projects/p1/zones/us-central1-a/networkEndpointGroups/k8s1-abc-ns-x-8080-1234abcd',
      balancingMode: 'RATE',
      maxRatePerEndpoint: 100,
    },
    {
      group:
        'https://www.googleapis.com/compute/v1/projects/p1/zones/us-central1-b/networkEndpointGroups/k8s1-abc-ns-x-8080-1234abcd',
      balancingMode: 'RATE',
      maxRatePerEndpoint: 100,
    },
  ]);
  t.deepEqual(JSON.parse(bs.description ?? ''), {
    managedBy: 'gamma-csm',
    cluster: 'c1',
    service: 'ns/api',
    port: 8080,
  });
  t.is(compute.healthChecks.length, 1);
  const hc = compute.healthChecks[0];
  t.is(hc.type, 'TCP');
  t.deepEqual(hc.tcpHealthCheck, { portSpecification: 'USE_SERVING_PORT' });
  t.deepEqual(bs.healthChecks, [
    `https://www.googleapis.com/compute/v1/projects/p1/global/healthChecks/${hc.name}`,
  ]);
  t.regex(hc.name ?? '', /^gamma-c1-hc-tcp-[0-9a-f]{8}$/);
  const status = desired.statuses[0].parents[0].conditions.find((c) => c.type === 'ResolvedRefs');
  t.is(status?.status, 'True');
});

test('a Service port without NEGs: ResolvedRefs=False naming the annotation, its share answered with 500, no backend service', (t) => {
  const good = svc('api', { annotations: negStatus(8080, ['us-central1-a']) });
  const bare = svc('legacy');
  const desired = translate(
    {
      services: [FRONT, good, bare],
      httpRoutes: [
        route('r', [
          { name: 'api', port: 8080, weight: 1 },
          { name: 'legacy', port: 8080, weight: 1 },
        ]),
      ],
      grpcRoutes: [],
    },
    OPTS,
  );
  const cond = desired.statuses[0].parents[0].conditions.find((c) => c.type === 'ResolvedRefs');
  t.is(cond?.status, 'False');
  t.is(cond?.reason, 'BackendNotFound');
  t.true(cond?.message.includes(`cloud.google.com/neg: '{"exposed_ports":{"8080":{}}}'`), cond?.message);
  const action = desired.httpRoutes[0].rules?.[0].action;
  t.is(action?.faultInjectionPolicy?.abort?.httpStatus, 500);
  t.is(action?.faultInjectionPolicy?.abort?.percentage, 50);
  const compute = desiredCompute([FRONT, good, bare], desired.backends, OPTS);
  t.deepEqual(
    compute.backendServices.map((b) => JSON.parse(b.description ?? '').service),
    ['ns/api'],
  );
});

test('portNegs: annotation without status waits for the controller; a port missing from exposed_ports names the merged value', (t) => {
  const waiting = portNegs(
    svc('a', { annotations: { 'cloud.google.com/neg': '{"exposed_ports":{"8080":{}}}' } }),
    8080,
  );
  t.false(waiting.ok);
  if (!waiting.ok) t.regex(waiting.problem.message, /waiting for GKE's NEG controller/);
  const other = portNegs(
    svc('a', { annotations: { 'cloud.google.com/neg': '{"ingress":true,"exposed_ports":{"9090":{}}}' } }),
    8080,
  );
  t.false(other.ok);
  if (!other.ok)
    t.true(
      other.problem.message.includes(`'{"ingress":true,"exposed_ports":{"8080":{},"9090":{}}}'`),
      other.problem.message,
    );
  const broken = portNegs(svc('a', { annotations: { 'cloud.google.com/neg-status': 'nope' } }), 8080);
  t.false(broken.ok);
  const noZones = portNegs(svc('a', { annotations: negStatus(8080, []) }), 8080);
  t.false(noZones.ok);
  const fine = portNegs(
    svc('a', { annotations: negStatus(8080, ['europe-west1-c', 'europe-west1-b', 'europe-west1-c']) }),
    8080,
  );
  t.deepEqual(fine.ok ? fine.negs.zones : [], ['europe-west1-b', 'europe-west1-c']);
});

test('protocols: override, GKE app-protocols, appProtocol, default; unsupported is UnsupportedProtocol', (t) => {
  const table: [Service, number, string | undefined][] = [
    [svc('a', { ports: [{ port: 80 }] }), 80, 'HTTP'],
    [svc('a', { ports: [{ port: 80, appProtocol: 'kubernetes.io/h2c' }] }), 80, 'HTTP2'],
    [svc('a', { ports: [{ port: 80, appProtocol: 'grpc' }] }), 80, 'HTTP2'],
    [svc('a', { ports: [{ port: 80, appProtocol: 'http' }] }), 80, 'HTTP'],
    [svc('a', { ports: [{ port: 80, appProtocol: 'https' }] }), 80, undefined],
    [svc('a', { ports: [{ port: 80, appProtocol: 'kubernetes.io/ws' }] }), 80, undefined],
    [
      svc('a', {
        ports: [{ port: 80 }],
        annotations: { 'networking.gke.io/app-protocols': '{"80":"HTTP2"}' },
      }),
      80,
      'HTTP2',
    ],
    [
      svc('a', {
        ports: [{ port: 80 }],
        annotations: { 'cloud.google.com/app-protocols': '{"80":"HTTPS"}' },
      }),
      80,
      undefined,
    ],
    [
      svc('a', {
        ports: [{ port: 80, appProtocol: 'https' }],
        annotations: { 'gamma-csm.dev/backend-protocol.80': 'grpc' },
      }),
      80,
      'GRPC',
    ],
    [
      svc('a', { ports: [{ port: 80 }], annotations: { 'gamma-csm.dev/backend-protocol.80': 'TCP' } }),
      80,
      undefined,
    ],
  ];
  for (const [service, port, want] of table) {
    const got = portBackend(service, port);
    t.is<string | undefined, string | undefined>(
      got.ok ? got.backend.protocol : undefined,
      want,
      JSON.stringify(service.spec.ports) + JSON.stringify(service.metadata.annotations),
    );
    if (!got.ok) t.is(got.problem.reason, 'UnsupportedProtocol');
  }
});

test('health check overrides: one shared check per configuration; invalid syntax rejected', (t) => {
  t.deepEqual(parseHealthCheck('tcp'), { type: 'TCP' });
  t.deepEqual(parseHealthCheck('http'), { type: 'HTTP', requestPath: '/' });
  t.deepEqual(parseHealthCheck('http2:/healthz'), { type: 'HTTP2', requestPath: '/healthz' });
  t.deepEqual(parseHealthCheck('grpc:my.Svc'), { type: 'GRPC', grpcServiceName: 'my.Svc' });
  t.is(parseHealthCheck('http:healthz'), undefined);
  t.is(parseHealthCheck('udp'), undefined);
  const a = svc('a', {
    annotations: {
      ...negStatus(8080, ['us-central1-a']),
      'gamma-csm.dev/health-check.8080': 'http:/healthz',
    },
  });
  const b = svc('b', {
    annotations: {
      ...negStatus(8080, ['us-central1-a']),
      'gamma-csm.dev/health-check.8080': 'http:/healthz',
    },
  });
  const c = svc('c', { annotations: negStatus(8080, ['us-central1-a']) });
  const mappings = ['a', 'b', 'c'].map((s) => ({
    serviceName: `projects/p1/locations/global/backendServices/bs-${s}`,
    namespace: 'ns',
    service: s,
    port: 8080,
  }));
  const compute = desiredCompute([a, b, c], mappings, OPTS);
  t.is(compute.healthChecks.length, 2);
  const http = compute.healthChecks.find((h) => h.type === 'HTTP');
  t.deepEqual(http?.httpHealthCheck, { portSpecification: 'USE_SERVING_PORT', requestPath: '/healthz' });
  t.is(compute.backendServices.filter((bs) => bs.healthChecks?.[0]?.endsWith(`/${http?.name}`)).length, 2);
  const bad = svc('d', {
    annotations: { ...negStatus(8080, ['us-central1-a']), 'gamma-csm.dev/max-rate-per-endpoint.8080': '-3' },
  });
  t.false(portBackend(bad, 8080).ok);
});

test('an override backend service is referenced only: no body for it, no NEG needed', (t) => {
  const api = svc('api', { annotations: { 'gamma-csm.dev/backend-service.8080': 'my-bs' } });
  const desired = translate(
    { services: [FRONT, api], httpRoutes: [route('r', [{ name: 'api', port: 8080 }])], grpcRoutes: [] },
    { ...OPTS, backendServiceOverrides: ['my-bs'] },
  );
  t.is(
    desired.httpRoutes[0].rules?.[0].action?.destinations?.[0].serviceName,
    'projects/p1/locations/global/backendServices/my-bs',
  );
  t.deepEqual(desiredCompute([FRONT, api], desired.backends, OPTS), {
    healthChecks: [],
    backendServices: [],
  });
  const missing = translate(
    { services: [FRONT, api], httpRoutes: [route('r', [{ name: 'api', port: 8080 }])], grpcRoutes: [] },
    {
      ...OPTS,
      backendServiceOverrides: ['my-bs'],
      unavailableBackendServices: {
        'projects/p1/locations/global/backendServices/my-bs': 'backend service my-bs does not exist',
      },
    },
  );
  const cond = missing.statuses[0].parents[0].conditions.find((c) => c.type === 'ResolvedRefs');
  t.is(cond?.status, 'False');
  t.regex(cond?.message ?? '', /my-bs does not exist/);
  t.is(missing.httpRoutes[0].rules?.[0].action?.directResponse?.status, 500);
});

test("negCheck 'requested' (offline): the annotation suffices; without it the port is still unresolved", (t) => {
  const requested = svc('api', { annotations: { 'cloud.google.com/neg': '{"exposed_ports":{"8080":{}}}' } });
  const offline = { ...OPTS, negCheck: 'requested' as const };
  const ok = translate(
    { services: [FRONT, requested], httpRoutes: [route('r', [{ name: 'api', port: 8080 }])], grpcRoutes: [] },
    offline,
  );
  t.is(ok.statuses[0].parents[0].conditions.find((c) => c.type === 'ResolvedRefs')?.status, 'True');
  const compute = desiredCompute([FRONT, requested], ok.backends, offline);
  t.deepEqual(compute.backendServices[0].backends, []);
  const live = translate(
    { services: [FRONT, requested], httpRoutes: [route('r', [{ name: 'api', port: 8080 }])], grpcRoutes: [] },
    OPTS,
  );
  t.is(live.statuses[0].parents[0].conditions.find((c) => c.type === 'ResolvedRefs')?.status, 'False');
  const bare = translate(
    {
      services: [FRONT, svc('api')],
      httpRoutes: [route('r', [{ name: 'api', port: 8080 }])],
      grpcRoutes: [],
    },
    offline,
  );
  t.is(bare.statuses[0].parents[0].conditions.find((c) => c.type === 'ResolvedRefs')?.status, 'False');
  const ignored = translate(
    {
      services: [FRONT, svc('api')],
      httpRoutes: [route('r', [{ name: 'api', port: 8080 }])],
      grpcRoutes: [],
    },
    { ...OPTS, negCheck: undefined },
  );
  t.is(ignored.statuses[0].parents[0].conditions.find((c) => c.type === 'ResolvedRefs')?.status, 'True');
});

test('ownerDescription is the JSON ownership record', (t) => {
  t.deepEqual(JSON.parse(ownerDescription({ cluster: 'c', healthCheck: 'tcp' })), {
    managedBy: 'gamma-csm',
    cluster: 'c',
    healthCheck: 'tcp',
  });
});

const zoneArb = fc.constantFrom('us-central1-a', 'us-central1-b', 'us-central1-c', 'europe-west4-a');
const serviceArb = fc.record({
  name: fc.constantFrom('a', 'b', 'c', 'd'),
  port: fc.constantFrom(80, 8080, 9090),
  zones: fc.uniqueArray(zoneArb, { maxLength: 4 }),
  appProtocol: fc.constantFrom(undefined, 'http', 'kubernetes.io/h2c', 'grpc', 'https'),
});

test('property: deterministic and independent of input order; every destination is a desired backend service', (t) => {
  fc.assert(
    fc.property(
      fc.uniqueArray(serviceArb, { selector: (s) => s.name, minLength: 1, maxLength: 4 }),
      fc.integer(),
      (specs, seed) => {
        const services = specs.map((s) =>
          svc(s.name, {
            ports: [{ port: s.port, appProtocol: s.appProtocol }],
            annotations: negStatus(s.port, s.zones),
          }),
        );
        const r = route(
          'r',
          specs.map((s) => ({ name: s.name, port: s.port })),
        );
        const desired = translate({ services: [FRONT, ...services], httpRoutes: [r], grpcRoutes: [] }, OPTS);
        const once = desiredCompute([FRONT, ...services], desired.backends, OPTS);
        const shuffled = [...services].sort(() => (seed % 2 ? 1 : -1));
        const again = desiredCompute([...shuffled, FRONT], [...desired.backends].reverse(), OPTS);
        t.deepEqual(again, once);
        const names = new Set(
          once.backendServices.map((b) => `projects/p1/locations/global/backendServices/${b.name}`),
        );
        for (const rule of desired.httpRoutes.flatMap((x) => x.rules ?? []))
          for (const d of rule.action?.destinations ?? []) if (!names.has(d.serviceName ?? '')) return false;
        for (const bs of once.backendServices) {
          const spec = specs.find((s) => `ns/${s.name}` === JSON.parse(bs.description ?? '{}').service);
          if (!spec || bs.backends?.length !== spec.zones.length) return false;
        }
        return true;
      },
    ),
    { numRuns: 200 },
  );
});

test('a GRPCRoute to a port served over HTTP/1.1 is warned about; h2c or grpc appProtocol is not', (t) => {
  const grpcRoute = (backend: string) =>
    ({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'GRPCRoute',
      metadata: { name: `g-${backend}`, namespace: 'ns', generation: 1 },
      spec: {
        parentRefs: [{ group: '', kind: 'Service', name: 'front', port: 80 }],
        rules: [{ backendRefs: [{ name: backend, port: 8080 }] }],
      },
    }) as never;
  const plain = svc('plain', { annotations: negStatus(8080, ['us-central1-a']) });
  const h2c = svc('h2c', {
    ports: [{ port: 8080, appProtocol: 'kubernetes.io/h2c' }],
    annotations: negStatus(8080, ['us-central1-a']),
  });
  const desired = translate(
    { services: [FRONT, plain, h2c], httpRoutes: [], grpcRoutes: [grpcRoute('plain'), grpcRoute('h2c')] },
    OPTS,
  );
  const warnings = (name: string) => desired.statuses.find((s) => s.name === name)?.warnings ?? [];
  t.regex(
    warnings('g-plain').join(),
    /ns\/plain:8080 is served over HTTP\/1\.1 .*appProtocol: kubernetes\.io\/h2c/,
  );
  t.deepEqual(warnings('g-h2c'), []);
  const off = translate(
    { services: [FRONT, plain], httpRoutes: [], grpcRoutes: [grpcRoute('plain')] },
    { ...OPTS, negCheck: undefined },
  );
  t.deepEqual(off.statuses[0].warnings ?? [], []);
});
