// The "affected parents" rule for UDPRoutes (watcher/affected.ts), as a table like affected.test.ts:
// a UDPRoute's parents are published on its changes and on what their snapshot holds (the parent
// Service, the short-name fact); its backends and ReferenceGrants never publish anything.
import test from 'ava';
import { affectedParents } from '../../watcher/affected.ts';
import type { Change } from '../../watcher/affected.ts';
import type { ReferenceGrant, UDPRoute } from '../../shared/gamma/types.ts';
import { svc, udp } from './fixtures.ts';

interface Row {
  title: string;
  change: Change;
  udpRoutes?: UDPRoute[];
  /** "ns/name" or "ns/name previous=53" */
  expected: string[];
}

const onDns = udp('u', { parents: ['dns'], backends: ['resolver'] });

const grant: ReferenceGrant = {
  apiVersion: 'gateway.networking.k8s.io/v1beta1',
  kind: 'ReferenceGrant',
  metadata: { name: 'g', namespace: 'b' },
  spec: {
    from: [{ group: 'gateway.networking.k8s.io', kind: 'UDPRoute', namespace: 'a' }],
    to: [{ group: '', kind: 'Service' }],
  },
};

const rows: Row[] = [
  {
    title: 'UDPRoute added -> its parent',
    change: { type: 'add', new: onDns },
    udpRoutes: [onDns],
    expected: ['default/dns'],
  },
  {
    title: 'UDPRoute moved to another parent -> the old one and the new one',
    change: { type: 'update', old: onDns, new: udp('u', { parents: ['other'], backends: ['resolver'] }) },
    expected: ['default/dns', 'default/other'],
  },
  {
    title: 'UDPRoute status-only update -> nothing',
    change: { type: 'update', old: onDns, new: { ...onDns, status: { parents: [] } } },
    udpRoutes: [onDns],
    expected: [],
  },
  {
    title: 'UDPRoute deleted -> its parent',
    change: { type: 'delete', old: onDns },
    expected: ['default/dns'],
  },
  {
    title: 'the parent Service of a UDPRoute changes ports -> itself, with its old ports',
    change: { type: 'update', old: svc('dns', 'default', [53]), new: svc('dns', 'default', [5353]) },
    udpRoutes: [onDns],
    expected: ['default/dns previous=53'],
  },
  {
    title: 'a backend Service of a UDPRoute changes -> nothing (never followed)',
    change: { type: 'update', old: svc('resolver', 'default', [53]), new: svc('resolver', 'default', [54]) },
    udpRoutes: [onDns],
    expected: [],
  },
  {
    title: "a Service named like a UDPRoute's parent appears elsewhere -> that parent (short-name fact)",
    change: { type: 'add', new: svc('dns', 'other') },
    udpRoutes: [onDns],
    expected: ['default/dns'],
  },
  {
    title: 'a ReferenceGrant in the namespace a UDPRoute sends to -> nothing',
    change: { type: 'add', new: grant },
    udpRoutes: [
      udp('x', { namespace: 'a', parents: ['front'], backends: [{ name: 'api', namespace: 'b' }] }),
    ],
    expected: [],
  },
];

const render = (r: ReturnType<typeof affectedParents>[number]) =>
  `${r.parent.namespace}/${r.parent.name}${r.previousPorts ? ` previous=${r.previousPorts.join(',')}` : ''}`;

for (const row of rows) {
  test(row.title, (t) => {
    const got = affectedParents(row.change, { services: [], routes: [], udpRoutes: row.udpRoutes ?? [] });
    t.deepEqual(got.map(render), row.expected);
  });
}

test('reasons name the UDPRoute and the change', (t) => {
  const [added] = affectedParents({ type: 'add', new: onDns }, { services: [], routes: [] });
  t.deepEqual(added.reasons, ['UDPRoute default/u added']);
});
