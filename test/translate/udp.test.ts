// UDPRoute: no Network Services counterpart; a Service parent gets Accepted=False (shared/translate/udp.ts).
import test from 'ava';
import { OPTIONS } from './support.ts';
import { translate } from '../../shared/translate/index.ts';
import { udpRouteStatus } from '../../shared/translate/udp.ts';
import type { KubeObject } from '../../shared/gamma/types.ts';

const udp = (parentRefs: object[]): KubeObject =>
  ({
    apiVersion: 'gateway.networking.k8s.io/v1alpha2',
    kind: 'UDPRoute',
    metadata: { name: 'dns', namespace: 'ns', generation: 3 },
    spec: { parentRefs, rules: [{ backendRefs: [{ name: 'coredns', port: 53 }] }] },
  }) as unknown as KubeObject;

test('a UDPRoute with a Service parentRef: Accepted=False UnsupportedValue on that parent only', (t) => {
  const service = { group: '', kind: 'Service', name: 'dns', port: 53 };
  const status = udpRouteStatus(udp([service, { name: 'gw' }]), 'gamma-csm.dev/controller');
  t.is(status?.kind, 'UDPRoute');
  t.is(status?.generation, 3);
  t.deepEqual(
    status?.parents.map((p) => p.parentRef),
    [service],
  );
  const [accepted] = status?.parents[0].conditions ?? [];
  t.like(accepted, { type: 'Accepted', status: 'False', reason: 'UnsupportedValue', observedGeneration: 3 });
  t.regex(accepted.message, /UDPRoute is not supported: Network Services has no UDP route/);
});

test('a UDPRoute without a Service parent is not ours: no status', (t) => {
  t.is(udpRouteStatus(udp([{ name: 'gw' }]), 'gamma-csm.dev/controller'), undefined);
  t.is(
    udpRouteStatus(udp([{ kind: 'Service', name: 'dns' }]), 'c'),
    undefined,
    'group left out: a Gateway ref',
  );
});

test('translate: a UDPRoute in the snapshot writes nothing and is rejected in status; others are untouched', (t) => {
  const service = { group: '', kind: 'Service', name: 'dns', port: 53 };
  const desired = translate(
    {
      services: [
        {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'dns', namespace: 'ns' },
          spec: { clusterIP: '10.0.0.53', ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] },
        },
      ],
      httpRoutes: [],
      grpcRoutes: [],
      udpRoutes: [udp([service]), { ...udp([{ name: 'gw' }]), metadata: { name: 'edge', namespace: 'ns' } }],
    },
    OPTIONS,
  );
  t.deepEqual(
    [desired.httpRoutes, desired.grpcRoutes, desired.tcpRoutes, desired.tlsRoutes],
    [[], [], [], []],
  );
  t.deepEqual(desired.backends, []);
  t.deepEqual(
    desired.statuses.map((s) => [s.kind, s.namespace, s.name]),
    [['UDPRoute', 'ns', 'dns']],
    'only the UDPRoute with a Service parent',
  );
  t.like(desired.statuses[0].parents[0].conditions[0], {
    type: 'Accepted',
    status: 'False',
    reason: 'UnsupportedValue',
  });
});
