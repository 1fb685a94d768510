import test from 'ava';
import { applyDefaults, validateObject } from '../../shared/gamma/index.ts';
import type { GRPCRoute, KubeObject, Service } from '../../shared/gamma/index.ts';

type Rule = Record<string, unknown>;

function route(
  rules: Rule[] = [{ backendRefs: [{ name: 'b', port: 8080 }] }],
  extra: Record<string, unknown> = {},
): GRPCRoute {
  return applyDefaults({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'GRPCRoute',
    metadata: { name: 'r', namespace: 'ns' },
    spec: { parentRefs: [{ group: '', kind: 'Service', name: 'svc', port: 8080 }], rules, ...extra },
  } as GRPCRoute);
}
const method = (m: Rule) => [{ matches: [{ method: m }] }];
const many = <T>(n: number, f: (i: number) => T) => Array.from({ length: n }, (_, i) => f(i));

test('a full valid GRPCRoute has no errors', (t) => {
  const ok = route([
    {
      matches: [
        {
          method: { service: 'echo_basic.grpcecho.GrpcEcho', method: 'Echo' },
          headers: [{ name: 'x', value: 'y' }],
        },
        { method: { method: 'EchoTwo' } },
        { method: { type: 'RegularExpression', service: 'foo\\..*', method: '[' } },
        { headers: [{ type: 'RegularExpression', name: 'env', value: 'c.*' }] },
      ],
      filters: [
        { type: 'RequestHeaderModifier', requestHeaderModifier: { add: [{ name: 'a', value: 'b' }] } },
        { type: 'RequestMirror', requestMirror: { backendRef: { name: 'm', port: 8080 } } },
      ],
      backendRefs: [
        {
          name: 'b',
          port: 8080,
          weight: 2,
          filters: [{ type: 'ResponseHeaderModifier', responseHeaderModifier: { remove: ['x'] } }],
        },
      ],
      sessionPersistence: { type: 'Header' },
    },
  ]);
  t.deepEqual(validateObject(ok), []);
  t.deepEqual(validateObject(route([])), [], 'GRPCRoute rules may be empty');
  t.deepEqual(validateObject(route([{}])), [], 'a GRPCRoute rule may have no matches');
});

const cases: [string, GRPCRoute, string, string][] = [
  ['rules max 16', route(many(17, () => ({}))), 'spec.rules', 'at most 16 items'],
  ['matches max 8', route([{ matches: many(9, () => ({})) }]), 'spec.rules[0].matches', 'at most 8 items'],
  [
    'method type given, neither service nor method',
    route(method({ type: 'Exact' })),
    'spec.rules[0].matches[0].method',
    "One or both of 'service' or 'method' must be specified",
  ],
  [
    'method: {} (type defaulted) is refused',
    route(method({})),
    'spec.rules[0].matches[0].method',
    "One or both of 'service' or 'method'",
  ],
  [
    'Exact service characters',
    route(method({ service: 'echo/Grpc' })),
    'spec.rules[0].matches[0].method.service',
    'service must only contain valid characters',
  ],
  [
    'Exact method characters',
    route(method({ method: 'Echo.Two' })),
    'spec.rules[0].matches[0].method.method',
    'method must only contain valid characters',
  ],
  [
    'method type enum',
    route(method({ type: 'Prefix', method: 'a' })),
    'spec.rules[0].matches[0].method.type',
    'Unsupported value "Prefix"',
  ],
  [
    'method length 1024',
    route(method({ type: 'RegularExpression', method: 'a'.repeat(1025) })),
    'spec.rules[0].matches[0].method.method',
    'at most 1024',
  ],
  [
    'header name pattern',
    route([{ matches: [{ headers: [{ name: 'a b', value: 'v' }] }] }]),
    'spec.rules[0].matches[0].headers[0].name',
    'header name',
  ],
  [
    'filter type enum (no redirect in gRPC)',
    route([{ filters: [{ type: 'RequestRedirect', requestRedirect: {} }] }]),
    'spec.rules[0].filters[0].type',
    'Unsupported value "RequestRedirect"',
  ],
  [
    'header modifier cannot repeat',
    route([
      {
        filters: [
          { type: 'RequestHeaderModifier', requestHeaderModifier: {} },
          { type: 'RequestHeaderModifier', requestHeaderModifier: {} },
        ],
      },
    ]),
    'spec.rules[0].filters',
    'RequestHeaderModifier filter cannot be repeated',
  ],
  [
    'filter field must match type',
    route([{ filters: [{ type: 'RequestMirror' }] }]),
    'spec.rules[0].filters[0].requestMirror',
    'must be specified for RequestMirror',
  ],
  [
    'backendRef port required',
    route([{ backendRefs: [{ name: 'b' }] }]),
    'spec.rules[0].backendRefs[0].port',
    'Must have port for Service reference',
  ],
  [
    'backendRef filter checked',
    route([{ backendRefs: [{ name: 'b', port: 1, filters: [{ type: 'Nope' }] }] }]),
    'spec.rules[0].backendRefs[0].filters[0].type',
    'Unsupported value "Nope"',
  ],
  [
    'hostnames pattern',
    route(undefined, { hostnames: ['UPPER.example.com'] }),
    'spec.hostnames[0]',
    'hostname',
  ],
];
for (const [title, obj, path, message] of cases) {
  test(`GRPCRoute: ${title}`, (t) => {
    const errors = validateObject(obj);
    const hit = errors.find((e) => e.path === path);
    t.truthy(hit, `expected an error at ${path}, got ${JSON.stringify(errors)}`);
    t.true(hit!.message.includes(message), hit!.message);
    t.is(errors.length, 1, JSON.stringify(errors));
  });
}

