// The stack in-process: --persist keeps Kubernetes and Network Services state across runs (and
// seeding keeps what the user changed), --port-base gives consecutive ports, a reconcile tick runs
// through Pub/Sub to the reconcile function and finds no drift in a steady state.
import test from 'ava';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { startLocalStack, PORT_ORDER } from '../../infra/local/stack.ts';
import type { LocalStack } from '../../infra/local/stack.ts';
import { eventText } from '../../infra/local/live-log.ts';
import type { StackEvent } from '../../infra/local/live-log.ts';

const GROUP = 'gateway.networking.k8s.io';

const MANIFESTS = `apiVersion: v1
kind: Service
metadata:
  name: shop
  namespace: default
  annotations: {cloud.google.com/neg: '{"exposed_ports":{"80":{}}}'}
spec: {ports: [{name: http, port: 80}]}
---
apiVersion: v1
kind: Service
metadata:
  name: shop-v1
  namespace: default
  annotations: {cloud.google.com/neg: '{"exposed_ports":{"80":{}}}'}
spec: {ports: [{name: http, port: 80}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: shop-route, namespace: default}
spec:
  parentRefs: [{group: "", kind: Service, name: shop, port: 80}]
  rules: [{backendRefs: [{name: shop-v1, port: 80, weight: 1}]}]
`;

async function eventually<T>(
  what: string,
  read: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 10_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function free(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** A base with PORT_ORDER.length free consecutive ports (probed, so a race is unlikely but possible). */
async function freeBase(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20000 + Math.floor(Math.random() * 30000);
    const all = await Promise.all(PORT_ORDER.map((_c, i) => free(base + i)));
    if (all.every(Boolean)) return base;
  }
  throw new Error('no free port range');
}

const routesOf = (stack: LocalStack) => stack.netsvc.resources('httpRoutes');

test('persist, consecutive ports, seeding keeps user changes, reconcile tick without drift', async (t) => {
  t.timeout(60_000);
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'gamma-csm-persist-'));
  const seedDir = path.join(workDir, 'seed');
  mkdirSync(path.join(seedDir, 'shop'), { recursive: true });
  writeFileSync(path.join(seedDir, 'shop', 'all.yaml'), MANIFESTS);
  const events: StackEvent[] = [];
  let stack: LocalStack | undefined;
  t.teardown(async () => {
    await stack?.close();
    rmSync(workDir, { recursive: true, force: true });
  });
  const options = {
    workDir,
    seed: seedDir,
    persist: true,
    reconcileIntervalMs: 600_000,
    onEvent: (e: StackEvent) => void events.push(e),
  };

  // First run: seeded into namespace "shop", synced; the user then changes the route's weight.
  stack = await startLocalStack(options);
  const first = await eventually('the seeded route in Network Services, sending to a backend service', () => {
    const r = routesOf(stack as LocalStack)[0] as {
      description?: string;
      rules?: { action?: { destinations?: unknown[] } }[];
    };
    return r?.rules?.[0]?.action?.destinations?.length ? r : undefined;
  });
  t.regex(String(first.description), /HTTPRoute shop\/shop-route -> Service shop\/shop:80/);
  const kc = new KubeConfig();
  kc.loadFromFile(stack.endpoints.kubeconfig);
  const custom = kc.makeApiClient(CustomObjectsApi);
  await custom.patchNamespacedCustomObject({
    group: GROUP,
    version: 'v1',
    namespace: 'shop',
    plural: 'httproutes',
    name: 'shop-route',
    body: [{ op: 'replace', path: '/spec/rules/0/backendRefs/0/weight', value: 7 }],
  });
  const weightOf = (r: Record<string, unknown> | undefined) =>
    (r?.rules as { action: { destinations: { weight: number }[] } }[] | undefined)?.[0]?.action
      .destinations[0].weight;
  await eventually('the new weight in Network Services', () =>
    weightOf(routesOf(stack as LocalStack)[0]) === 7 ? true : undefined,
  );

  // A reconcile tick travels through Pub/Sub to the reconcile function: steady state, no writes.
  await stack.tick();
  const tick = await eventually('a reconcile summary', () =>
    events.find((e): e is Extract<StackEvent, { type: 'reconciled' }> => e.type === 'reconciled'),
  );
  t.like(tick.summary, { drift: false, created: 0, updated: 0, deleted: 0, failed: 0 });
  // The live log names the parent Service and the route of every sync.
  const synced = events.filter((e): e is Extract<StackEvent, { type: 'synced' }> => e.type === 'synced');
  t.true(synced.length > 0);
  for (const e of synced)
    t.regex(
      eventText(e),
      // A sync before GKE's (stand-in) NEG controller reported shop-v1's NEGs says so.
      /^Service shop\/shop: .* -> snapshot published -> .*, HTTPRoute shop\/shop-route (Accepted|rejected: ResolvedRefs=False BackendNotFound: .*waiting for GKE's NEG controller.*)$/,
    );
  await stack.close();
  stack = undefined;
  t.deepEqual(
    events.filter((e) => e.type === 'log' && e.severity !== 'INFO').map((e) => eventText(e)),
    [],
    'no warning, not even the informers aborted by closing',
  );
  t.true(existsSync(path.join(workDir, '.gamma-csm/local/state/kubernetes.json')));
  t.true(existsSync(path.join(workDir, '.gamma-csm/local/state/netsvc.json')));
  t.true(existsSync(path.join(workDir, '.gamma-csm/local/state/compute.json')));

  // Second run on consecutive ports: both states are back, and seeding kept the user's weight.
  events.length = 0;
  const base = await freeBase();
  stack = await startLocalStack({ ...options, portBase: base });
  const e = stack.endpoints;
  t.deepEqual(
    [
      e.kubernetes,
      e.netsvc,
      `http://${e.pubsub}`,
      e.pubsubAdmin,
      e.sync,
      e.reconcile,
      e.watcherHealth,
      e.compute,
    ].map((u) => Number(new URL(u).port)),
    PORT_ORDER.map((_c, i) => base + i),
  );
  t.like(
    events.find((x) => x.type === 'seeded'),
    { objects: 0, skipped: 3 },
  );
  t.is(weightOf(routesOf(stack)[0]), 7, 'Network Services state survived the restart');
  const kc2 = new KubeConfig();
  kc2.loadFromFile(stack.endpoints.kubeconfig);
  const route = (await kc2.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({
    group: GROUP,
    version: 'v1',
    namespace: 'shop',
    plural: 'httproutes',
    name: 'shop-route',
  })) as { spec: { rules: { backendRefs: { weight: number }[] }[] } };
  t.is(route.spec.rules[0].backendRefs[0].weight, 7, 'the user change was not overwritten by seeding');
});
