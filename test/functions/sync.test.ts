// The sync function behind functions-framework's server, against the k8s and Network Services
// stand-ins, with hand-delivered route events (no watcher): freshness, scoping, failures, logs.
import test from 'ava';
import { startPipeline } from '../../infra/local/pipeline.ts';
import type { Pipeline } from '../../infra/local/pipeline.ts';
import type { RouteEvent } from '../../shared/events/index.ts';
import { LABELS_KEY } from '../../shared/pipeline/index.ts';
import { LABEL_SEQUENCE } from '../../shared/pipeline/index.ts';
import {
  accepted,
  currentEvent,
  httpRoute,
  namespace,
  prefixesOf,
  push,
  routeFor,
  service,
  statusOf,
} from './support.ts';

let p: Pipeline;
let first: RouteEvent;
const writes = () => p.netsvc.stats().writes;

test.before(async () => {
  p = await startPipeline({
    watcher: false,
    netsvcClient: { retry: { attempts: 2, baseDelayMs: 5, maxDelayMs: 10 } },
  });
  p.k8s.apply(namespace('ns'));
});
test.after.always(async () => {
  await p?.close();
});

test.serial(
  'an event is applied: route written with its sequence label, status Accepted, JSON logs labelled',
  async (t) => {
    p.k8s.apply(service('a', 'ns'));
    p.k8s.apply(httpRoute('ra', 'ns', 'a', ['/x']));
    const event = await currentEvent(p, 'ns', 'a');
    first = event;
    t.is(await push(p.sync.url, event), 204);
    const route = routeFor(p, 'ns', 'a');
    t.deepEqual(prefixesOf(route), ['/x', '/x/']);
    t.is((route?.labels as Record<string, string>)[LABEL_SEQUENCE], event.sequence);
    t.is(accepted(p, 'ns', 'ra'), 'True');
    const line = p.logs
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => String(l.message).startsWith('synced:'));
    t.is(line?.severity, 'INFO');
    t.like(line?.[LABELS_KEY] as object, { parent: `${p.clusterId}/ns/a`, function: 'sync' });
    t.regex(String((line?.[LABELS_KEY] as Record<string, string>).eventId), /^m-\d+$/);
  },
);

test.serial('the same state again writes nothing; an older sequence is skipped', async (t) => {
  const before = writes();
  t.is(await push(p.sync.url, first), 204, 'a duplicate');
  // A resync of the same state: newer sequence (our status write moved the cluster on), same inputs.
  t.is(await push(p.sync.url, await currentEvent(p, 'ns', 'a')), 204);
  t.is(writes(), before, 'duplicates and resyncs of unchanged state plan zero writes');
  // An event from before the route existed: older than what is applied.
  const older = {
    ...first,
    sequence: String(BigInt(first.sequence) - 1n),
    snapshot: { ...first.snapshot, httpRoutes: [] },
  };
  t.is(await push(p.sync.url, older), 204);
  t.is(writes(), before, 'a stale event never regresses applied state');
  t.truthy(routeFor(p, 'ns', 'a'));
  t.true(p.logs.some((l) => l.includes('skipped (stale-sequence)')));
});

// With nothing applied there is no sequence to prove the stale snapshot newer (a newer event may have
// deleted the routes); sync-churn.test.ts covers a stale event newer than what is applied.
test.serial('a snapshot the cluster has moved past is skipped when nothing is applied', async (t) => {
  p.k8s.apply(service('b', 'ns'));
  p.k8s.apply(httpRoute('rb', 'ns', 'b', ['/old']));
  const old = await currentEvent(p, 'ns', 'b');
  p.k8s.apply(httpRoute('rb', 'ns', 'b', ['/new']));
  const before = writes();
  t.is(await push(p.sync.url, old), 204);
  t.is(writes(), before);
  t.is(routeFor(p, 'ns', 'b'), undefined);
  t.true(
    p.logs.some((l) => l.includes('skipped (stale-snapshot)') && l.includes('HTTPRoute ns/rb has changed')),
  );
  t.is(await push(p.sync.url, await currentEvent(p, 'ns', 'b')), 204);
  t.deepEqual(prefixesOf(routeFor(p, 'ns', 'b')), ['/new', '/new/']);
});

test.serial('a deleted Service removes its routes, using previousPorts', async (t) => {
  p.k8s.apply(service('c', 'ns', [80, 8080]));
  const route = httpRoute('rc', 'ns', 'c', ['/c']);
  (route.spec as { parentRefs: { port?: number }[] }).parentRefs = [
    { group: '', kind: 'Service', name: 'c' } as never,
  ];
  p.k8s.apply(route);
  t.is(await push(p.sync.url, await currentEvent(p, 'ns', 'c')), 204);
  t.truthy(routeFor(p, 'ns', 'c', 80));
  t.truthy(routeFor(p, 'ns', 'c', 8080));
  p.k8s.deleteObject('HTTPRoute', 'ns', 'rc');
  p.k8s.deleteObject('Service', 'ns', 'c');
  t.is(await push(p.sync.url, await currentEvent(p, 'ns', 'c', { previousPorts: [80, 8080] })), 204);
  t.is(routeFor(p, 'ns', 'c', 80), undefined);
  t.is(routeFor(p, 'ns', 'c', 8080), undefined);
});

