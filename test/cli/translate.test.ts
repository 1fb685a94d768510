// gamma-csm translate as a user runs it: a child process on real files.
import test from 'ava';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { runCli } from '../support/cli.ts';
import type { Desired } from '../../shared/translate/types.ts';

const demo = ['--project', 'demo', '--mesh', 'demo-mesh'];
// Each CLI run is a fresh Node process (~1 s of CPU), so runs that several tests read are shared.
let httpSplitJson: ReturnType<typeof runCli> | undefined;
const runHttpSplitJson = () =>
  (httpSplitJson ??= runCli(['translate', '-f', 'examples/http-split', ...demo, '-o', 'json']));

async function tempDir(t: { teardown: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'gamma-cli-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function destinations(rule: unknown): { serviceName?: string | null; weight?: number | null }[] {
  return ((rule as { action?: { destinations?: [] } }).action?.destinations ?? []) as never;
}

function accepted(desired: Desired, kind: string, name: string): string | undefined {
  const entry = desired.statuses.find((s) => s.kind === kind && s.namespace === 'default' && s.name === name);
  return entry?.parents[0]?.conditions.find((c) => c.type === 'Accepted')?.status;
}

test('acceptance: examples/http-split -> one HttpRoute, 9:1 split, Accepted', async (t) => {
  const r = await runHttpSplitJson();
  t.is(r.code, 0, r.stderr);
  const desired = JSON.parse(r.stdout) as Desired;
  t.is(desired.mesh.name, 'projects/demo/locations/global/meshes/demo-mesh');
  t.is(desired.httpRoutes.length, 1);
  t.is(desired.grpcRoutes.length, 0);
  const route = desired.httpRoutes[0];
  t.true(route.hostnames?.includes('echo-service.default.svc.cluster.local'));
  t.is(route.rules?.length, 1);
  const byService = (svc: string) =>
    desired.backends.find((b) => b.service === svc && b.port === 80)?.serviceName;
  t.deepEqual(destinations(route.rules![0]), [
    { serviceName: byService('echo-v1'), weight: 9 },
    { serviceName: byService('echo-v2'), weight: 1 },
  ]);
  t.is(accepted(desired, 'HTTPRoute', 'echo-route'), 'True');
  t.true(r.stdout.startsWith('{\n  "mesh"'), 'two-space indented JSON');
});

test('acceptance: examples/grpc-methods -> one GrpcRoute, Echo then EchoTwo, Accepted', async (t) => {
  const r = await runCli(['translate', '-f', 'examples/grpc-methods', ...demo, '-o', 'json']);
  t.is(r.code, 0, r.stderr);
  const desired = JSON.parse(r.stdout) as Desired;
  t.is(desired.grpcRoutes.length, 1);
  t.is(desired.httpRoutes.length, 0);
  const route = desired.grpcRoutes[0];
  t.true(route.hostnames?.includes('echo-service.default.svc.cluster.local:8080'));
  const methods = (route.rules ?? []).map((rule) =>
    rule.matches?.map((m) => [m.method?.grpcService, m.method?.grpcMethod]),
  );
  t.deepEqual(methods, [
    [['echo_basic.grpcecho.GrpcEcho', 'Echo']],
    [['echo_basic.grpcecho.GrpcEcho', 'EchoTwo']],
  ]);
  const backendOf = (i: number) =>
    desired.backends.find((b) => b.serviceName === destinations(route.rules![i])[0]?.serviceName)?.service;
  t.is(backendOf(0), 'grpc-infra-backend-v1');
  t.is(backendOf(1), 'grpc-infra-backend-v2');
  t.is(accepted(desired, 'GRPCRoute', 'echo-route'), 'True');
});

const TCP_TLS = 'test/fixtures/behaviour-tcp-tls.yaml';

test('acceptance: TCPRoute 90/10 on 10.0.0.12:5432 -> one TcpRoute; TLSRoute hostnames -> sniHost', async (t) => {
  const r = await runCli(['translate', '-f', TCP_TLS, ...demo, '-o', 'json']);
  t.is(r.code, 0, r.stderr);
  const desired = JSON.parse(r.stdout) as Desired;
  const db = desired.tcpRoutes.find(
    (x) => x.description === 'TCPRoute data/db-split -> Service data/db:5432',
  );
  t.truthy(db, 'the TcpRoute of data/db:5432');
  t.deepEqual(db?.rules?.[0].matches, [{ address: '10.0.0.12/32', port: '5432' }]);
  t.deepEqual(
    destinations(db?.rules?.[0]).map((d) => d.weight),
    [90, 10],
  );
  const status = desired.statuses.find((s) => s.kind === 'TCPRoute' && s.name === 'db-split');
  t.is(status?.parents[0].conditions.find((c) => c.type === 'Accepted')?.status, 'True');
  t.deepEqual(
    desired.tlsRoutes.map((x) => x.rules?.[0].matches?.[0].sniHost),
    [['api.example.com', '*.internal.example.com']],
  );
  // The backend services of TCP destinations are their own (BackendMapping transport TCP).
  t.true(desired.backends.filter((b) => b.service === 'db-v1').every((b) => b.transport === 'TCP'));
  const text = await runCli(['translate', '-f', TCP_TLS, ...demo, '-o', 'text']);
  t.is(text.code, 0, text.stderr);
  t.regex(
    text.stdout,
    /TcpRoute gamma-default-data-db-5432-[0-9a-f]{8}\n {2}source: TCPRoute data\/db-split -> Service data\/db:5432\n {2}rules\[0\]: connection to 10\.0\.0\.12\/32 port 5432 -> data\/db-v1:5432 \(weight 90\), data\/db-v2:5432 \(weight 10\)/,
  );
  t.regex(
    text.stdout,
    /TlsRoute .*\n.*\n {2}rules\[0\]: SNI api\.example\.com \| \*\.internal\.example\.com -> data\/front-v1:8443/,
  );
  t.regex(
    text.stdout,
    /TCPRoute data\/mixed-tcp -> Service data\/mixed:9000: Accepted=False[\s\S]*Conflicted: port 9000 is served by HTTPRoute data\/mixed-http/,
  );
});

test('-o yaml prints the same contract as -o json', async (t) => {
  const [y, j] = await Promise.all([
    runCli(['translate', '-f', 'examples/http-split', ...demo, '-o', 'yaml']),
    runHttpSplitJson(),
  ]);
  t.is(y.code, 0, y.stderr);
  t.deepEqual(parseYaml(y.stdout), JSON.parse(j.stdout));
  t.regex(y.stdout, /^mesh:\n {2}name: projects\/demo\/locations\/global\/meshes\/demo-mesh/);
});

test('-o text summarises routes, rules, statuses, rejections and ignored objects', async (t) => {
  const dir = await tempDir(t);
  const extra = path.join(dir, 'extra.yaml');
  await writeFile(
    extra,
    [
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: echo-v1}',
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}',
      'apiVersion: v1\nkind: Service\nmetadata: {name: svc, namespace: other}\nspec: {ports: [{port: 80}]}',
      'apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r, namespace: other}\nspec:\n  parentRefs: [{group: "", kind: Service, name: svc}]\n  rules: [{backendRefs: [{name: nowhere, port: 80}]}]',
    ].join('\n---\n'),
  );
  const r = await runCli(['translate', '-f', 'examples/http-split', extra, ...demo, '-o', 'text']);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /^Mesh projects\/demo\/locations\/global\/meshes\/demo-mesh$/m);
  t.regex(r.stdout, /^HttpRoute \S+$/m);
  t.regex(r.stdout, /hostnames: .*echo-service\.default\.svc\.cluster\.local\b/);
  t.regex(
    r.stdout,
    /rules\[0\]: path prefix \/ -> default\/echo-v1:80 \(weight 9\), default\/echo-v2:80 \(weight 1\)/,
  );
  t.regex(r.stdout, /HTTPRoute default\/echo-route -> Service default\/echo-service\S*: Accepted=True/);
  t.regex(r.stdout, /rejected: ResolvedRefs=False BackendNotFound: .*nowhere/);
  t.regex(r.stdout, /^ignored 2 objects:$/m);
  t.regex(r.stdout, /^ {2}Deployment echo-v1: kind Deployment \(apps\/v1\) is unrelated to mesh routes \[/m);
  t.regex(r.stdout, /^ {2}ConfigMap c: kind ConfigMap \(v1\) is unrelated to mesh routes \[/m);
});

