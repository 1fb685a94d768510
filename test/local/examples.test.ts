// Every example directory translates as its README says (with `gamma-csm translate`'s defaults and
// its text rendering), and all of them can be seeded into one cluster without conflicts.
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { buildSnapshot, loadManifestPaths } from '../../shared/gamma/index.ts';
import type { KubeObject } from '../../shared/gamma/index.ts';
import { translate } from '../../shared/translate/index.ts';
import type { Desired } from '../../shared/translate/types.ts';
import { DEFAULT_CONTROLLER_NAME } from '../../shared/translate/types.ts';
import { renderText } from '../../cli/commands/translate.ts';
import { loadSeed } from '../../infra/local/seed.ts';
import { REPO_ROOT } from '../support/cli.ts';

const EXAMPLES = path.join(REPO_ROOT, 'examples');
// The defaults of `gamma-csm translate`.
const OPTIONS = {
  project: 'my-project',
  location: 'global',
  mesh: 'gamma-mesh',
  clusterId: 'default',
  controllerName: DEFAULT_CONTROLLER_NAME,
  clusterDomain: 'cluster.local',
};

type Json = Record<string, unknown>;

async function translateDir(t: ExecutionContext, dir: string): Promise<{ desired: Desired; text: string }> {
  const loaded = await loadManifestPaths([path.join(EXAMPLES, dir)]);
  const built = buildSnapshot(loaded.objects, { defaultNamespace: 'default' });
  t.deepEqual([...loaded.errors, ...built.errors], [], `${dir} loads without errors`);
  const desired = translate(built.snapshot, OPTIONS);
  return { desired, text: renderText(desired, built.ignored) };
}

function accepted(desired: Desired): string[] {
  return desired.statuses.flatMap((s) =>
    s.parents.map((p) => `${s.kind} ${s.name} ${p.conditions.find((c) => c.type === 'Accepted')?.status}`),
  );
}

const id = (name: unknown) => String(name).split('/').pop() ?? '';
const rulesOf = (r: unknown) => (r as { rules: Json[] }).rules;

test('every example directory has a README and manifests', (t) => {
  const dirs = readdirSync(EXAMPLES).filter((d) => statSync(path.join(EXAMPLES, d)).isDirectory());
  t.true(dirs.length >= 8);
  for (const d of dirs) {
    t.true(
      readFileSync(path.join(EXAMPLES, d, 'README.md'), 'utf8').includes(
        'gamma-csm translate -f examples/' + d,
      ),
      d,
    );
    t.true(
      readdirSync(path.join(EXAMPLES, d)).some((f) => f.endsWith('.yaml')),
      d,
    );
  }
});

test('http-split: one HttpRoute, weights 9 and 1', async (t) => {
  const { desired } = await translateDir(t, 'http-split');
  t.is(desired.httpRoutes.length, 1);
  const route = desired.httpRoutes[0];
  t.true(route.hostnames?.includes('echo-service.default.svc.cluster.local'));
  t.true(route.hostnames?.includes('echo-service.default.svc.cluster.local:80'));
  const dests = (rulesOf(route)[0].action as Json).destinations as Json[];
  t.deepEqual(
    dests.map((d) => [id(d.serviceName), d.weight]),
    [
      ['gamma-default-default-echo-v1-80-b6f2d640', 9],
      ['gamma-default-default-echo-v2-80-98b1ae99', 1],
    ],
  );
  t.deepEqual(accepted(desired), ['HTTPRoute echo-route True']);
});

test('grpc-methods: one GrpcRoute, Echo before EchoTwo, the exact proxyless hostname', async (t) => {
  const { desired, text } = await translateDir(t, 'grpc-methods');
  t.is(desired.grpcRoutes.length, 1);
  t.true(desired.grpcRoutes[0].hostnames?.includes('echo-service.default.svc.cluster.local:8080'));
  t.regex(text, /rules\[0\]: method = echo_basic\.grpcecho\.GrpcEcho\/Echo -> .*v1/);
  t.regex(text, /rules\[1\]: method = echo_basic\.grpcecho\.GrpcEcho\/EchoTwo -> .*v2/);
  t.deepEqual(accepted(desired), ['GRPCRoute echo-route True']);
});

