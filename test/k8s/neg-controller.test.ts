// The stand-in's NEG controller through @kubernetes/client-node: neg-status written as a normal update
// (new resourceVersion, watch event), NEGs asked of the hook per port and zone, zones changed at run
// time, deletes a hook refuses kept and retried.
import test from 'ava';
import { CoreV1Api, PatchStrategy, Watch, setHeaderOptions } from '@kubernetes/client-node';
import type { ExecutionContext } from 'ava';
import type { KubeObj, NegChange, NegChangeResult } from '../../infra/local/k8s/index.ts';
import { defaultNegName, trimFieldsEvenly } from '../../infra/local/k8s/neg-names.ts';
import { emulatorWithClient, eventually } from './support.ts';

const NEG = 'cloud.google.com/neg';
const STATUS = 'cloud.google.com/neg-status';
const mp = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** A hook that records NEGs like the Compute emulator would, refusing deletes listed in `inUse`. */
function recorder() {
  const negs = new Set<string>();
  const calls: NegChange[][] = [];
  const inUse = new Set<string>();
  const hook = (changes: NegChange[]): NegChangeResult[] => {
    calls.push(changes);
    return changes.map((c) => {
      const k = `${c.zone}/${c.name}`;
      if (c.action === 'ensure') negs.add(k);
      else if (inUse.has(k)) return { ok: false, message: 'in use' };
      else negs.delete(k);
      return { ok: true };
    });
  };
  return { negs, calls, inUse, hook };
}

async function start(t: ExecutionContext, zones?: string[]) {
  const rec = recorder();
  const { emu, kc } = await emulatorWithClient({
    negController: {
      onNegs: rec.hook,
      clusterUid: '0123abcd-0000-0000-0000-000000000000',
      ...(zones ? { zones } : {}),
    },
  });
  t.teardown(() => emu.close());
  return { emu, core: kc.makeApiClient(CoreV1Api), kc, rec };
}

function svc(name: string, annotations: Record<string, string>, ports = [80, 9090]): KubeObj {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'default', annotations },
    spec: { ports: ports.map((port) => ({ name: `p${port}`, port, targetPort: port + 1000 })) },
  };
}

/** Waits for an async condition (the status write lands in a microtask after the write that caused it). */
async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const statusOf = async (core: CoreV1Api, name: string) => {
  const s = await core.readNamespacedService({ namespace: 'default', name });
  const raw = s.metadata?.annotations?.[STATUS];
  return {
    rv: s.metadata?.resourceVersion,
    status: raw === undefined ? undefined : (JSON.parse(raw) as unknown),
  };
};

test('default NEG names follow GKE: k8s1-<uid8>-<ns>-<svc>-<port>-<hash8>, descriptive part trimmed to 36', (t) => {
  const name = defaultNegName('0123abcd-0000-0000-0000-000000000000', 'default', 'web', 80);
  t.regex(name, /^k8s1-0123abcd-default-web-80-[0-9a-f]{8}$/);
  t.is(name, defaultNegName('0123abcd-0000-0000-0000-000000000000', 'default', 'web', 80), 'stable');
  t.not(name, defaultNegName('0123abcd-0000-0000-0000-000000000000', 'default', 'web', 81));
  const long = defaultNegName('0123abcd', 'n'.repeat(40), 's'.repeat(40), 8080);
  t.true(long.length <= 63, long);
  t.deepEqual(trimFieldsEvenly(10, 'aaaaaa', 'bbbbbb', '80'), ['aaaa', 'bbbb', '80']);
});

test('an annotated Service gets neg-status (a new resourceVersion and a watch event) and one NEG per port and zone', async (t) => {
  const { core, kc, rec } = await start(t);
  const seen: { type: string; status?: string; rv?: string }[] = [];
  const req = await new Watch(kc).watch(
    '/api/v1/namespaces/default/services',
    {},
    (type, obj: KubeObj) =>
      seen.push({ type, status: obj.metadata.annotations?.[STATUS], rv: obj.metadata.resourceVersion }),
    () => {},
  );
  t.teardown(() => req.abort());
  const created = await core.createNamespacedService({
    namespace: 'default',
    body: svc('web', { [NEG]: '{"exposed_ports":{"80":{},"9090":{"name":"custom-grpc"}}}' }) as never,
  });
  await eventually(() => seen.some((e) => e.type === 'MODIFIED' && e.status), 3000, 'status event');
  const { rv, status } = await statusOf(core, 'web');
  t.true(Number(rv) > Number(created.metadata?.resourceVersion));
  const n80 = defaultNegName('0123abcd-0000-0000-0000-000000000000', 'default', 'web', 80);
  t.deepEqual(status, {
    network_endpoint_groups: { '80': n80, '9090': 'custom-grpc' },
    zones: ['us-central1-a', 'us-central1-b', 'us-central1-c'],
  });
  t.is(rec.negs.size, 6);
  t.true(rec.negs.has(`us-central1-b/${n80}`));
  const ensure = rec.calls.flat().find((c) => c.name === 'custom-grpc')!;
  t.like(ensure, { action: 'ensure', namespace: 'default', service: 'web', port: 9090, targetPort: 10090 });
  t.deepEqual(
    seen.map((e) => e.type),
    ['ADDED', 'MODIFIED'],
    'the status write is one update',
  );
});