test('invalid input: exit 1, every error on stderr naming file, object and field, stdout empty', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'bad.yaml');
  await writeFile(
    file,
    [
      'apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r, namespace: ns}\nspec:\n  rules: [{matches: [{path: {type: Exact, value: "no-slash"}}], backendRefs: [{name: b}]}]',
      'apiVersion: gateway.networking.k8s.io\nkind: GRPCRoute\nmetadata: {name: g}',
      'kind: Service\nmetadata: {name: [',
      'apiVersion: v1\nkind: Service\nmetadata: {name: echo-service}\nspec: {ports: [{port: 81}]}',
      'apiVersion: gateway.networking.k8s.io/v1alpha1\nkind: GRPCRoute\nmetadata: {name: g2}\nspec: {}',
    ].join('\n---\n'),
  );
  const r = await runCli(['translate', '-f', 'examples/http-split', file, 'no/such/dir']);
  t.is(r.code, 1);
  t.is(r.stdout, '');
  const lines = r.stderr.trim().split('\n');
  t.true(
    lines.includes(
      `${file}: HTTPRoute ns/r: spec.rules[0].matches[0].path.value: value must be an absolute path and start with '/' when type one of ['Exact', 'PathPrefix']`,
    ),
    r.stderr,
  );
  t.true(
    lines.includes(
      `${file}: HTTPRoute ns/r: spec.rules[0].backendRefs[0].port: Must have port for Service reference`,
    ),
    r.stderr,
  );
  t.true(
    lines.includes(
      `${file}: GRPCRoute g: apiVersion: "gateway.networking.k8s.io" has no version; use "gateway.networking.k8s.io/v1"`,
    ),
    r.stderr,
  );
  t.true(
    lines.some((l) => l.startsWith(`${file}: document 3: invalid YAML at line `)),
    r.stderr,
  );
  t.true(
    lines.includes(
      `${file}: Service default/echo-service: duplicate object with different content: already defined in examples/http-split/services.yaml (document 1)`,
    ),
    r.stderr,
  );
  t.true(
    lines.includes(
      `${file}: GRPCRoute default/g2: apiVersion: GRPCRoute gateway.networking.k8s.io/v1alpha1 is not supported (gamma-csm reads gateway.networking.k8s.io/v1, gateway.networking.k8s.io/v1alpha2): convert it to gateway.networking.k8s.io/v1`,
    ),
    r.stderr,
  );
  t.true(lines.includes('no/such/dir: cannot read: no such file or directory'), r.stderr);
  t.is(lines.at(-1), 'gamma-csm: 7 errors in the input; nothing was translated');
  t.is(lines.length, 8);
});

