// TCPRoute end to end on the local stack (issue 21's acceptance): a TCPRoute created through the
// Kubernetes API with client-node (and applied with kubectl when it is installed) reaches the
// Network Services emulator as a TcpRoute matching the parent's cluster IP and port with the
// route's weights, within seconds, and gets Accepted=True in its status; deleting it removes the
// TcpRoute. Path: k8s stand-in -> watcher -> Pub/Sub -> sync -> Network Services (and Compute).
import test from 'ava';
import { execFile } from 'node:child_process';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { startPipeline } from '../../infra/local/pipeline.ts';
import type { Pipeline } from '../../infra/local/pipeline.ts';
import type { KubeObj } from '../../infra/local/k8s/index.ts';
import { LABEL_PARENT } from '../../shared/translate/types.ts';
import { parentLabelValue } from '../../shared/translate/index.ts';
import { REPO_ROOT } from '../support/cli.ts';
import { GROUP, namespace, statusOf, waitFor } from './support.ts';
import { hasKubectl, kubectlSkipReason } from '../support/tools.ts';

let p: Pipeline;
test.before(async () => {
  p = await startPipeline();
  p.k8s.apply(namespace('data'));
});
test.after.always(async () => {
  await p?.close();
});

const NEG = { 'cloud.google.com/neg': '{"exposed_ports":{"5432":{}}}' };

function dbService(name: string): KubeObj {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'data', annotations: NEG },
    spec: { selector: { app: name }, ports: [{ name: 'postgres', port: 5432, protocol: 'TCP' }] },
  };
}

function tcpRoute(name: string, parent: string, weights: [string, number][]): KubeObj {
  return {
    apiVersion: `${GROUP}/v1alpha2`,
    kind: 'TCPRoute',
    metadata: { name, namespace: 'data' },
    spec: {
      parentRefs: [{ group: '', kind: 'Service', name: parent, port: 5432 }],
      rules: [{ backendRefs: weights.map(([backend, weight]) => ({ name: backend, port: 5432, weight })) }],
    },
  };
}

interface NsTcp {
  name: string;
  labels?: Record<string, string>;
  meshes?: string[];
  rules?: {
    matches?: { address?: string; port?: string }[];
    action?: { destinations?: { serviceName?: string; weight?: number }[] };
  }[];
}

/** The TcpRoutes gamma-csm owns for Service data/<parent>. */
const tcpRoutesOf = (parent: string) =>
  (p.netsvc.resources('tcpRoutes') as unknown as NsTcp[]).filter(
    (r) => r.labels?.[LABEL_PARENT] === parentLabelValue('data', parent),
  );

const acceptedOf = (name: string) =>
  statusOf(p, 'data', name, 'TCPRoute')
    .flatMap((s) => s.conditions ?? [])
    .find((c) => c.type === 'Accepted')?.status;

test.serial(
  'a TCPRoute applied with client-node becomes a TcpRoute with its status; delete removes it',
  async (t) => {
    const kc = p.kube;
    const core = kc.makeApiClient(CoreV1Api);
    const custom = kc.makeApiClient(CustomObjectsApi);
    for (const name of ['orders-db', 'orders-db-primary', 'orders-db-canary'])
      await core.createNamespacedService({ namespace: 'data', body: dbService(name) as never });
    const parent = await core.readNamespacedService({ namespace: 'data', name: 'orders-db' });
    const ip = parent.spec?.clusterIP as string;
    t.regex(ip, /^\d+\.\d+\.\d+\.\d+$/, 'the stand-in allocated a cluster IP');

    const applied = Date.now();
    await custom.createNamespacedCustomObject({
      group: GROUP,
      version: 'v1alpha2',
      namespace: 'data',
      plural: 'tcproutes',
      body: tcpRoute('orders-db', 'orders-db', [
        ['orders-db-primary', 90],
        ['orders-db-canary', 10],
      ]),
    });
    const [route] = await waitFor(
      () => tcpRoutesOf('orders-db'),
      (rs) => rs.length === 1 && (rs[0].rules?.[0]?.action?.destinations?.length ?? 0) === 2,
      'the TcpRoute of data/orders-db with two destinations',
      15_000,
    );
    t.log(`TcpRoute in Network Services ${Date.now() - applied} ms after the create`);
    t.true(Date.now() - applied < 15_000);
    t.deepEqual(route.meshes, [`projects/${p.project}/locations/global/meshes/${p.mesh}`]);
    t.deepEqual(route.rules?.[0].matches, [{ address: `${ip}/32`, port: '5432' }]);
    t.deepEqual(
      route.rules?.[0].action?.destinations?.map((d) => d.weight),
      [90, 10],
    );
    t.is(
      await waitFor(
        () => acceptedOf('orders-db'),
        (s) => s !== undefined,
        'TCPRoute status',
        10_000,
      ),
      'True',
    );

    await custom.deleteNamespacedCustomObject({
      group: GROUP,
      version: 'v1',
      namespace: 'data',
      plural: 'tcproutes',
      name: 'orders-db',
    });
    await waitFor(
      () => tcpRoutesOf('orders-db'),
      (rs) => rs.length === 0,
      'the TcpRoute deleted',
      15_000,
    );
    t.pass();
  },
);

const kt = hasKubectl ? test.serial : test.serial.skip;

kt(`kubectl apply -f examples/tcp-split reaches Network Services${kubectlSkipReason}`, async (t) => {
  const kubectl = (args: string[]) =>
    new Promise<{ code: number; stderr: string }>((resolve) =>
      execFile(
        'kubectl',
        ['--kubeconfig', p.k8s.kubeconfigPath, ...args],
        { timeout: 20_000, cwd: REPO_ROOT },
        (err, _out, stderr) => resolve({ code: err ? 1 : 0, stderr }),
      ),
    );
  const applied = await kubectl(['apply', '-f', 'examples/tcp-split']);
  t.is(applied.code, 0, applied.stderr);
  const routes = await waitFor(
    () =>
      (p.netsvc.resources('tcpRoutes') as unknown as NsTcp[]).filter(
        (r) => r.labels?.[LABEL_PARENT] === parentLabelValue('default', 'orders-db'),
      ),
    (rs) => rs.length === 1,
    'the TcpRoute of default/orders-db',
    15_000,
  );
  t.deepEqual(routes[0].rules?.[0].matches, [{ address: '10.0.0.12/32', port: '5432' }]);
  const deleted = await kubectl(['delete', '-f', 'examples/tcp-split/route.yaml']);
  t.is(deleted.code, 0, deleted.stderr);
  await waitFor(
    () =>
      (p.netsvc.resources('tcpRoutes') as unknown as NsTcp[]).filter(
        (r) => r.labels?.[LABEL_PARENT] === parentLabelValue('default', 'orders-db'),
      ),
    (rs) => rs.length === 0,
    'the TcpRoute of default/orders-db deleted',
    15_000,
  );
});
