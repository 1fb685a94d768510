// kubectl treats the stand-in as a cluster: typed (protobuf) creates, the usual `kubectl get`
// columns, and `kubectl apply` with validation on (OpenAPI v3 + server-side fieldValidation).
// kubectl runs as a subprocess; without it the tests are skipped with the reason.
import test from 'ava';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startK8sEmulator } from '../../infra/local/k8s/index.ts';
import type { K8sEmulator, KubeObj } from '../../infra/local/k8s/index.ts';
import { unknownFields, schemaOf } from '../../infra/local/k8s/openapi.ts';
import { RESOURCES } from '../../infra/local/k8s/resources.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const hasKubectl = spawnSync('kubectl', ['version', '--client'], { timeout: 20_000 }).status === 0;
const kt = hasKubectl ? test.serial : test.serial.skip;
const why = hasKubectl ? '' : ' (skipped: kubectl is not on PATH)';

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