test('reads stdin with -f -', async (t) => {
  const r = await runCli(['translate', '-f', '-', '-o', 'json'], {
    input: 'apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec: {ports: [{port: 80}]}\n',
  });
  t.is(r.code, 0, r.stderr);
  const desired = JSON.parse(r.stdout) as Desired;
  t.is(
    desired.mesh.name,
    'projects/test-proj/locations/global/meshes/gamma-mesh',
    'project from $GOOGLE_CLOUD_PROJECT',
  );
  t.deepEqual(desired.httpRoutes, []);
});

test('flags: bad -o lists the choices; -f is required; defaults shown in --help', async (t) => {
  const [bad, missing, help] = await Promise.all([
    runCli(['translate', '-f', 'examples/http-split', '-o', 'xml']),
    runCli(['translate']),
    runCli(['translate', '--help'], { env: { GOOGLE_CLOUD_PROJECT: '' } }),
  ]);
  t.is(bad.code, 1);
  t.is(bad.stdout, '');
  t.regex(bad.stderr, /argument 'xml' is invalid\. Allowed choices are json, yaml, text/);
  t.is(missing.code, 1);
  t.regex(missing.stderr, /required option '-f, --filename <path\.\.\.>' not specified/);
  t.is(help.code, 0);
  for (const d of [
    '"my-project"',
    '"global"',
    '"gamma-mesh"',
    '"gamma-csm.dev/controller"',
    '"cluster.local"',
    'default: "json"',
  ]) {
    t.true(help.stdout.includes(d), `--help shows ${d}`);
  }
});
