// Found by the chaos runs (11 of 20 seeds needed the final reconcile to delete leftovers): the event
// path alone must converge for deletions too, not only with the scheduled reconcile's help.
import test from 'ava';
import { startPipeline } from '../../infra/local/pipeline.ts';
import type { Pipeline } from '../../infra/local/pipeline.ts';
import type { KubeObj } from '../../infra/local/k8s/index.ts';
import { httpRoute, service } from '../badinput/support.ts';

let p: Pipeline;
test.before(async () => {
  p = await startPipeline();
  p.k8s.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns' } });
});
test.after.always(async () => {
  await p?.close();
});

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The parent Services (by name) that have an HttpRoute in the NS emulator. */
function routedServices(): string[] {
  return p.netsvc
    .resources('httpRoutes')
    .map((r) => /-> Service ns\/([a-z0-9-]+):/.exec(String(r.description))?.[1] ?? '?')
    .sort();
}

/**
 * Makes the cluster changes in `act` and waits until the watcher has taken in all `changes` of them
 * (a wait for presence), then until the pipeline is idle: no coalescing window open, nothing to
 * publish or deliver, no sync running. From then on the event path has done all it will do.
 */
async function settle(act: () => void, changes: number): Promise<void> {
  const taken = () => Number(p.watcher?.stats().changes ?? 0);
  const before = taken();
  act();
  const end = Date.now() + 20_000;
  while (taken() < before + changes) {
    if (Date.now() > end) throw new Error(`the watcher took in ${taken() - before} of ${changes} changes`);
    await sleep(20);
  }
  await p.idle(20_000);
}

test.serial('deleting a route, then its Service later, removes the Network Services route', async (t) => {
  await settle(() => {
    p.k8s.apply(service('one', 'ns') as KubeObj);
    p.k8s.apply(httpRoute('r-one', 'ns', 'one') as KubeObj);
  }, 2);
  t.deepEqual(routedServices(), ['one']);
  await settle(() => p.k8s.deleteObject('HTTPRoute', 'ns', 'r-one'), 1);
  await settle(() => p.k8s.deleteObject('Service', 'ns', 'one'), 1);
  t.deepEqual(routedServices(), []);
});

test.serial('deleting a Service whose route stays removes the Network Services route', async (t) => {
  await settle(() => {
    p.k8s.apply(service('two', 'ns') as KubeObj);
    p.k8s.apply(httpRoute('r-two', 'ns', 'two') as KubeObj);
  }, 2);
  t.deepEqual(routedServices(), ['two']);
  await settle(() => p.k8s.deleteObject('Service', 'ns', 'two'), 1);
  t.deepEqual(routedServices(), []);
  await settle(() => p.k8s.deleteObject('HTTPRoute', 'ns', 'r-two'), 1);
});

// Fixed: when a route and its parent Service were deleted together (within the watcher's coalescing
// window), the coalesced event carried neither the Service nor previousPorts, so sync could not find
// the parent's HttpRoute and it stayed until the next reconcile.
test.serial('deleting a route and its Service together removes the Network Services route', async (t) => {
  await settle(() => {
    p.k8s.apply(service('three', 'ns') as KubeObj);
    p.k8s.apply(httpRoute('r-three', 'ns', 'three') as KubeObj);
  }, 2);
  t.deepEqual(routedServices(), ['three']);
  await settle(() => {
    p.k8s.deleteObject('HTTPRoute', 'ns', 'r-three');
    p.k8s.deleteObject('Service', 'ns', 'three');
  }, 2);
  t.deepEqual(routedServices(), [], 'removed by the event path, not left for the reconcile');
});
