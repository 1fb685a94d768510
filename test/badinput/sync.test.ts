// Bad input on the event path: adversarial routes created in the cluster travel watcher -> Pub/Sub ->
// sync like any other change and must end as a visible rejection in route status with nothing bad
// written; malformed or foreign messages are logged, acknowledged once (no retry loop) and write nothing.
import test from 'ava';
import { startPipeline } from '../../infra/local/pipeline.ts';
import type { Pipeline } from '../../infra/local/pipeline.ts';
import type { KubeObj } from '../../infra/local/k8s/index.ts';
import { ROUTE_EVENT_SCHEMA, encodeRouteEvent } from '../../shared/events/index.ts';
import type { RouteEvent } from '../../shared/events/index.ts';
import {
  conditionOf,
  httpRoute,
  okRule,
  regexHeaderRule,
  regexPathRule,
  regexesIn,
  service,
} from './support.ts';
import type { Obj } from './support.ts';

let p: Pipeline;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

test.before(async () => {
  p = await startPipeline();
  p.k8s.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns' } });
  p.k8s.apply(service('svc', 'ns') as KubeObj);
  p.k8s.apply(httpRoute('good', 'ns', 'svc') as KubeObj);
  await waitForStatus('good');
  await p.idle(20_000);
});
test.after.always(async () => {
  await p?.close();
});

type Parents = Parameters<typeof conditionOf>[0];

function liveParents(name: string): Parents {
  const obj = p.k8s.getObject('HTTPRoute', 'ns', name) as { status?: { parents?: Parents } } | undefined;
  return obj?.status?.parents;
}

async function waitForStatus(name: string, timeoutMs = 15_000): Promise<Parents> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const parents = liveParents(name);
    if (parents?.length) return parents;
    await sleep(20);
  }
  throw new Error(`no status on HTTPRoute ns/${name}`);
}

const syncFailures = () => p.logs.filter((l) => l.includes('sync failed, will be redelivered')).length;
const netsvcRoutes = () => p.netsvc.resources('httpRoutes') as Obj[];

test.serial(
  'adversarial routes in the cluster are rejected in their status; nothing they ask for is written',
  async (t) => {
    const failuresBefore = syncFailures();
    let deep: unknown = 'leaf';
    // Deeper than the 100-level guard (the API server has its own, higher, decoding limit).
    for (let i = 0; i < 200; i++) deep = { x: deep };
    const hostile: Obj[] = [
      {
        ...httpRoute('lookahead', 'ns', 'svc', [
          regexPathRule('/(?=admin)', 'svc'),
          regexHeaderRule('(a)\\1', 'svc'),
        ]),
      },
      { ...httpRoute('deep', 'ns', 'svc', [{ ...okRule('svc'), extra: deep }]) },
      {
        ...httpRoute(
          'huge',
          'ns',
          'svc',
          Array.from({ length: 3000 }, (_, i) => ({
            ...okRule('svc'),
            matches: [{ path: { type: 'PathPrefix', value: `/h${i}` } }],
          })),
        ),
      },
      {
        ...httpRoute('wrong-types', 'ns', 'svc'),
        spec: { parentRefs: [{ group: '', kind: 'Service', name: 'svc', port: 80 }], rules: 'all of them' },
      },
    ];
    for (const r of hostile) p.k8s.apply(r as KubeObj);
    for (const r of hostile) {
      const name = (r.metadata as { name: string }).name;
      const parents = await waitForStatus(name);
      const accepted = conditionOf(parents, 'Accepted');
      const partial = conditionOf(parents, 'PartiallyInvalid');
      t.true(
        accepted?.status === 'False' || partial?.status === 'True',
        `${name}: ${JSON.stringify(parents)}`,
      );
      t.true(
        ((accepted?.status === 'False' ? accepted.message : partial?.message) ?? '').length > 0,
        `${name} says why`,
      );
    }
    await p.idle(20_000);
    const written = JSON.stringify(netsvcRoutes());
    t.false(written.includes('(?=admin)') || written.includes('\\\\1'), 'no refused regex reached the API');
    t.false(written.includes('/h2999'), 'the huge route was not written');
    t.deepEqual(regexesIn(netsvcRoutes()), [], 'no regex at all: only the valid rules were written');
    t.is(syncFailures(), failuresBefore, 'no delivery failed (none is retried)');
    t.is(
      conditionOf(liveParents('good'), 'Accepted')?.status,
      'True',
      'the valid route on the same parent is unaffected',
    );
  },
);

