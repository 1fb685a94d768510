// Size limits on what translate emits (shared/translate/limits.ts, docs/support-matrix.md "Sizes"):
// one table row per limit, each driven over its cap through translate, plus the match split, the
// NEG backend cap and the configuration variables.
import test from 'ava';
import type { HTTPRoute, Service } from '../../shared/gamma/types.ts';
import { translate } from '../../shared/translate/index.ts';
import type { TranslateOptions } from '../../shared/translate/types.ts';
import { DEFAULT_ROUTE_LIMITS, type RouteLimits, splitLongRules } from '../../shared/translate/limits.ts';
import { portNegs } from '../../shared/compute/neg.ts';
import { MAX_NEG_BACKENDS } from '../../shared/compute/types.ts';
import { loadConfig, translateOptionsFrom } from '../../shared/config/index.ts';

const OPTS: TranslateOptions = {
  project: 'p1',
  location: 'global',
  mesh: 'm',
  clusterId: 'c1',
  controllerName: 'gamma-csm.dev/controller',
  clusterDomain: 'cluster.local',
};

const svc = (name: string, port = 80): Service =>
  ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'ns' },
    spec: { ports: [{ port }] },
  }) as Service;

type Rule = NonNullable<HTTPRoute['spec']['rules']>[number];

function route(rules: Rule[]): HTTPRoute {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'r', namespace: 'ns', generation: 1 },
    spec: { parentRefs: [{ group: '', kind: 'Service', name: 'front', port: 80 }], rules },
  } as HTTPRoute;
}

const backend = (name: string) => ({ name, port: 8080 });
const SERVICES = [svc('front'), ...['a', 'b', 'c', 'd'].map((n) => svc(n, 8080))];

function run(rules: Rule[], limits?: Partial<RouteLimits>) {
  const desired = translate(
    { services: SERVICES, httpRoutes: [route(rules)], grpcRoutes: [] },
    limits ? { ...OPTS, limits } : OPTS,
  );
  const accepted = desired.statuses[0].parents[0].conditions.find((c) => c.type === 'Accepted');
  return { desired, accepted };
}

const pathRule = (i: number, to = 'a'): Rule => ({
  matches: [{ path: { type: 'PathPrefix', value: `/p${i}` } }],
  backendRefs: [backend(to)],
});

const ROWS: [string, Partial<RouteLimits>, Rule[], string][] = [
  [
    'rules per route',
    { rulesPerRoute: 3 },
    [pathRule(1, 'a'), pathRule(2, 'b'), pathRule(3, 'c'), pathRule(4, 'd')],
    'GAMMA_MAX_RULES_PER_ROUTE',
  ],
  [
    'destinations per rule',
    { destinationsPerRule: 2 },
    [{ backendRefs: [backend('a'), backend('b'), backend('c')] }],
    'GAMMA_MAX_DESTINATIONS_PER_RULE',
  ],
  [
    'header matches per match',
    { headerMatchesPerMatch: 2 },
    [
      {
        matches: [{ headers: ['x-a', 'x-b', 'x-c'].map((name) => ({ name, value: '1' })) }],
        backendRefs: [backend('a')],
      },
    ],
    'GAMMA_MAX_HEADER_MATCHES',
  ],
  ['hostnames per route', { hostnamesPerRoute: 2 }, [pathRule(1)], 'GAMMA_MAX_HOSTNAMES_PER_ROUTE'],
  ['bytes per route body', { routeBytes: 300 }, [pathRule(1)], 'GAMMA_MAX_ROUTE_BYTES'],
];

