// UDPRoutes through the sync function (hand-delivered route events, no watcher): the rejection lands
// in the UDPRoute's status in one sync, nothing reaches Network Services for it, and what is written
// is decided by the UDPRoute's live copy, never by the event (shared/pipeline/liveness.ts).
import test from 'ava';
import { startPipeline } from '../../infra/local/pipeline.ts';
import type { Pipeline } from '../../infra/local/pipeline.ts';
import type { KubeObj } from '../../infra/local/k8s/index.ts';
import { UDP_ROUTE_REASON } from '../../shared/gamma/snapshot.ts';
import { GROUP } from '../e2e/support.ts';
import { currentEvent, httpRoute, namespace, push, requestMix, service, statusOf } from './support.ts';

let p: Pipeline;
const writes = () => p.netsvc.stats().writes;

test.before(async () => {
  p = await startPipeline({ watcher: false });
  p.k8s.apply(namespace('ns'));
  // One HTTP parent synced first, so the Mesh exists: what the tests below count is theirs alone.
  p.k8s.apply(service('web', 'ns'));
  p.k8s.apply(httpRoute('rw', 'ns', 'web', ['/']));
  await push(p.sync.url, await currentEvent(p, 'ns', 'web'));
});
test.after.always(async () => {
  await p?.close();
});

function udpRoute(name: string, parent: string): KubeObj {
  return {
    apiVersion: `${GROUP}/v1alpha2`,
    kind: 'UDPRoute',
    metadata: { name, namespace: 'ns' },
    spec: {
      parentRefs: [{ group: '', kind: 'Service', name: parent, port: 53 }],
      rules: [{ backendRefs: [{ name: parent, port: 53 }] }],
    },
  };
}

const accepted = (name: string) =>
  statusOf(p, 'ns', name, 'UDPRoute')
    .flatMap((s) => s.conditions ?? [])
    .find((c) => c.type === 'Accepted');

/** The k8s stand-in's requests on one UDPRoute (and its status) since `from`. */
const udpRequests = (from: number, name: string) =>
  p.k8s.requests
    .slice(from)
    .filter((r) => r.path.startsWith(`/apis/${GROUP}/v1alpha2/namespaces/ns/udproutes/${name}`))
    .map((r) => `${r.method} ${r.path.endsWith('/status') ? 'status' : 'object'}`);

test.serial(
  'an event with a UDPRoute: Accepted=False UnsupportedValue in one sync, nothing written to Network Services',
  async (t) => {
    p.k8s.apply(service('dns', 'ns', [53]));
    p.k8s.apply(udpRoute('u', 'dns'));
    const event = await currentEvent(p, 'ns', 'dns');
    t.deepEqual(
      event.snapshot.udpRoutes?.map((r) => r.metadata.name),
      ['u'],
    );
    p.netsvc.resetStats();
    const computeWrites = p.compute.stats().writes;
    t.is(await push(p.sync.url, event), 204);
    t.like(accepted('u'), { status: 'False', reason: 'UnsupportedValue' });
    t.true(((accepted('u') as { message?: string }).message ?? '').startsWith(UDP_ROUTE_REASON));
    t.is(writes(), 0, 'no Network Services write');
    t.is(p.compute.stats().writes, computeWrites, 'nor any backend service');
    t.true(
      Object.keys(requestMix(p)).every((k) => k.startsWith('GET ')),
      `only reads of the parent's ids: ${JSON.stringify(requestMix(p))}`,
    );
    t.true(
      p.logs.some(
        (l) => l.includes('synced: 0 created, 0 updated, 0 deleted') && l.includes('status 1 written'),
      ),
    );
  },
);

test.serial(
  'a UDPRoute deleted before the sync: read live, found gone, its status never written',
  async (t) => {
    p.k8s.apply(service('dns2', 'ns', [53]));
    p.k8s.apply(udpRoute('u2', 'dns2'));
    const event = await currentEvent(p, 'ns', 'dns2');
    t.deepEqual(
      event.snapshot.udpRoutes?.map((r) => r.metadata.name),
      ['u2'],
    );
    p.k8s.deleteObject('UDPRoute', 'ns', 'u2');
    const from = p.k8s.requests.length;
    const before = writes();
    t.is(await push(p.sync.url, event), 204);
    t.deepEqual(udpRequests(from, 'u2'), ['GET object'], 'the one live read, no status read or patch');
    t.is(writes(), before);
  },
);

test.serial(
  'an event without udpRoutes (an older watcher) syncs as before and writes no UDPRoute status',
  async (t) => {
    p.k8s.apply(service('dns3', 'ns', [53]));
    p.k8s.apply(udpRoute('u3', 'dns3'));
    const { udpRoutes: _omitted, ...snapshot } = (await currentEvent(p, 'ns', 'dns3')).snapshot;
    const event = await currentEvent(p, 'ns', 'dns3', { snapshot });
    const from = p.k8s.requests.length;
    t.is(await push(p.sync.url, event), 204);
    t.deepEqual(udpRequests(from, 'u3'), [], 'not named by the event: not read, not written');
    t.deepEqual(statusOf(p, 'ns', 'u3', 'UDPRoute'), []);
  },
);
