// ResilientInformer against the stand-in: 410 relists lose no change, dropped connections and a
// server outage are survived with paced, backed-off reconnects.
import test from 'ava';
import type { KubernetesObject } from '@kubernetes/client-node';
import { makeInformer, makeKubeConfig, watchResource } from '../../shared/cluster/index.ts';
import type { ResilientInformer } from '../../shared/cluster/index.ts';
import type { K8sEmulator, KubeObj } from '../../infra/local/k8s/index.ts';
import { emulatorWithClient, eventually, httpRoute, service, sleep } from '../k8s/support.ts';

const emus: K8sEmulator[] = [];
const informers: ResilientInformer[] = [];
test.after.always(async () => {
  informers.forEach((i) => i.stop());
  await Promise.all(emus.map((e) => e.close()));
});

async function setup(
  opts: { minWatchIntervalMs?: number; backoff?: { initialMs: number; maxMs: number } } = {},
) {
  const { emu } = await emulatorWithClient();
  emus.push(emu);
  const kc = makeKubeConfig({ kubeconfigPath: emu.kubeconfigPath });
  const log: string[] = [];
  const inf = makeInformer(kc, 'httproutes', {
    minWatchIntervalMs: opts.minWatchIntervalMs ?? 200,
    backoff: opts.backoff ?? { initialMs: 100, maxMs: 400 },
    random: () => 0.5,
  });
  informers.push(inf);
  inf.on('add', (o: KubernetesObject) => log.push(`add ${o.metadata?.name}`));
  inf.on('update', (o: KubernetesObject, old: KubernetesObject) =>
    log.push(`update ${o.metadata?.name} ${old.metadata?.resourceVersion}->${o.metadata?.resourceVersion}`),
  );
  inf.on('delete', (o: KubernetesObject) => log.push(`delete ${o.metadata?.name}`));
  inf.on('error', () => log.push('error'));
  const watchRequests = () => emu.requests.filter((r) => r.query.watch === 'true').length;
  const listRequests = () =>
    emu.requests.filter((r) => r.path.endsWith('/httproutes') && r.query.watch !== 'true').length;
  return { emu, kc, inf, log, watchRequests, listRequests };
}

const names = (inf: ResilientInformer) =>
  inf
    .list()
    .map((o) => o.metadata?.name)
    .sort();
const relabel = (emu: K8sEmulator, name: string, v: string) => {
  const r = emu.getObject('HTTPRoute', 'default', name) as KubeObj;
  return emu.apply({ ...r, metadata: { ...r.metadata, labels: { v } } });
};

test.serial(
  'synced after the first list; add/update(old)/delete from the watch; objects are clean',
  async (t) => {
    const { emu, inf, log } = await setup();
    emu.apply(httpRoute('a', 'svc'));
    t.false(inf.synced);
    await inf.start();
    t.true(inf.synced);
    t.deepEqual(names(inf), ['a']);
    t.is(inf.get('a', 'default')?.metadata?.managedFields, undefined);
    const oldRv = inf.get('a', 'default')?.metadata?.resourceVersion;
    const newRv = relabel(emu, 'a', '2').metadata.resourceVersion;
    emu.apply(httpRoute('b', 'svc'));
    emu.deleteObject('HTTPRoute', 'default', 'a');
    await eventually(() => log.length >= 4, 3000, 'events');
    t.deepEqual(log, ['add a', `update a ${oldRv}->${newRv}`, 'add b', 'delete a']);
    t.deepEqual(names(inf), ['b']);
  },
);

for (const expireAs of ['event', 'status'] as const) {
  test.serial(
    `history expired (410 as ${expireAs}) -> relist emits the missed add/update/delete`,
    async (t) => {
      const { emu, inf, log, listRequests } = await setup({ minWatchIntervalMs: 300 });
      emu.expireAs = expireAs;
      for (const n of ['a', 'b']) emu.apply(httpRoute(n, 'svc'));
      await inf.start();
      await eventually(() => emu.openWatchCount() === 1, 3000, 'watch open');
      log.length = 0;
      const lists = listRequests();
      // The stream ends; before the paced reconnect the cluster changes and the history is compacted.
      emu.dropWatches('end');
      emu.apply(httpRoute('c', 'svc'));
      relabel(emu, 'a', 'x');
      emu.deleteObject('HTTPRoute', 'default', 'b');
      emu.compact();
      await eventually(() => log.length >= 3, 5000, 'relist diff');
      t.deepEqual(
        [...log].sort(),
        ['add c', 'delete b', `update a ${log.find((l) => l.startsWith('update'))?.split(' ')[2]}`].sort(),
      );
      t.regex(log.find((l) => l.startsWith('update')) ?? '', /^update a \d+->\d+$/);
      t.deepEqual(names(inf), ['a', 'c']);
      t.is(inf.get('a', 'default')?.metadata?.labels?.v, 'x');
      t.true(listRequests() > lists, 'relisted');
      t.false(log.includes('error'));
      // and it keeps watching afterwards
      emu.apply(httpRoute('d', 'svc'));
      await eventually(() => names(inf).includes('d'), 3000, 'post-relist watch');
    },
  );
}