for (const [what, limits, rules, env] of ROWS) {
  test(`over the ${what} limit: no route written, Accepted=False naming ${env} and what to do`, (t) => {
    const within = run(rules);
    t.is(within.desired.httpRoutes.length, 1, 'within the defaults the route is written');
    t.is(within.accepted?.status, 'True');
    const { desired, accepted } = run(rules, limits);
    t.is(desired.httpRoutes.length, 0);
    t.is(accepted?.status, 'False');
    t.is(accepted?.reason, 'UnsupportedValue');
    t.regex(accepted?.message ?? '', new RegExp(`Service ns/front port 80: .*${what}.*over the limit of`));
    t.true(accepted?.message.includes(env), accepted?.message);
    t.regex(accepted?.message ?? '', /so it is not written; .*, or raise/);
  });
}

test('matches per rule: a run over the cap is split into consecutive rules with the same action', (t) => {
  const matches = Array.from({ length: 60 }, (_, i) => ({
    path: { type: 'Exact' as const, value: `/m${i}` },
  }));
  const { desired, accepted } = run([{ matches, backendRefs: [backend('a')] }]);
  t.is(accepted?.status, 'True');
  const rules = desired.httpRoutes[0].rules ?? [];
  const withMatches = rules.filter((r) => r.matches?.length);
  t.deepEqual(
    withMatches.map((r) => r.matches?.length),
    [50, 10],
  );
  t.deepEqual(withMatches[0].action, withMatches[1].action);
  t.deepEqual(
    withMatches.flatMap((r) => r.matches?.map((m) => m.fullPathMatch)),
    matches.map((m) => m.path.value),
  );
});

test('splitLongRules: table of sizes and caps', (t) => {
  const rule = (n: number) => ({ matches: Array.from({ length: n }, (_, i) => i), action: { n } });
  const cases: [number[], number, number[]][] = [
    [[3, 2], 3, [3, 2]],
    [[7], 3, [3, 3, 1]],
    [[6, 1], 3, [3, 3, 1]],
    [[0], 1, [0]],
  ];
  for (const [sizes, max, want] of cases) {
    const input = sizes.map(rule);
    const out = splitLongRules(input, max);
    t.deepEqual(
      out.map((r) => r.matches.length),
      want,
      `${sizes} by ${max}`,
    );
    if (sizes.every((s) => s <= max)) t.is(out, input, 'unchanged input is returned as is');
  }
});

test('the Gateway API maxima of one route (16 rules, 8 matches each, 16 headers) pass the defaults', (t) => {
  const rules: Rule[] = Array.from({ length: 16 }, (_, r) => ({
    matches: Array.from({ length: 8 }, (_, m) => ({
      path: { type: 'PathPrefix' as const, value: `/r${r}/m${m}` },
      headers: Array.from({ length: 16 }, (_, h) => ({ name: `x-h${h}`, value: 'v'.repeat(64) })),
    })),
    backendRefs: [backend(['a', 'b', 'c', 'd'][r % 4])],
  }));
  const { desired, accepted } = run(rules);
  t.is(accepted?.status, 'True', accepted?.message);
  t.is(desired.httpRoutes.length, 1);
  t.true(DEFAULT_ROUTE_LIMITS.routeBytes > JSON.stringify(desired.httpRoutes[0]).length);
});

test(`NEG backends per backend service: a NEG in more than ${MAX_NEG_BACKENDS} zones is refused`, (t) => {
  const withZones = (n: number) =>
    ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: 'api',
        namespace: 'ns',
        annotations: {
          'cloud.google.com/neg': '{"exposed_ports":{"8080":{}}}',
          'cloud.google.com/neg-status': JSON.stringify({
            network_endpoint_groups: { 8080: 'k8s1-abc-ns-api-8080-1234abcd' },
            zones: Array.from({ length: n }, (_, i) => `us-east${i + 1}-a`),
          }),
        },
      },
      spec: { ports: [{ port: 8080 }] },
    }) as Service;
  t.true(portNegs(withZones(MAX_NEG_BACKENDS), 8080).ok);
  const over = portNegs(withZones(MAX_NEG_BACKENDS + 1), 8080);
  t.false(over.ok);
  if (!over.ok) t.regex(over.problem.message, /is in 51 zones, .* at most 50 NEG backends/);
});

