// A user's first hour with manifests shaped like the published GAMMA guides (Istio, Linkerd, Cilium,
// Kuma; test/fixtures/real-world): nothing may be skipped, approximated or refused without saying so.
import test from 'ava';
import { runCli } from '../support/cli.ts';
import type { IgnoredObject } from '../../shared/gamma/index.ts';
import type { Desired } from '../../shared/translate/types.ts';

const DIR = 'test/fixtures/real-world';
type Output = Desired & { warnings: string[]; ignored: IgnoredObject[] };

async function translateJson(t: { is: (a: unknown, b: unknown, m?: string) => void }, ...args: string[]) {
  // Route semantics only; the NEG check is the subject of its own test below.
  const r = await runCli(['translate', ...args, '-o', 'json', '--backend-services', 'off']);
  t.is(r.code, 0, r.stderr);
  return { out: JSON.parse(r.stdout) as Output, stderr: r.stderr };
}

test('published manifests lack the NEG annotation: each backend says exactly which annotation to add', async (t) => {
  const r = await runCli(['translate', '-f', `${DIR}/istio-v1alpha2-grpc.yaml`, '-o', 'json']);
  t.is(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as Output & { backendServices: unknown[] };
  const resolved = out.statuses.flatMap((s) =>
    s.parents.flatMap((p) => p.conditions.filter((c) => c.type === 'ResolvedRefs')),
  );
  t.true(resolved.length > 0);
  for (const c of resolved.filter((x) => x.status === 'False')) {
    t.is(c.reason, 'BackendNotFound');
    t.regex(
      c.message,
      /add the annotation cloud\.google\.com\/neg: '\{"exposed_ports":\{"\d+":\{\}\}\}' to Service /,
    );
  }
  t.true(resolved.some((c) => c.status === 'False'));
  t.deepEqual(out.backendServices, [], 'no backend service without NEGs');
});

function condition(out: Desired, name: string, type: string) {
  const entry = out.statuses.find((s) => s.name === name);
  return entry?.parents[0]?.conditions.find((c) => c.type === type);
}

test('Linkerd-style parentRef kind Service without group: skipped per spec, but loudly', async (t) => {
  const { out, stderr } = await translateJson(t, '-f', `${DIR}/linkerd-no-group.yaml`);
  t.deepEqual(out.statuses, [], 'the spec meaning is kept: not a Service parent, no status');
  const warning = out.warnings.find((w) => w.startsWith('HTTPRoute test/backend-router: parentRefs[0]'));
  t.truthy(warning, JSON.stringify(out.warnings));
  t.regex(warning!, /add group: "" to attach the route to Service test\/backend-a-podinfo/);
  t.true(stderr.includes(`warning: ${warning}`), stderr);
  const ignored = out.ignored.find((o) => o.kind === 'HTTPRoute' && o.name === 'backend-router');
  t.regex(
    ignored?.reason ?? '',
    /group is "gateway\.networking\.k8s\.io" \(the default when group is left out\)/,
  );
  // An older apiVersion is read, with a warning (not an abort).
  t.true(
    out.warnings.some((w) =>
      /v1beta1 is an older API version, read as gateway\.networking\.k8s\.io\/v1/.test(w),
    ),
  );
});

test('Istio-style v1beta1/v1alpha2 routes: translated with warnings; rule without backends and partial retry codes are said', async (t) => {
  const { out } = await translateJson(t, '-f', `${DIR}/istio-v1alpha2-grpc.yaml`);
  t.is(out.warnings.filter((w) => w.includes('is an older API version')).length, 2);
  const accepted = condition(out, 'reviews', 'Accepted');
  t.is(accepted?.status, 'True');
  t.regex(
    accepted?.message ?? '',
    /warning: spec\.rules\[0\] \(name maintenance\): it has no backendRefs, so every request it matches is answered with HTTP 500/,
  );
  t.regex(accepted?.message ?? '', /warning: spec\.rules\[1\]: retry codes 429 are not retried/);
  t.is(condition(out, 'reviews', 'PartiallyInvalid'), undefined, 'no rule is dropped');
  const rule = out.httpRoutes.find((r) => r.name?.includes('reviews'))?.rules?.[1];
  t.deepEqual(rule?.action?.retryPolicy?.retryConditions, [
    'gateway-error',
    'connect-failure',
    'refused-stream',
  ]);
  t.is(condition(out, 'ratings', 'Accepted')?.status, 'True', 'v1alpha2 GRPCRoute is translated');
});

test('-o text shows values, notes and warnings a reader needs', async (t) => {
  const r = await runCli([
    'translate',
    '-f',
    `${DIR}/istio-v1alpha2-grpc.yaml`,
    '-o',
    'text',
    '--backend-services',
    'off',
  ]);
  t.is(r.code, 0, r.stderr);
  t.regex(
    r.stdout,
    /rules\[0\]: path = \/maintenance OR path prefix \/maintenance\/ -> answer HTTP 500 \(error\)/,
  );
  t.regex(
    r.stdout,
    /rules\[1\]: path prefix \/ -> bookinfo\/reviews-v2:9080 \(weight 1\); request headers: set x-env: canary; timeout 5s; retry up to 2x on gateway-error, connect-failure, refused-stream; mirror 10% to bookinfo\/reviews-v2:9080/,
  );
  t.regex(r.stdout, /warning: spec\.rules\[0\] \(name maintenance\): it has no backendRefs/);
  t.regex(r.stdout, /note: Service port 9090 is served by an HttpRoute \(not a GrpcRoute\)/);
  t.regex(r.stdout, /request headers: add x-caller: reviews/);
  t.regex(
    r.stdout,
    /Input warnings:\n[\s\S]* {2}warning: .*GRPCRoute bookinfo\/ratings: apiVersion: gateway\.networking\.k8s\.io\/v1alpha2/,
  );
});

test('Cilium-style bundle: every ignored object is named with why; notes on ports and short names', async (t) => {
  const r = await runCli([
    'translate',
    '-f',
    `${DIR}/cilium-mixed-kinds.yaml`,
    '-o',
    'text',
    '--backend-services',
    'off',
  ]);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /^ignored 5 objects:$/m);
  for (const line of [
    /Deployment gamma\/echo-v1: kind Deployment \(apps\/v1\) is unrelated to mesh routes/,
    /Gateway gamma\/edge: Gateway API kind Gateway is not a mesh route/,
    /UDPRoute gamma\/echo-udp: UDPRoute is not supported/,
    /HTTPRoute gamma\/legacy: kind HTTPRoute of API group example\.com, not gateway\.networking\.k8s\.io/,
    /HTTPRoute gamma\/edge-route: its parents are Gateways, not Services/,
  ])
    t.regex(r.stdout, line);
  t.regex(r.stdout, /note: ports 443 \(https\) skipped/);
  // The TCPRoute names port 80, which the port-less HTTPRoute also covers: HTTPRoute wins (GEP-1294).
  t.regex(
    r.stdout,
    /TCPRoute gamma\/echo-tcp -> Service gamma\/echo:80: Accepted=False[\s\S]*Conflicted: port 80 is served by HTTPRoute gamma\/echo-mesh \(GEP-1294: .*before TCPRoute; this TCPRoute is ignored there\)/,
  );
  t.regex(r.stdout, /; short hostname "echo" omitted/);
  // Ignored, and still rejected in its status, as reconcile writes it in the cluster.
  t.regex(
    r.stdout,
    /UDPRoute gamma\/echo-udp -> Service gamma\/echo:53: Accepted=False\n\s+rejected: Accepted=False UnsupportedValue: UDPRoute is not supported/,
  );
  const { out } = await translateJson(t, '-f', `${DIR}/cilium-mixed-kinds.yaml`);
  t.is(out.ignored.length, 5);
  t.true(out.ignored.every((o) => o.reason.length > 0 && o.name.length > 0));
});

