// kubectl treats the stand-in as a cluster: typed (protobuf) creates, the usual `kubectl get`
// columns, and `kubectl apply` with validation on (OpenAPI v3 + server-side fieldValidation).
// kubectl runs as a subprocess; without it the tests are skipped with the reason.
import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startK8sEmulator } from '../../infra/local/k8s/index.ts';
import type { K8sEmulator, KubeObj } from '../../infra/local/k8s/index.ts';
import { unknownFields, schemaOf } from '../../infra/local/k8s/openapi.ts';
import { decodeProtobuf } from '../../infra/local/k8s/protobuf.ts';
import { RESOURCES } from '../../infra/local/k8s/resources.ts';
import { hasKubectl, kubectlSkipReason } from '../support/tools.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const kt = hasKubectl ? test.serial : test.serial.skip;
const why = kubectlSkipReason;

let emu: K8sEmulator;
let tmp: string;
test.before(async () => {
  emu = await startK8sEmulator({ port: 0 });
  tmp = mkdtempSync(path.join(os.tmpdir(), 'kubectl-fidelity-'));
});
test.after.always(async () => {
  await emu?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

function kubectl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'kubectl',
      ['--kubeconfig', emu.kubeconfigPath, ...args],
      { timeout: 20_000, cwd: ROOT },
      (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

kt(`kubectl create namespace (protobuf body) and delete it${why}`, async (t) => {
  const created = await kubectl(['create', 'namespace', 'demo']);
  t.is(created.code, 0, created.stderr);
  t.regex(created.stdout, /namespace\/demo created/);
  t.is(emu.getObject('Namespace', undefined, 'demo')?.status?.phase, 'Active');
  const protobuf = emu.requests.find((r) => r.method === 'POST' && r.path === '/api/v1/namespaces');
  t.is(protobuf?.contentType, 'application/vnd.kubernetes.protobuf', 'kubectl sent protobuf');

  const table = await kubectl(['get', 'ns']);
  t.regex(table.stdout, /^NAME\s+STATUS\s+AGE$/m);
  t.regex(table.stdout, /^demo\s+Active\s+\d+s$/m);

  const again = await kubectl(['create', 'namespace', 'demo']);
  t.not(again.code, 0);
  t.regex(again.stderr, /AlreadyExists|already exists/);
  const deleted = await kubectl(['delete', 'namespace', 'demo']);
  t.is(deleted.code, 0, deleted.stderr);
  t.is(emu.getObject('Namespace', undefined, 'demo'), undefined);
});

kt(`kubectl create service (protobuf body) keeps ports, selector and labels${why}`, async (t) => {
  const res = await kubectl(['create', 'service', 'clusterip', 'shop', '--tcp=80:8080', '--tcp=9090']);
  t.is(res.code, 0, res.stderr);
  const svc = emu.getObject('Service', 'default', 'shop') as KubeObj;
  t.deepEqual(svc.metadata.labels, { app: 'shop' });
  t.like(svc.spec, {
    type: 'ClusterIP',
    selector: { app: 'shop' },
    ports: [
      { name: '80-8080', port: 80, protocol: 'TCP', targetPort: 8080 },
      { name: '9090', port: 9090, protocol: 'TCP', targetPort: 9090 },
    ],
  });
  await kubectl(['delete', 'service', 'shop']);
});

kt(`plain kubectl apply -f examples/http-split, then get svc -A / httproutes -A columns${why}`, async (t) => {
  const applied = await kubectl(['apply', '-f', 'examples/http-split']);
  t.is(applied.code, 0, applied.stderr);
  t.regex(applied.stdout, /httproute\.gateway\.networking\.k8s\.io\/echo-route created/);
  t.regex(applied.stdout, /service\/echo-v2 created/);
  t.true(
    emu.requests.some((r) => r.path === '/openapi/v3' && r.status === 200),
    'kubectl read the OpenAPI v3 index',
  );
  t.true(
    emu.requests.some((r) => r.method === 'POST' && r.query.fieldValidation === 'Strict'),
    'kubectl left validation to the server',
  );

  const svc = await kubectl(['get', 'svc', '-A']);
  t.is(svc.code, 0, svc.stderr);
  t.regex(svc.stdout, /^NAMESPACE\s+NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE$/m);
  t.regex(svc.stdout, /^default\s+echo-v1\s+ClusterIP\s+\S+\s+<none>\s+80\/TCP\s+\d+s$/m);

  const routes = await kubectl(['get', 'httproutes', '-A']);
  t.is(routes.code, 0, routes.stderr);
  t.regex(routes.stdout, /^NAMESPACE\s+NAME\s+HOSTNAMES\s+AGE$/m);
  t.regex(routes.stdout, /^default\s+echo-route\s+\d+s$/m);

  const grpc = await kubectl(['apply', '-f', 'examples/grpc-methods']);
  t.is(grpc.code, 0, grpc.stderr);
  const grpcTable = await kubectl(['get', 'grpcroutes', '-A']);
  t.regex(grpcTable.stdout, /^NAMESPACE\s+NAME\s+HOSTNAMES\s+AGE$/m);

  const again = await kubectl(['apply', '-f', 'examples/http-split']);
  t.is(again.code, 0, again.stderr);
  t.regex(again.stdout, /echo-route unchanged/);
});

kt(
  `kubectl apply -f the TCP and TLS examples, get tcproutes,tlsroutes -A, explain, status${why}`,
  async (t) => {
    for (const dir of ['examples/tcp-split', 'examples/tls-passthrough']) {
      const applied = await kubectl(['apply', '-f', dir]);
      t.is(applied.code, 0, applied.stderr);
    }
    const routes = await kubectl(['get', 'tcproutes,tlsroutes', '-A']);
    t.is(routes.code, 0, routes.stderr);
    t.regex(routes.stdout, /^NAMESPACE\s+NAME\s+AGE$/m);
    t.regex(routes.stdout, /^default\s+tcproute\.gateway\.networking\.k8s\.io\/orders-db\s+\d+s$/m);
    t.regex(routes.stdout, /^default\s+tlsroute\.gateway\.networking\.k8s\.io\/billing-sni\s+\d+s$/m);
    t.regex(routes.stdout, /^default\s+tlsroute\.gateway\.networking\.k8s\.io\/ledger-sni\s+\d+s$/m);
    const svc = await kubectl(['get', 'svc', 'orders-db', 'orders-db-primary']);
    t.regex(svc.stdout, /^orders-db\s+ClusterIP\s+10\.0\.0\.12\s+<none>\s+5432\/TCP/m);
    t.regex(
      svc.stdout,
      /^orders-db-primary\s+ClusterIP\s+10\.\d+\.\d+\.\d+\s/m,
      'a cluster IP was allocated',
    );

    const yaml = await kubectl(['get', 'tcproute', 'orders-db', '-o', 'yaml']);
    t.regex(yaml.stdout, /apiVersion: gateway\.networking\.k8s\.io\/v1\n/, 'read at the preferred version');
    t.regex(yaml.stdout, /weight: 90/);
    const v1alpha2 = await kubectl([
      'get',
      'tcproutes.v1alpha2.gateway.networking.k8s.io',
      'orders-db',
      '-o',
      'yaml',
    ]);
    t.is(v1alpha2.code, 0, v1alpha2.stderr);
    t.regex(v1alpha2.stdout, /apiVersion: gateway\.networking\.k8s\.io\/v1alpha2\n/);

    const status = await kubectl([
      'patch',
      'tlsroute',
      'billing-sni',
      '--subresource=status',
      '--type=merge',
      '-p',
      '{"status":{"parents":[{"parentRef":{"group":"","kind":"Service","name":"secure-apps","port":443},"controllerName":"example.com/x","conditions":[]}]}}',
    ]);
    t.is(status.code, 0, status.stderr);
    t.is(
      ((emu.getObject('TLSRoute', 'default', 'billing-sni') as KubeObj).status?.parents as unknown[]).length,
      1,
    );
    const explain = await kubectl(['explain', 'tcproute.spec.rules']);
    t.is(explain.code, 0, explain.stderr);
    t.regex(explain.stdout, /backendRefs/);

    const again = await kubectl(['apply', '-f', 'examples/tcp-split']);
    t.regex(again.stdout, /tcproute\.gateway\.networking\.k8s\.io\/orders-db unchanged/);
    const deleted = await kubectl(['delete', '-f', 'examples/tls-passthrough']);
    t.is(deleted.code, 0, deleted.stderr);
    t.is(emu.getObject('TLSRoute', 'default', 'ledger-sni'), undefined);
  },
);

kt(`kubectl apply refuses unknown fields (Strict) and warns with --validate=warn${why}`, async (t) => {
  const file = path.join(tmp, 'typo.yaml');
  writeFileSync(
    file,
    'apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: typo\nspec:\n' +
      '  parentRefs: [{group: "", kind: Service, name: echo-service}]\n  rules:\n  - backendRef: []\n',
  );
  const strict = await kubectl(['apply', '-f', file]);
  t.not(strict.code, 0);
  t.regex(strict.stderr, /strict decoding error: unknown field "spec\.rules\[0\]\.backendRef"/);
  t.is(emu.getObject('HTTPRoute', 'default', 'typo'), undefined);

  const warn = await kubectl(['apply', '--validate=warn', '-f', file]);
  t.is(warn.code, 0, warn.stderr);
  t.regex(warn.stderr, /Warning: unknown field "spec\.rules\[0\]\.backendRef"/);
  t.truthy(emu.getObject('HTTPRoute', 'default', 'typo'));
});

kt(`kubectl explain reads the served schemas${why}`, async (t) => {
  const res = await kubectl(['explain', 'httproute.spec']);
  t.is(res.code, 0, res.stderr);
  t.regex(res.stdout, /KIND:\s+HTTPRoute/);
  t.regex(res.stdout, /parentRefs/);
});

test('unknownFields: open objects accept anything, closed ones name the path', (t) => {
  const route = RESOURCES.find((d) => d.kind === 'HTTPRoute');
  if (!route) return t.fail('HTTPRoute is served');
  const schema = schemaOf(route, 'v1');
  t.deepEqual(
    unknownFields(schema, {
      metadata: { name: 'r', labels: { a: 'b' } },
      spec: { rules: [{ matches: [{ anything: 1 }], backendRefs: [{ name: 'x', wieght: 1 }] }] },
      status: { whatever: true },
      extra: 1,
    }),
    ['spec.rules[0].backendRefs[0].wieght', 'extra'],
  );
});

// Bodies kubectl 1.32 sent (`kubectl create namespace x`, `kubectl create service clusterip shop
// --tcp=80:http`, captured with -v=8), so the decoder is exercised without kubectl too.
const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const NAMESPACE_X =
  hex(`6b 38 73 00 0a 0f 0a 02 76 31 12 09 4e 61 6d 65 73 70 61 63 65 12 19 0a 11 0a 01 78 12 00 1a 00
  22 00 2a 00 32 00 38 00 42 00 12 00 1a 02 0a 00 1a 00 22 00`);
const SERVICE_SHOP =
  hex(`6b 38 73 00 0a 0d 0a 02 76 31 12 07 53 65 72 76 69 63 65 12 6f 0a 21 0a 04 73 68 6f 70 12 00 1a
  00 22 00 2a 00 32 00 38 00 42 00 5a 0b 0a 03 61 70 70 12 04 73 68 6f 70 12 46 0a 1e 0a 07 38 30
  2d 68 74 74 70 12 03 54 43 50 18 50 22 0a 08 01 10 00 1a 04 68 74 74 70 28 00 12 0b 0a 03 61 70
  70 12 04 73 68 6f 70 1a 00 22 09 43 6c 75 73 74 65 72 49 50 3a 00 42 00 52 00 5a 00 60 00 68 00
  1a 02 0a 00 1a 00 22 00`);

test('decodeProtobuf reads the Namespace and Service bodies kubectl sends', (t) => {
  t.deepEqual(decodeProtobuf(NAMESPACE_X), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' } });
  t.deepEqual(decodeProtobuf(SERVICE_SHOP), {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'shop', labels: { app: 'shop' } },
    spec: {
      ports: [{ name: '80-http', protocol: 'TCP', port: 80, targetPort: 'http' }],
      selector: { app: 'shop' },
      type: 'ClusterIP',
    },
  });
  t.throws(() => decodeProtobuf(Buffer.from('{"kind":"Namespace"}')), { message: /magic number/ });
  t.throws(() => decodeProtobuf(NAMESPACE_X.subarray(0, 20)), { message: /could not be decoded/ });
});

test('a protobuf body of another kind is refused with 415 naming the kind, over HTTP', async (t) => {
  // A ConfigMap envelope: typeMeta {v1, ConfigMap}, empty raw.
  const typeMeta = Buffer.concat([hex('0a 02'), Buffer.from('v1'), hex('12 09'), Buffer.from('ConfigMap')]);
  const body = Buffer.concat([hex('6b 38 73 00 0a'), Buffer.from([typeMeta.length]), typeMeta]);
  const res = await fetch(`${emu.url}/api/v1/namespaces`, {
    method: 'POST',
    headers: { 'content-type': 'application/vnd.kubernetes.protobuf', accept: 'application/json' },
    body,
  });
  t.is(res.status, 415);
  t.regex(
    ((await res.json()) as { message: string }).message,
    /only for Namespace and Service \(got ConfigMap\)/,
  );
  const ok = await fetch(`${emu.url}/api/v1/namespaces`, {
    method: 'POST',
    headers: { 'content-type': 'application/vnd.kubernetes.protobuf', accept: 'application/json' },
    body: NAMESPACE_X,
  });
  t.is(ok.status, 201);
  t.like(await ok.json(), { kind: 'Namespace', metadata: { name: 'x' }, status: { phase: 'Active' } });
});