/** A syntactically valid event for this cluster's parent ns/svc whose snapshot is `snapshot`. */
function event(snapshot: unknown, over: Partial<RouteEvent> = {}): RouteEvent {
  return {
    schema: ROUTE_EVENT_SCHEMA,
    cluster: p.clusterId,
    parent: { namespace: 'ns', name: 'svc' },
    sequence: '999999999',
    emittedAt: new Date().toISOString(),
    reason: ['test'],
    snapshot: snapshot as RouteEvent['snapshot'],
    ...over,
  };
}

test.serial(
  'malformed and foreign messages are acknowledged once, logged with their id, and write nothing',
  async (t) => {
    await p.idle(20_000);
    const writes = p.netsvc.stats().writes;
    const sub = p.pubsub.subscriptionStats(p.subscriptions.sync);
    const seen = p.syncResults.length;
    const topic = p.pubsubClient.topic(p.topics.routeEvents);
    const good = encodeRouteEvent(
      event({ services: [service('svc', 'ns')], httpRoutes: [], grpcRoutes: [] }),
    );
    const bodies: { data: Buffer; attributes?: Record<string, string> }[] = [
      // metadata missing / wrong types inside the snapshot
      {
        data: Buffer.from(
          JSON.stringify(event({ services: [{ kind: 'Service' }], httpRoutes: 'x', grpcRoutes: [] })),
        ),
      },
      // the attributes claim another cluster than the body
      { data: good.data, attributes: { ...good.attributes, cluster: 'someone-else' } },
      // a cluster id that is not label-safe (injection attempt in an ordering key / label)
      {
        data: Buffer.from(
          JSON.stringify(event({ services: [], httpRoutes: [], grpcRoutes: [] }, { cluster: 'a/b"; drop' })),
        ),
      },
      // valid JSON of the wrong top-level type
      { data: Buffer.from('[1,2,3]') },
    ];
    const ids = await Promise.all(bodies.map((b) => topic.publishMessage(b)));
    // A well-formed event of another cluster: acknowledged and skipped, not applied.
    const foreign = encodeRouteEvent(
      event(
        { services: [service('svc', 'ns')], httpRoutes: [httpRoute('x', 'ns', 'svc')], grpcRoutes: [] },
        { cluster: 'other' },
      ),
    );
    await topic.publishMessage({ data: foreign.data, attributes: foreign.attributes });
    const total = bodies.length + 1;
    const end = Date.now() + 15_000;
    while (p.syncResults.length - seen < total && Date.now() < end) await sleep(20);
    await p.idle(20_000);
    const results = p.syncResults.slice(seen);
    t.is(results.length, total);
    t.is(
      results.filter((r) => r.acked === 'malformed').length,
      bodies.length,
      JSON.stringify(results).slice(0, 800),
    );
    t.true(
      results.some(
        (r) =>
          r.acked === 'processed' && r.outcome.result === 'skipped' && r.outcome.skip === 'other-cluster',
      ),
    );
    const after = p.pubsub.subscriptionStats(p.subscriptions.sync);
    t.is(after.acked - sub.acked, total, 'each acknowledged');
    t.is(after.nacked, sub.nacked, 'no retry loop');
    t.is(after.redelivered, sub.redelivered);
    t.is(p.netsvc.stats().writes, writes, 'nothing written');
    for (const id of ids)
      t.true(
        p.logs.some((l) => l.includes(id) && l.includes('"severity":"ERROR"')),
        `message ${id} logged`,
      );
  },
);
