// UDPRoute end to end on the local stack: a UDPRoute created through the Kubernetes API with
// client-node gets its rejection (Accepted=False, UnsupportedValue) in its status within seconds,
// through the event path (k8s stand-in -> watcher -> Pub/Sub -> sync), without waiting for the
// scheduled reconcile (none runs here); no Network Services route is written for it.
import test from 'ava';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { startPipeline } from '../../infra/local/pipeline.ts';
import type { Pipeline } from '../../infra/local/pipeline.ts';
import { UDP_ROUTE_REASON } from '../../shared/gamma/snapshot.ts';
import { GROUP, namespace, service, statusOf, waitFor } from './support.ts';

let p: Pipeline;
test.before(async () => {
  p = await startPipeline();
  p.k8s.apply(namespace('dns'));
});
test.after.always(async () => {
  await p?.close();
});

const acceptedOf = (name: string) =>
  statusOf(p, 'dns', name, 'UDPRoute')
    .flatMap((s) => s.conditions ?? [])
    .find((c) => c.type === 'Accepted');

test.serial('a UDPRoute created with client-node gets its rejection status within seconds', async (t) => {
  const core = p.kube.makeApiClient(CoreV1Api);
  const custom = p.kube.makeApiClient(CustomObjectsApi);
  await core.createNamespacedService({ namespace: 'dns', body: service('coredns', 'dns', [53]) as never });

  const created = Date.now();
  await custom.createNamespacedCustomObject({
    group: GROUP,
    version: 'v1alpha2',
    namespace: 'dns',
    plural: 'udproutes',
    body: {
      apiVersion: `${GROUP}/v1alpha2`,
      kind: 'UDPRoute',
      metadata: { name: 'coredns', namespace: 'dns' },
      spec: {
        parentRefs: [{ group: '', kind: 'Service', name: 'coredns', port: 53 }],
        rules: [{ backendRefs: [{ name: 'coredns', port: 53 }] }],
      },
    },
  });
  const accepted = await waitFor(
    () => acceptedOf('coredns'),
    (c) => c !== undefined,
    'the UDPRoute status',
    10_000,
  );
  t.log(`UDPRoute status ${Date.now() - created} ms after the create`);
  t.true(Date.now() - created < 10_000);
  t.like(accepted, { status: 'False', reason: 'UnsupportedValue' });
  t.true((accepted as { message?: string }).message?.startsWith(UDP_ROUTE_REASON));
  // Sync logs its outcome once it has answered the delivery, just after the status write.
  await waitFor(
    () => p.logs.some((l) => l.includes('synced:') && l.includes(`"${p.clusterId}/dns/coredns"`)),
    Boolean,
    'sync’s outcome for dns/coredns, from the watcher’s event',
  );
  t.is(p.pubsub.subscriptionStats(p.subscriptions.reconcile).acked, 0, 'no reconcile ran');
  // The Mesh is created by this stack's first sync, whatever the event; no route is written.
  const routeWrites = Object.entries(p.netsvc.stats().byCollection)
    .filter(([collection]) => collection.endsWith('Routes'))
    .flatMap(([collection, methods]) =>
      Object.entries(methods)
        .filter(([method, n]) => method !== 'GET' && n > 0)
        .map(([method]) => `${method} ${collection}`),
    );
  t.deepEqual(routeWrites, [], 'no Network Services route written');
});