test('GRPCRoute: 16 rules x 8 matches = 128 is allowed; the limit is on the total', (t) => {
  t.deepEqual(validateObject(route(many(16, () => ({ matches: many(8, () => ({})) })))), []);
});

// ---- core/v1 Service ----

function service(spec: unknown): Service {
  return applyDefaults({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'svc', namespace: 'ns' },
    spec,
  } as Service);
}

test('Service: valid shapes', (t) => {
  t.deepEqual(validateObject(service({ ports: [{ port: 80 }] })), []);
  t.deepEqual(
    validateObject(
      service({
        ports: [
          { name: 'http', port: 80 },
          { name: 'grpc', port: 8080, targetPort: 'grpc', appProtocol: 'kubernetes.io/h2c' },
        ],
      }),
    ),
    [],
  );
  t.deepEqual(validateObject(service({ type: 'ExternalName', externalName: 'example.com' })), []);
  t.deepEqual(validateObject(service({ clusterIP: 'None' })), [], 'headless without ports');
});

const serviceCases: [string, KubeObject, string, string][] = [
  [
    'spec required',
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc' } },
    'spec',
    'Required value',
  ],
  [
    'name is a DNS label',
    { ...service({ ports: [{ port: 80 }] }), metadata: { name: 'a.b' } },
    'metadata.name',
    'RFC 1123',
  ],
  ['ports required for ClusterIP', service({}), 'spec.ports', 'Required value'],
  [
    'port range',
    { ...service({}), spec: { ports: [{ port: 0 }] } },
    'spec.ports[0].port',
    'greater than or equal to 1',
  ],
  ['port is required', service({ ports: [{ name: 'x' }] }), 'spec.ports[0].port', 'Required value'],
  [
    'port names required when several ports',
    service({ ports: [{ port: 80 }, { name: 'b', port: 81 }] }),
    'spec.ports[0].name',
    'Required value',
  ],
  [
    'port names unique',
    service({
      ports: [
        { name: 'a', port: 80 },
        { name: 'a', port: 81 },
      ],
    }),
    'spec.ports[1].name',
    'Duplicate value',
  ],
  [
    'protocol enum',
    service({ ports: [{ port: 80, protocol: 'HTTP' }] }),
    'spec.ports[0].protocol',
    'Unsupported value "HTTP"',
  ],
  [
    'type enum',
    service({ type: 'Headless', ports: [{ port: 80 }] }),
    'spec.type',
    'Unsupported value "Headless"',
  ],
  ['ports wrong type', service({ ports: 'eighty' }), 'spec.ports', 'must be a list'],
];

for (const [title, obj, path, message] of serviceCases) {
  test(`Service: ${title}`, (t) => {
    const errors = validateObject(obj);
    const hit = errors.find((e) => e.path === path);
    t.truthy(hit, `expected an error at ${path}, got ${JSON.stringify(errors)}`);
    t.true(hit!.message.includes(message), hit!.message);
    t.is(errors.length, 1, JSON.stringify(errors));
  });
}