test('removing a port or the annotation removes the status entry and deletes NEGs; Service deletion deletes its NEGs', async (t) => {
  const { core, rec, emu } = await start(t, ['us-central1-a']);
  await core.createNamespacedService({
    namespace: 'default',
    body: svc('web', { [NEG]: '{"exposed_ports":{"80":{},"9090":{}}}' }) as never,
  });
  await until(async () => rec.negs.size === 2, 3000, 'two NEGs');
  await core.patchNamespacedService(
    {
      namespace: 'default',
      name: 'web',
      body: { metadata: { annotations: { [NEG]: '{"exposed_ports":{"9090":{}}}' } } },
    },
    mp,
  );
  await until(async () => rec.negs.size === 1, 3000, 'one NEG');
  t.deepEqual(
    Object.keys(
      ((await statusOf(core, 'web')).status as { network_endpoint_groups: object }).network_endpoint_groups,
    ),
    ['9090'],
  );
  await core.patchNamespacedService(
    { namespace: 'default', name: 'web', body: { metadata: { annotations: { [NEG]: null } } } },
    mp,
  );
  await until(async () => (await statusOf(core, 'web')).status === undefined, 3000, 'status removed');
  t.is(rec.negs.size, 0);

  await core.createNamespacedService({
    namespace: 'default',
    body: svc('api', { [NEG]: '{"exposed_ports":{"80":{}}}' }) as never,
  });
  await until(async () => rec.negs.size === 1, 3000, 'api NEG');
  await core.deleteNamespacedService({ namespace: 'default', name: 'api' });
  await until(async () => rec.negs.size === 0, 3000, 'deleted with the Service');
  t.deepEqual(emu.negController!.pendingDeletes(), []);
});

test('setNegZones rewrites every neg-status, adds NEGs in new zones and deletes them in removed ones, retrying refused deletes', async (t) => {
  const { core, rec, emu } = await start(t, ['us-central1-a', 'us-central1-b']);
  await core.createNamespacedService({
    namespace: 'default',
    body: svc('web', { [NEG]: '{"exposed_ports":{"80":{"name":"web-80"}}}' }) as never,
  });
  await until(async () => rec.negs.size === 2, 3000, 'two zones');
  rec.inUse.add('us-central1-a/web-80');
  emu.setNegZones(['us-central1-b', 'us-central1-f']);
  t.deepEqual((await statusOf(core, 'web')).status, {
    network_endpoint_groups: { '80': 'web-80' },
    zones: ['us-central1-b', 'us-central1-f'],
  });
  t.true(rec.negs.has('us-central1-f/web-80'));
  t.true(rec.negs.has('us-central1-a/web-80'), 'refused: a backend service still uses it');
  t.deepEqual(emu.negController!.pendingDeletes(), ['us-central1-a/web-80']);
  rec.inUse.clear();
  emu.negController!.flush();
  t.false(rec.negs.has('us-central1-a/web-80'));
  t.deepEqual(emu.negController!.pendingDeletes(), []);
  t.throws(() => emu.setNegZones(['Not A Zone']), { message: /zone names/ });
});

test('a port the Service does not declare gets no NEG and is reported; setHook replays owned NEGs', async (t) => {
  const { core, rec, emu } = await start(t, ['us-central1-a']);
  await core.createNamespacedService({
    namespace: 'default',
    body: svc('web', { [NEG]: '{"exposed_ports":{"81":{},"80":{}}}' }) as never,
  });
  await until(async () => (await statusOf(core, 'web')).status !== undefined, 3000, 'status');
  t.deepEqual(
    Object.keys(
      ((await statusOf(core, 'web')).status as { network_endpoint_groups: object }).network_endpoint_groups,
    ),
    ['80'],
  );
  t.deepEqual(emu.negController!.problems(), {
    'default/web': ['cloud.google.com/neg: port 81 is not a port of the Service; no NEG for it'],
  });
  const late = recorder();
  emu.negController!.setHook(late.hook);
  t.is(late.negs.size, 1);
  t.is(rec.negs.size, 1);
});

test('the controller can be turned off', async (t) => {
  const { emu, kc } = await emulatorWithClient({ negController: false });
  t.teardown(() => emu.close());
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespacedService({
    namespace: 'default',
    body: svc('web', { [NEG]: '{"exposed_ports":{"80":{}}}' }) as never,
  });
  await new Promise((r) => setTimeout(r, 50));
  t.is((await statusOf(core, 'web')).status, undefined);
  t.throws(() => emu.setNegZones(['us-central1-a']));
});
