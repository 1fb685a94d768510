// The reconcile's whole-cluster read includes TCPRoutes and TLSRoutes (shared/pipeline/reconcile.ts):
// counted in the summary; a cluster without their CRDs (experimental channel, often absent) is read
// as having none, listed in every summary and logged once per instance; any other failure to list
// them stops the run before anything is planned, like every other cluster read. UDPRoutes are read too,
// only to reject them in their status (shared/translate/udp.ts).
import test from 'ava';
import { startPipeline } from '../../infra/local/pipeline.ts';
import type { Pipeline } from '../../infra/local/pipeline.ts';
import { ApiError, pathNotFound } from '../../infra/local/k8s/errors.ts';
import type { KubeObj } from '../../infra/local/k8s/index.ts';
import { ROUTE_COLLECTIONS } from '../../shared/netsvc/kinds.ts';
import { reconcileAll } from '../../shared/pipeline/index.ts';
import { GROUP, namespace, service, statusOf } from '../e2e/support.ts';

let p: Pipeline;
test.before(async () => {
  p = await startPipeline({ watcher: false, clusterId: 'streams' });
  p.k8s.apply(namespace('data'));
  p.k8s.apply(service('db', 'data', [5432]));
});
test.after.always(async () => {
  await p?.close();
});

const tcpRoute = (name: string): KubeObj => ({
  apiVersion: `${GROUP}/v1alpha2`,
  kind: 'TCPRoute',
  metadata: { name, namespace: 'data' },
  spec: {
    parentRefs: [{ group: '', kind: 'Service', name: 'db', port: 5432 }],
    rules: [{ backendRefs: [{ name: 'db', port: 5432 }] }],
  },
});

test.serial('TCPRoutes and TLSRoutes are part of the whole-cluster read', async (t) => {
  p.k8s.apply(tcpRoute('pg'));
  const summary = await reconcileAll(p.deps, { dryRun: true });
  t.is(summary.routes, 1);
  t.is(summary.notServed, undefined);
  const listed = p.k8s.requests.filter((r) => r.method === 'GET' && /\/(tcp|tls)routes$/.test(r.path));
  t.deepEqual([...new Set(listed.map((r) => r.path))].sort(), [
    `/apis/${GROUP}/v1/tcproutes`,
    `/apis/${GROUP}/v1/tlsroutes`,
  ]);
});

test.serial('a cluster without their CRDs: none read, said once, not a failure', async (t) => {
  p.k8s.onRequest = (entry) => {
    if (/\/(tcp|tls)routes/.test(entry.path)) throw pathNotFound();
  };
  t.teardown(() => (p.k8s.onRequest = undefined));
  const said = () => p.logs.filter((l) => /the TCPRoute CRD is not installed/.test(l)).length;
  const first = await reconcileAll(p.deps, { dryRun: true });
  t.deepEqual(first.notServed, ['TCPRoute', 'TLSRoute']);
  t.is(first.routes, 0);
  const second = await reconcileAll(p.deps, { dryRun: true });
  t.deepEqual(second.notServed, ['TCPRoute', 'TLSRoute'], 'every summary lists them');
  t.is(said(), 1, 'the log says it once');
});

test.serial('another failure listing them stops the run before anything is planned', async (t) => {
  p.k8s.onRequest = (entry) => {
    if (/\/tlsroutes/.test(entry.path)) throw new ApiError(500, 'InternalError', 'etcd is on fire');
  };
  t.teardown(() => (p.k8s.onRequest = undefined));
  await t.throwsAsync(reconcileAll(p.deps), { message: /reading the cluster: .*500.*nothing planned/s });
});

test.serial(
  'a UDPRoute on a Service is rejected in its status by reconcile; nothing is written for it',
  async (t) => {
    p.k8s.apply(service('dns', 'data', [53]));
    p.k8s.apply({
      apiVersion: `${GROUP}/v1alpha2`,
      kind: 'UDPRoute',
      metadata: { name: 'dns', namespace: 'data' },
      spec: {
        parentRefs: [{ group: '', kind: 'Service', name: 'dns', port: 53 }],
        rules: [{ backendRefs: [{ name: 'dns', port: 53 }] }],
      },
    });
    const summary = await reconcileAll(p.deps);
    t.is(summary.failed, 0, summary.errors.join('; '));
    const [parent] = statusOf(p, 'data', 'dns', 'UDPRoute');
    t.like(
      parent?.conditions?.find((c) => c.type === 'Accepted'),
      {
        status: 'False',
        reason: 'UnsupportedValue',
      },
    );
    const written = ROUTE_COLLECTIONS.flatMap((k) => p.netsvc.resources(k)).map((r) => String(r.description));
    t.false(
      written.some((d) => /UDPRoute|Service data\/dns:/.test(d)),
      'no Network Services route for the UDPRoute',
    );
    // Without the UDPRoute CRD there is nothing to reject, and nothing to report as not served.
    p.k8s.onRequest = (entry) => {
      if (/\/udproutes/.test(entry.path)) throw pathNotFound();
    };
    t.teardown(() => (p.k8s.onRequest = undefined));
    const without = await reconcileAll(p.deps, { dryRun: true });
    t.is(without.failed, 0);
    t.is(without.notServed, undefined);
  },
);