test('canary-header: the header rule first, no catch-all 404, short name kept', async (t) => {
  const { desired, text } = await translateDir(t, 'canary-header');
  t.is(desired.httpRoutes.length, 1);
  t.is(rulesOf(desired.httpRoutes[0]).length, 2);
  t.true(desired.httpRoutes[0].hostnames?.includes('reviews'));
  t.regex(text, /rules\[0\]: path prefix \/ AND header x-canary = always -> default\/reviews-v2:80/);
  t.regex(text, /rules\[1\]: path prefix \/ -> default\/reviews-v1:80/);
  t.deepEqual(accepted(desired), ['HTTPRoute reviews-canary True']);
});

test('path-split: each prefix is an exact and a slash-prefix match, longest prefix first', async (t) => {
  const { desired, text } = await translateDir(t, 'path-split');
  t.is(rulesOf(desired.httpRoutes[0]).length, 3);
  t.regex(text, /rules\[0\]: path = \/catalog OR path prefix \/catalog\/ -> default\/shop-catalog:80/);
  t.regex(text, /rules\[1\]: path = \/cart OR path prefix \/cart\/ -> default\/shop-cart:80/);
  t.regex(text, /rules\[2\]: path prefix \/ -> default\/shop-web:80/);
  t.deepEqual(accepted(desired), ['HTTPRoute shop-paths True']);
});

test('redirect: 302 host redirect, 301 prefix rewrite on both arms, then the backend', async (t) => {
  const { desired } = await translateDir(t, 'redirect');
  const rules = rulesOf(desired.httpRoutes[0]);
  t.is(rules.length, 4);
  t.deepEqual((rules[0].action as Json).redirect, {
    hostRedirect: 'status.default.svc.cluster.local',
    responseCode: 'FOUND',
  });
  t.deepEqual((rules[1].action as Json).redirect, {
    prefixRewrite: '/v2',
    responseCode: 'MOVED_PERMANENTLY_DEFAULT',
  });
  t.deepEqual((rules[2].action as Json).redirect, {
    prefixRewrite: '/v2/',
    responseCode: 'MOVED_PERMANENTLY_DEFAULT',
  });
  t.is(
    id(((rules[3].action as Json).destinations as Json[])[0].serviceName),
    'gamma-default-default-legacy-v2-80-a1631ccd',
  );
  t.deepEqual(accepted(desired), ['HTTPRoute legacy-redirects True']);
});

test('timeout-retry: timeout 10s, 3 retries with a 2 s per-try timeout, approximation warned', async (t) => {
  const { desired, text } = await translateDir(t, 'timeout-retry');
  const route = desired.httpRoutes[0];
  t.true(route.hostnames?.every((h) => h.endsWith(':8080')));
  const action = rulesOf(route)[0].action as Json;
  t.is(action.timeout, '10s');
  t.like(action.retryPolicy as Json, { numRetries: 3, perTryTimeout: '2s' });
  t.true(((action.retryPolicy as Json).retryConditions as string[]).includes('gateway-error'));
  t.deepEqual(accepted(desired), ['HTTPRoute payments-resilience True']);
  t.regex(text, /warning: .*502/);
  t.regex(text, /timeout 10s; retry up to 3x on gateway-error, connect-failure, refused-stream, 2s per try/);
});

test('grpc-weighted: GetItem split 80/20, the rest of the service by regex', async (t) => {
  const { desired, text } = await translateDir(t, 'grpc-weighted');
  t.is(desired.grpcRoutes.length, 1);
  t.true(desired.grpcRoutes[0].hostnames?.includes('inventory.default.svc.cluster.local:9090'));
  t.regex(
    text,
    /rules\[0\]: method = inventory\.v1\.Inventory\/GetItem -> default\/inventory-v1:9090 \(weight 80\), default\/inventory-v2:9090 \(weight 20\)/,
  );
  t.regex(text, /rules\[1\]: method ~ inventory\\\.v1\\\.Inventory\/\.\* -> default\/inventory-v1:9090/);
  t.deepEqual(accepted(desired), ['GRPCRoute inventory-methods True']);
});

