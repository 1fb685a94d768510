// A quota outage during a sync delivery: the function's Network Services retries stop before its own
// timeout (GAMMA_FUNCTION_TIMEOUT_SECONDS), the delivery fails so Pub/Sub redelivers, and the
// redelivery writes the route. The client's clock is fake and moves only when it sleeps.
import test from 'ava';
import { startPipeline } from '../../infra/local/pipeline.ts';
import { invocationDeadline } from '../../shared/pipeline/handlers.ts';
import { currentEvent, httpRoute, namespace, prefixesOf, push, routeFor, service } from './support.ts';

test('invocationDeadline keeps a reserve of a quarter of the timeout, at most 30 s', (t) => {
  t.is(invocationDeadline(0, 300_000), 270_000);
  t.is(invocationDeadline(1000, 10_000), 8500);
  t.is(invocationDeadline(0, 540_000), 510_000);
});

test('a throttled sync fails before its timeout and the redelivery writes the route', async (t) => {
  const clock = { t: Date.now(), slept: 0 };
  const p = await startPipeline({
    watcher: false,
    env: { GAMMA_FUNCTION_TIMEOUT_SECONDS: '60' },
    netsvcClient: {
      now: () => clock.t,
      sleep: async (ms) => {
        clock.t += ms;
        clock.slept += ms;
      },
    },
  });
  t.teardown(() => p.close());
  p.k8s.apply(namespace('ns'));
  p.k8s.apply(service('a', 'ns'));
  p.k8s.apply(httpRoute('ra', 'ns', 'a', ['/one']));
  p.netsvc.quotaOutage(10 * 60_000);
  const event = await currentEvent(p, 'ns', 'a');
  t.is(await push(p.sync.url, event), 500, 'failed: Pub/Sub redelivers');
  t.true(clock.slept > 0 && clock.slept <= 45_000, `retried for ${clock.slept} ms of a 45-s budget`);
  t.true(p.netsvc.stats().quotaRejected > 1);
  t.deepEqual(p.netsvc.resources('httpRoutes'), []);
  p.netsvc.quotaOutage(0);
  t.is(await push(p.sync.url, event), 204, 'the redelivery succeeds');
  t.deepEqual(prefixesOf(routeFor(p, 'ns', 'a')), ['/one', '/one/']);
});
