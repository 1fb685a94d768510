// With GAMMA_CROSS_NAMESPACE_BACKENDS=referencegrant the running watcher also watches ReferenceGrants
// (docs/security.md §2): adding or deleting one republishes the parents whose routes reach into its
// namespace. In the default mode grants are not watched.
import test from 'ava';
import { startPubsubEmulator } from '../../infra/local/pubsub/emulator.ts';
import type { PubsubEmulator } from '../../infra/local/pubsub/emulator.ts';
import type { KubeObj } from '../../infra/local/k8s/index.ts';
import { FakeClock } from './fake-clock.ts';
import { rig, route, service } from './harness.ts';

let pubsub: PubsubEmulator;
test.before(async () => {
  pubsub = await startPubsubEmulator({ port: 0 });
});
test.after.always(() => pubsub.close());

const GRANT: KubeObj = {
  apiVersion: 'gateway.networking.k8s.io/v1beta1',
  kind: 'ReferenceGrant',
  metadata: { name: 'g', namespace: 'b' },
  spec: {
    from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'default' }],
    to: [{ group: '', kind: 'Service' }],
  },
};

function seed(): KubeObj[] {
  const cross = route('r', 'p', ['p']);
  const spec = cross.spec as { rules: { backendRefs: unknown[] }[] };
  spec.rules[0].backendRefs = [{ name: 'api', namespace: 'b', port: 80 }];
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'b' } },
    service('p'),
    service('api', 'b'),
    cross,
    route('home', 'q', ['q']),
    service('q'),
  ];
}

test('referencegrant mode: a grant added or deleted republishes the parents routing into its namespace', async (t) => {
  const r = await rig(t, pubsub, { seed: seed(), settings: { crossNamespaceBackends: 'referencegrant' } });
  r.emu.apply(GRANT);
  const added = await r.waitFor('default/p', (e) => e.reason.includes('ReferenceGrant b/g added'));
  t.truthy(added);
  r.emu.deleteObject('ReferenceGrant', 'b', 'g');
  await r.waitFor('default/p', (e) => e.reason.includes('ReferenceGrant b/g deleted'));
  await r.settle();
  t.false(
    r.forParent('default/q').some((e) => e.reason.some((x) => x.includes('ReferenceGrant'))),
    'a parent whose routes stay home is not republished',
  );
});

test('default mode: grants are not watched', async (t) => {
  const r = await rig(t, pubsub, { seed: seed(), clock: new FakeClock() });
  t.false(
    r.emu.requests.some((q) => q.path.includes('referencegrants')),
    'no ReferenceGrant informer',
  );
  r.emu.apply(GRANT);
  // A watched change after the grant: once it is taken in and settled, nothing for p is on its way.
  await r.change(() => r.emu.apply(service('later')));
  await r.settle();
  t.is(r.forParent('default/p').length, 0);
  t.false(r.emu.requests.some((q) => q.path.includes('referencegrants')));
});