test('invalid-route: a visible rejection in status, not a load error', async (t) => {
  const { desired, text } = await translateDir(t, 'invalid-route');
  t.is(desired.httpRoutes.length + desired.grpcRoutes.length, 0);
  t.deepEqual(accepted(desired), ['HTTPRoute ledger-regex False']);
  const cond = desired.statuses[0].parents[0].conditions.find((c) => c.type === 'Accepted');
  t.is(cond?.reason, 'UnsupportedValue');
  t.regex(
    cond?.message ?? '',
    /Dropped Rule spec\.rules\[0\]: matches\[0\]: path: invalid RE2 regular expression/,
  );
  t.regex(text, /no Network Services routes/);
  t.regex(text, /rejected: Accepted=False UnsupportedValue/);
});

/** The Service a destination's backend service stands for (desired.backends), as `name:port`. */
function backendOf(desired: Desired, serviceName: unknown): string {
  const b = desired.backends.find(
    (m) => m.serviceName === serviceName || id(m.serviceName) === id(serviceName),
  );
  return b ? `${b.service}:${b.port}` : `unknown ${String(serviceName)}`;
}

test('tcp-split: one TcpRoute on 10.0.0.12/32 port 5432, weights 90 and 10', async (t) => {
  const { desired } = await translateDir(t, 'tcp-split');
  t.is(desired.tcpRoutes.length, 1);
  const rules = rulesOf(desired.tcpRoutes[0]);
  t.is(rules.length, 1);
  t.deepEqual(rules[0].matches, [{ address: '10.0.0.12/32', port: '5432' }]);
  const dests = (rules[0].action as Json).destinations as Json[];
  t.deepEqual(
    dests.map((d) => [backendOf(desired, d.serviceName), d.weight]),
    [
      ['orders-db-primary:5432', 90],
      ['orders-db-canary:5432', 10],
    ],
  );
  t.true(
    desired.backends.every((b) => b.transport === 'TCP'),
    'TCP destinations get backend services of their own',
  );
  t.deepEqual(accepted(desired), ['TCPRoute orders-db True']);
});

test('tls-passthrough: the SNI picks the backend, both routes accepted', async (t) => {
  const { desired } = await translateDir(t, 'tls-passthrough');
  t.true(desired.tlsRoutes.length >= 1);
  const bySni = new Map<string, string[]>();
  for (const rule of desired.tlsRoutes.flatMap(rulesOf))
    for (const m of (rule.matches ?? []) as Json[])
      for (const sni of (m.sniHost ?? []) as string[])
        bySni.set(
          sni,
          ((rule.action as Json).destinations as Json[]).map((d) => backendOf(desired, d.serviceName)),
        );
  t.deepEqual(Object.fromEntries(bySni), {
    'billing.example.com': ['billing:443'],
    'ledger.example.com': ['ledger:443'],
  });
  t.deepEqual(accepted(desired).sort(), ['TLSRoute billing-sni True', 'TLSRoute ledger-sni True']);
});

test('all examples seeded together (one namespace each) translate without conflicts', (t) => {
  const seed = loadSeed(EXAMPLES);
  const built = buildSnapshot(seed.objects as unknown as KubeObject[]);
  t.deepEqual(built.errors, []);
  const desired = translate(built.snapshot, OPTIONS);
  const all = accepted(desired).sort();
  t.deepEqual(
    all.filter((s) => s.endsWith('False')),
    ['HTTPRoute ledger-regex False'],
    'only the deliberately invalid example is rejected',
  );
  t.is(all.length, seed.objects.filter((o) => /Route$/.test(o.kind)).length, 'one status per route');
  t.is(desired.httpRoutes.length, 5);
  t.is(desired.grpcRoutes.length, 2);
  t.is(desired.tcpRoutes.length, 1);
  t.true(desired.tlsRoutes.length >= 1);
  t.deepEqual(new Set(desired.httpRoutes.map((r) => r.name)).size, 5);
});