test('Kuma-style manifests without a namespace: the status hints at -n; with it they translate', async (t) => {
  const { out } = await translateJson(t, '-f', `${DIR}/kuma-no-namespace.yaml`);
  const accepted = condition(out, 'demo-app-split', 'Accepted');
  t.is(accepted?.status, 'False');
  t.regex(
    accepted?.message ?? '',
    /Service default\/demo-app not found; a Service demo-app exists in namespace kuma-demo: .*run with -n kuma-demo/,
  );
  t.regex(
    condition(out, 'demo-app-split', 'ResolvedRefs')?.message ?? '',
    /demo-app-v2 exists in namespace kuma-demo/,
  );
  const fixed = await translateJson(t, '-f', `${DIR}/kuma-no-namespace.yaml`, '-n', 'kuma-demo');
  t.is(condition(fixed.out, 'demo-app-split', 'Accepted')?.status, 'True');
});

test('a kustomize directory or an unrendered Helm template: one error saying what to run first', async (t) => {
  const [kustomize, helm] = await Promise.all([
    runCli(['translate', '-f', `${DIR}/kustomize`]),
    runCli(['translate', '-f', `${DIR}/helm/templates`]),
  ]);
  t.is(kustomize.code, 1);
  t.regex(
    kustomize.stderr,
    /render it first \(`kubectl kustomize .*kustomize \| gamma-csm translate -f -`\)/,
  );
  t.notRegex(kustomize.stderr, /metadata/);
  t.is(helm.code, 1);
  t.regex(
    helm.stderr,
    /unrendered Helm template \(\{\{ \.\.\. \}\} at line 4\): render it first \(`helm template .* \| gamma-csm translate -f -`\)/,
  );
  t.notRegex(helm.stderr, /\(node:\d+\)|Warning:/, 'no stray Node warnings');
  t.is(helm.stderr.trim().split('\n').length, 2, helm.stderr);
});