test.serial("a route shared by two parents keeps both parents' status entries", async (t) => {
  p.k8s.apply(service('d1', 'ns'));
  p.k8s.apply(service('d2', 'ns'));
  const shared = httpRoute('rd', 'ns', 'd1', ['/d']);
  (shared.spec as { parentRefs: unknown[] }).parentRefs.push({
    group: '',
    kind: 'Service',
    name: 'd2',
    port: 80,
  });
  p.k8s.apply(shared);
  t.is(await push(p.sync.url, await currentEvent(p, 'ns', 'd1')), 204);
  t.is(await push(p.sync.url, await currentEvent(p, 'ns', 'd2')), 204);
  // d1's event again (its snapshot lacks d2's Service): d2's entry must survive unchanged.
  t.is(await push(p.sync.url, await currentEvent(p, 'ns', 'd1')), 204);
  const parents = statusOf(p, 'ns', 'rd') as unknown as {
    parentRef: { name: string };
    conditions: { type: string; status: string }[];
  }[];
  t.deepEqual(parents.map((x) => x.parentRef.name).sort(), ['d1', 'd2']);
  for (const x of parents)
    t.is(x.conditions.find((c) => c.type === 'Accepted')?.status, 'True', x.parentRef.name);
  t.truthy(routeFor(p, 'ns', 'd1'));
  t.truthy(routeFor(p, 'ns', 'd2'));
});

test.serial(
  'API 5xx after retries and an unreachable cluster answer 500 (redelivery); the retry then succeeds',
  async (t) => {
    p.k8s.apply(service('e', 'ns'));
    p.k8s.apply(httpRoute('re', 'ns', 'e', ['/e']));
    const event = await currentEvent(p, 'ns', 'e');
    p.netsvc.setFaults({ errorRates: { '*': { '503': 1 } } });
    t.is(await push(p.sync.url, event), 500);
    p.netsvc.clearFaults();
    t.is(routeFor(p, 'ns', 'e'), undefined);
    t.is(accepted(p, 'ns', 're'), undefined, 'no status before the route exists');
    p.k8s.goDown(400);
    t.is(await push(p.sync.url, event), 500);
    await new Promise((r) => setTimeout(r, 450));
    t.is(await push(p.sync.url, event), 204);
    t.truthy(routeFor(p, 'ns', 'e'));
    t.is(accepted(p, 'ns', 're'), 'True');
  },
);

test.serial('a 400 from the API is reported in the route status and acknowledged', async (t) => {
  p.k8s.apply(service('f', 'ns'));
  p.k8s.apply(httpRoute('rf', 'ns', 'f', ['/f']));
  // Someone else's route already claims f's hostname on our Mesh: the API refuses ours (400).
  p.netsvc.putRaw('httpRoutes', `projects/${p.project}/locations/global/httpRoutes/squatter`, {
    hostnames: ['f.ns.svc.cluster.local'],
    meshes: [`projects/${p.project}/locations/global/meshes/${p.mesh}`],
    rules: [
      {
        action: {
          destinations: [{ serviceName: `projects/${p.project}/locations/global/backendServices/x` }],
        },
      },
    ],
  });
  t.is(await push(p.sync.url, await currentEvent(p, 'ns', 'f')), 204);
  t.is(routeFor(p, 'ns', 'f'), undefined);
  const cond = (statusOf(p, 'ns', 'rf')[0]?.conditions ?? []).find((c) => c.type === 'Accepted') as
    { status: string; reason: string; message: string } | undefined;
  t.is(cond?.status, 'False');
  t.regex(cond?.message ?? '', /400 INVALID_ARGUMENT/);
  t.true(p.logs.some((l) => l.includes('"severity":"WARNING"') && l.includes('1 rejected')));
});

test.serial(
  'a GRPCRoute taking over a Service port replaces the HttpRoute (both kinds read by id)',
  async (t) => {
    p.k8s.apply(service('g', 'ns'));
    p.k8s.apply(httpRoute('rg-http', 'ns', 'g', ['/h']));
    t.is(await push(p.sync.url, await currentEvent(p, 'ns', 'g')), 204);
    t.truthy(routeFor(p, 'ns', 'g'));
    p.k8s.apply({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'GRPCRoute',
      metadata: { name: 'rg-grpc', namespace: 'ns' },
      spec: {
        parentRefs: [{ group: '', kind: 'Service', name: 'g', port: 80 }],
        rules: [
          {
            matches: [{ method: { service: 'pkg.Svc', method: 'Get' } }],
            backendRefs: [{ name: 'g', port: 80 }],
          },
        ],
      },
    });
    t.is(await push(p.sync.url, await currentEvent(p, 'ns', 'g')), 204);
    t.is(routeFor(p, 'ns', 'g'), undefined, 'the HttpRoute is gone');
    const grpc = (p.netsvc.resources('grpcRoutes') as { description?: string }[]).filter((r) =>
      String(r.description).endsWith('-> Service ns/g:80'),
    );
    t.is(grpc.length, 1);
    const httpStatus = statusOf(p, 'ns', 'rg-http')[0]?.conditions?.find((c) => c.type === 'Accepted');
    t.is(httpStatus?.status, 'False', 'the HTTPRoute lost the port to the GRPCRoute');
  },
);

test.serial('an event from another cluster is acknowledged and ignored', async (t) => {
  const event = {
    ...(await currentEvent(p, 'ns', 'a')),
    cluster: 'someone-else',
    snapshot: { services: [], httpRoutes: [], grpcRoutes: [] },
  };
  const before = writes();
  t.is(await push(p.sync.url, event), 204);
  t.is(writes(), before);
  t.truthy(routeFor(p, 'ns', 'a'));
});