test.serial(
  'dropped connections reconnect, paced: no hot loop against a server that closes at once',
  async (t) => {
    const { emu, inf, watchRequests } = await setup({ minWatchIntervalMs: 200 });
    await inf.start();
    const before = watchRequests();
    const started = Date.now();
    while (Date.now() - started < 1000) {
      emu.dropWatches(Math.random() < 0.5 ? 'end' : 'destroy');
      emu.apply(httpRoute(`r${Date.now() % 100000}`, 'svc'));
      await sleep(10);
    }
    const made = watchRequests() - before;
    t.true(made >= 2, `reconnected (${made} watch requests)`);
    t.true(made <= 8, `paced: ${made} watch requests in 1 s with a 200 ms minimum interval`);
    const all = (await emulatorRoutes(emu)).sort();
    t.true(all.length > 10);
    await eventually(() => names(inf).join() === all.join(), 5000, 'cache converges');
    t.deepEqual(names(inf), all, 'every route created during the storm reached the cache');
  },
);

async function emulatorRoutes(emu: K8sEmulator): Promise<string[]> {
  const res = await fetch(`${emu.url}/apis/gateway.networking.k8s.io/v1/httproutes`, {
    headers: { authorization: `Bearer ${emu.token}` },
  });
  return ((await res.json()) as { items: KubeObj[] }).items.map((i) => i.metadata.name);
}

test.serial(
  'server down for a while -> errors, backed-off retries, then the changes made meanwhile arrive',
  async (t) => {
    const { emu, inf, log, watchRequests, listRequests } = await setup({
      minWatchIntervalMs: 50,
      backoff: { initialMs: 100, maxMs: 400 },
    });
    emu.apply(httpRoute('a', 'svc'));
    emu.apply(httpRoute('b', 'svc'));
    await inf.start();
    await eventually(() => emu.openWatchCount() === 1, 3000, 'watch open');
    log.length = 0;
    const requestsBefore = watchRequests() + listRequests();
    emu.goDown(1000);
    emu.apply(httpRoute('c', 'svc'));
    relabel(emu, 'a', 'down');
    emu.deleteObject('HTTPRoute', 'default', 'b');
    await sleep(1000);
    const duringOutage = watchRequests() + listRequests() - requestsBefore;
    t.true(log.includes('error'), 'errors reported');
    t.true(duringOutage >= 2 && duringOutage <= 6, `backed off: ${duringOutage} requests in a 1 s outage`);
    await eventually(() => names(inf).join() === 'a,c', 5000, 'recovered');
    t.is(inf.get('a', 'default')?.metadata?.labels?.v, 'down');
    t.deepEqual(
      log.filter((l) => l !== 'error').map((l) => l.split(' ').slice(0, 2).join(' ')),
      ['add c', 'update a', 'delete b'],
    );
    t.is(listRequests(), 1, 'resumed from its resourceVersion: no relist needed');
  },
);

test.serial(
  'watchResource attaches handlers and works for core Services with kind stamped on list items',
  async (t) => {
    const { emu, kc } = await setup();
    emu.apply(service('s1'));
    const seen: string[] = [];
    const { CoreV1Api } = await import('@kubernetes/client-node');
    const core = kc.makeApiClient(CoreV1Api);
    const inf = await watchResource(
      kc,
      '/api/v1/services',
      () => core.listServiceForAllNamespaces() as never,
      { add: (o: KubernetesObject) => seen.push(`${o.kind} ${o.metadata?.name}`) },
      { apiVersion: 'v1', kind: 'Service', minWatchIntervalMs: 50 },
    );
    informers.push(inf);
    emu.apply(service('s2'));
    await eventually(() => seen.length === 2, 3000, 'adds');
    t.deepEqual(seen, ['Service s1', 'Service s2']);
    t.is(
      typeof inf.get('s1', 'default')?.metadata?.creationTimestamp,
      'string',
      'Dates from the typed client are turned back into strings',
    );
  },
);