test('-f DIR reads the top level only (as kubectl); -R recurses; an identical duplicate is a warning', async (t) => {
  const [flat, deep] = await Promise.all([
    translateJson(t, '-f', `${DIR}/nested`),
    translateJson(t, '-R', '-f', `${DIR}/nested`),
  ]);
  t.deepEqual(flat.out.statuses, []);
  t.true(flat.out.warnings.some((w) => /subdirectories not read \(sub\); add -R/.test(w)));
  t.is(condition(deep.out, 'web', 'Accepted')?.status, 'True');
  t.true(
    deep.out.warnings.some((w) => /services-copy\.yaml: Service default\/web: identical duplicate/.test(w)),
    JSON.stringify(deep.out.warnings),
  );
});

test('a clean run writes nothing to stderr (no Node ExperimentalWarning or other noise)', async (t) => {
  const r = await runCli(['translate', '-f', 'examples/http-split', '-o', 'json']);
  t.is(r.code, 0);
  t.is(r.stderr, '');
});

test('-o text spells out redirects, rewrites, faults, CORS, affinity and the 404 rule', async (t) => {
  const [filters, backends] = await Promise.all([
    runCli([
      'translate',
      '-f',
      'test/fixtures/behaviour-filters.yaml',
      '-o',
      'text',
      '--backend-services',
      'off',
      // As the fixture's options line allows them.
      '--backend-service-overrides',
      'custom-*',
    ]),
    runCli([
      'translate',
      '-f',
      'test/fixtures/behaviour-backends.yaml',
      '-o',
      'text',
      '--backend-services',
      'off',
    ]),
  ]);
  t.is(filters.code, 0, filters.stderr);
  t.regex(filters.stdout, /-> redirect 302 to host pay\.example\.com, port 8443/);
  t.regex(
    filters.stdout,
    /rewrite path prefix to \/v1; rewrite host to pay\.internal; cookie affinity \(ttl 3600s\)/,
  );
  t.regex(filters.stdout, /mirror 25% to billing\/audit:80; CORS \{/);
  t.regex(filters.stdout, /retry up to 3x on gateway-error, connect-failure, refused-stream, 2\.5s per try/);
  t.regex(filters.stdout, /any request -> answer HTTP 404 \(no rule matched\)/);
  t.is(backends.code, 0, backends.stderr);
  t.regex(backends.stdout, /store\/shop-v1:8080 \(weight 1\); answer HTTP 500 to 75% \(fault\)/);
});
