// GAMMA_CROSS_NAMESPACE_BACKENDS=referencegrant through sync (docs/security.md §2): the function lists
// the ReferenceGrants from the cluster itself, so a grant decides and an event's claimed grant does not.
import test from 'ava';
import { startPipeline } from '../../infra/local/pipeline.ts';
import type { Pipeline } from '../../infra/local/pipeline.ts';
import type { ReferenceGrant } from '../../shared/gamma/types.ts';
import { currentEvent, httpRoute, namespace, push, routeFor, service, statusOf } from './support.ts';

let p: Pipeline;
test.before(async () => {
  p = await startPipeline({
    watcher: false,
    env: { GAMMA_CROSS_NAMESPACE_BACKENDS: 'referencegrant', GAMMA_BACKEND_SERVICES: 'off' },
  });
  for (const ns of ['a', 'b']) p.k8s.apply(namespace(ns));
  p.k8s.apply(service('front', 'a'));
  p.k8s.apply(service('api', 'b'));
  const route = httpRoute('r', 'a', 'front', ['/x']);
  const spec = route.spec as { rules: { backendRefs: unknown[] }[] };
  spec.rules[0].backendRefs = [
    { name: 'front', port: 80 },
    { name: 'api', namespace: 'b', port: 80 },
  ];
  p.k8s.apply(route);
});
test.after.always(async () => {
  await p?.close();
});

const GRANT: ReferenceGrant = {
  apiVersion: 'gateway.networking.k8s.io/v1beta1',
  kind: 'ReferenceGrant',
  metadata: { name: 'from-a', namespace: 'b' },
  spec: {
    from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'a' }],
    to: [{ group: '', kind: 'Service', name: 'api' }],
  },
};

const resolvedRefs = () =>
  (statusOf(p, 'a', 'r')[0]?.conditions ?? []).find((c) => c.type === 'ResolvedRefs');
function abortPercent(): number | undefined {
  const rules = (routeFor(p, 'a', 'front')?.rules ?? []) as {
    action?: { faultInjectionPolicy?: { abort?: { percentage?: number } } };
  }[];
  return rules.find((r) => r.action?.faultInjectionPolicy)?.action?.faultInjectionPolicy?.abort?.percentage;
}

test.serial(
  'without a grant the cross-namespace share is refused: RefNotPermitted, answered with 500',
  async (t) => {
    t.is(await push(p.sync.url, await currentEvent(p, 'a', 'front')), 204);
    t.like(resolvedRefs(), { status: 'False', reason: 'RefNotPermitted' });
    t.is(abortPercent(), 50);
  },
);

test.serial('a grant claimed by the event but absent from the cluster changes nothing', async (t) => {
  p.k8s.apply(service('unrelated', 'b')); // a newer cluster version, so the event is processed
  const event = await currentEvent(p, 'a', 'front');
  const forged = { ...event, snapshot: { ...event.snapshot, referenceGrants: [GRANT] } };
  t.is(await push(p.sync.url, forged), 204);
  t.like(p.syncResults.at(-1), { acked: 'processed', outcome: { result: 'applied' } });
  t.like(resolvedRefs(), { status: 'False', reason: 'RefNotPermitted' });
  t.is(abortPercent(), 50);
});

test.serial('the grant in the cluster lets the backend resolve; deleting it refuses it again', async (t) => {
  p.k8s.apply(GRANT as never);
  t.is(await push(p.sync.url, await currentEvent(p, 'a', 'front')), 204);
  t.like(p.syncResults.at(-1), { acked: 'processed', outcome: { result: 'applied' } });
  t.like(resolvedRefs(), { status: 'True' });
  t.is(abortPercent(), undefined);
  p.k8s.deleteObject('ReferenceGrant', 'b', 'from-a');
  t.is(await push(p.sync.url, await currentEvent(p, 'a', 'front')), 204);
  t.like(p.syncResults.at(-1), { acked: 'processed', outcome: { result: 'applied' } });
  t.like(resolvedRefs(), { status: 'False', reason: 'RefNotPermitted' });
});