const ENV = { GAMMA_PROJECT: 'proj-1', GAMMA_MESH: 'm', GAMMA_CLUSTER_ID: 'c1' };

test('GAMMA_MAX_* set the limits translate gets; unset ones keep the defaults; bad values are refused', (t) => {
  const config = loadConfig(
    { ...ENV, GAMMA_MAX_RULES_PER_ROUTE: '10', GAMMA_MAX_ROUTE_BYTES: '4096' },
    'cli',
  );
  const options = translateOptionsFrom({ ...config, project: 'proj-1', mesh: 'm', clusterId: 'c1' });
  t.deepEqual(options.limits, { rulesPerRoute: 10, routeBytes: 4096 });
  const plain = loadConfig(ENV, 'cli');
  t.is(translateOptionsFrom({ ...plain, project: 'proj-1', mesh: 'm', clusterId: 'c1' }).limits, undefined);
  t.throws(() => loadConfig({ ...ENV, GAMMA_MAX_MATCHES_PER_RULE: '0' }, 'cli'), {
    message: /GAMMA_MAX_MATCHES_PER_RULE/,
  });
});

test('a GRPCRoute over the rules limit: no GrpcRoute written, Accepted=False naming the limit', (t) => {
  const grpcSvc = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'front', namespace: 'ns' },
    spec: { ports: [{ port: 7070, appProtocol: 'grpc' }] },
  } as Service;
  const rules = ['a', 'b', 'c'].map((to, i) => ({
    matches: [{ method: { service: `pkg.S${i}` } }],
    backendRefs: [{ name: to, port: 8080 }],
  }));
  const grpc = {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'GRPCRoute',
    metadata: { name: 'g', namespace: 'ns', generation: 1 },
    spec: { parentRefs: [{ group: '', kind: 'Service', name: 'front', port: 7070 }], rules },
  };
  const input = { services: [grpcSvc, ...SERVICES.slice(1)], httpRoutes: [], grpcRoutes: [grpc] } as never;
  t.is(translate(input, OPTS).grpcRoutes.length, 1);
  const desired = translate(input, { ...OPTS, limits: { rulesPerRoute: 2 } });
  t.is(desired.grpcRoutes.length, 0);
  const accepted = desired.statuses[0].parents[0].conditions.find((c) => c.type === 'Accepted');
  t.is(accepted?.status, 'False');
  t.regex(
    accepted?.message ?? '',
    /GrpcRoute would have \d+ rules per route, over the limit of 2 \(GAMMA_MAX_RULES_PER_ROUTE/,
  );
});

test('a parent on several ports: the port over a limit gets a note, the other port its route', (t) => {
  const twoPorts = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'front', namespace: 'ns' },
    spec: {
      ports: [
        { port: 80, name: 'http' },
        { port: 8081, name: 'http-alt' },
      ],
    },
  } as Service;
  const big = route([pathRule(1, 'a'), pathRule(2, 'b')]);
  big.spec.parentRefs = [{ group: '', kind: 'Service', name: 'front' }];
  // Port 80 gets 8 hostnames (with and without :80), port 8081 four: a cap of 4 refuses only port 80.
  const desired = translate(
    { services: [twoPorts, ...SERVICES.slice(1)], httpRoutes: [big], grpcRoutes: [] },
    { ...OPTS, limits: { hostnamesPerRoute: 4 } },
  );
  t.is(desired.httpRoutes.length, 1);
  t.true(desired.httpRoutes[0].hostnames?.every((h) => h.endsWith(':8081')));
  const accepted = desired.statuses[0].parents[0].conditions.find((c) => c.type === 'Accepted');
  t.is(accepted?.status, 'True');
  t.regex(accepted?.message ?? '', /Service ns\/front port 80: .*hostnames per route, over the limit of 4/);
});
