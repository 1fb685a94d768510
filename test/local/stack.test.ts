// `npm start` end to end: the stack runs as a child process exactly as `npm start` starts it, in a
// temporary working directory; the test talks to it only through what it publishes
// (endpoints.json, the kubeconfig) with the real clients, then stops it with SIGINT.
import test from 'ava';
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { CustomObjectsApi, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { NetsvcClient } from '../../shared/netsvc/client.ts';
import { LABEL_PARENT } from '../../shared/translate/types.ts';
import { parentLabelValue } from '../../shared/translate/index.ts';
import { DEFAULT_CONTROLLER_NAME } from '../../shared/translate/types.ts';
import { CLI } from '../support/cli.ts';
import { hasKubectl } from '../support/tools.ts';

const READY = 'gamma-csm local stack ready';
const GROUP = 'gateway.networking.k8s.io';

interface Endpoints {
  kubeconfig: string;
  kubernetes: string;
  netsvc: string;
  pubsub: string;
  project: string;
  mesh: string;
  [k: string]: string;
}

interface Running {
  child: ChildProcess;
  workDir: string;
  stdout: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startStack(): Running {
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'gamma-csm-local-'));
  // The same command and flags as `npm start` (package.json), plus free ports and a quiet ticker.
  const child = spawn(process.execPath, [CLI, 'local', '--port-base', '0', '--reconcile-interval', '300'], {
    cwd: workDir,
    env: { ...process.env, METADATA_SERVER_DETECTION: 'none', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, workDir, stdout: () => out, exited };
}

async function eventually<T>(
  what: string,
  read: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function portOf(url: string): number {
  return Number(new URL(url.includes('://') ? url : `http://${url}`).port);
}

function kubectl(
  kubeconfig: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile('kubectl', ['--kubeconfig', kubeconfig, ...args], { timeout: 20_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    ),
  );
}

function route(name: string, service: string, backend: string) {
  return {
    apiVersion: `${GROUP}/v1`,
    kind: 'HTTPRoute',
    metadata: { name, namespace: 'default' },
    spec: {
      parentRefs: [{ group: '', kind: 'Service', name: service, port: 80 }],
      rules: [{ backendRefs: [{ name: backend, port: 80 }] }],
    },
  };
}

/** A Service as docs/backends.md §2 asks for it: with the annotation that gives it GKE NEGs. */
function service(name: string) {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name,
      namespace: 'default',
      annotations: { 'cloud.google.com/neg': '{"exposed_ports":{"80":{}}}' },
    },
    spec: { ports: [{ name: 'http', port: 80 }] },
  };
}

/** The NS route of a parent, found by gamma-csm's parent label. */
async function nsRouteOf(client: NetsvcClient, kind: 'httpRoutes' | 'grpcRoutes', ns: string, svc: string) {
  const all = await client.list(kind);
  return all.find((r) => r.labels?.[LABEL_PARENT] === parentLabelValue(ns, svc));
}

test('npm start: seeds the examples, syncs a new HTTPRoute within 2 s with status, stops cleanly on SIGINT', async (t) => {
  t.timeout(90_000);
  const run = startStack();
  t.teardown(() => {
    if (run.child.exitCode === null) run.child.kill('SIGKILL');
    rmSync(run.workDir, { recursive: true, force: true });
  });
  const startedAt = Date.now();
  await eventually('the ready line', () => (run.stdout().includes(READY) ? true : undefined), 60_000).catch(
    (e: Error) => {
      throw new Error(`${e.message}\n${run.stdout()}`);
    },
  );
  t.log(`ready ${Date.now() - startedAt} ms after spawn`);

  const endpoints = JSON.parse(
    readFileSync(path.join(run.workDir, '.gamma-csm/local/endpoints.json'), 'utf8'),
  ) as Endpoints;
  t.is(endpoints.kubeconfig, path.join(run.workDir, '.gamma-csm/local/kubeconfig'));
  t.regex(endpoints.pubsub, /^127\.0\.0\.1:\d+$/);
  const netsvc = new NetsvcClient({
    project: endpoints.project,
    location: 'global',
    endpoint: endpoints.netsvc,
  });

  // Seeded examples: each directory is a namespace; every valid one gets its Network Services route.
  const seeded: [kind: 'httpRoutes' | 'grpcRoutes', ns: string, svc: string, rules: number][] = [
    ['httpRoutes', 'http-split', 'echo-service', 1],
    ['httpRoutes', 'canary-header', 'reviews', 2],
    ['httpRoutes', 'path-split', 'shop', 3],
    ['httpRoutes', 'redirect', 'legacy', 4],
    ['httpRoutes', 'timeout-retry', 'payments', 1],
    ['grpcRoutes', 'grpc-methods', 'echo-service', 2],
    ['grpcRoutes', 'grpc-weighted', 'inventory', 2],
  ];
  for (const [kind, ns, svc, rules] of seeded) {
    const found = await eventually(`${kind} of ${ns}/${svc}`, () => nsRouteOf(netsvc, kind, ns, svc), 20_000);
    t.is(found.rules?.length, rules, `${ns}/${svc}`);
  }
  t.is(
    await nsRouteOf(netsvc, 'httpRoutes', 'invalid-route', 'ledger'),
    undefined,
    'the invalid example has no route',
  );
  const mesh = await netsvc.get('meshes', endpoints.mesh);
  t.truthy(mesh, 'the Mesh was created');

  // A new route through the Kubernetes API with client-node: Network Services within 2 s, then status.
  const kc = new KubeConfig();
  kc.loadFromFile(endpoints.kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  await core.createNamespacedService({ namespace: 'default', body: service('web') });
  await core.createNamespacedService({ namespace: 'default', body: service('web-v1') });
  const applied = Date.now();
  await custom.createNamespacedCustomObject({
    group: GROUP,
    version: 'v1',
    namespace: 'default',
    plural: 'httproutes',
    body: route('web-route', 'web', 'web-v1'),
  });
  // The first sync may still find web-v1 waiting for its NEGs (answered with 500); the NEG
  // controller's neg-status write republishes the parent, and that sync names the backend service.
  const created = await eventually(
    'the NS route of default/web, sending to a backend service',
    async () => {
      const r = await nsRouteOf(netsvc, 'httpRoutes', 'default', 'web');
      return r?.rules?.[0]?.action?.destinations?.length ? r : undefined;
    },
    4000,
  );
  t.log(`HTTPRoute -> Network Services in ${Date.now() - applied} ms`);
  const destinations = created.rules?.[0]?.action?.destinations ?? [];
  t.is(destinations.length, 1);
  const backendId = destinations[0]?.serviceName?.split('/').pop() ?? '';
  t.regex(backendId, /^gamma-local-default-web-v1-80-[0-9a-f]{8}$/);
  // The backend service exists in the Compute emulator before the route names it, one backend per zone.
  const bs = (await (
    await fetch(
      `${endpoints.compute}compute/v1/projects/${endpoints.project}/global/backendServices/${backendId}`,
    )
  ).json()) as { loadBalancingScheme: string; backends: { group: string; balancingMode: string }[] };
  t.is(bs.loadBalancingScheme, 'INTERNAL_SELF_MANAGED');
  t.deepEqual(
    bs.backends.map((b) => b.group.replace(/^.*\/zones\/([^/]+)\/.*$/, '$1')),
    ['us-central1-a', 'us-central1-b', 'us-central1-c'],
  );
  const status = await eventually(
    "gamma-csm's status entry",
    async () => {
      const r = (await custom.getNamespacedCustomObject({
        group: GROUP,
        version: 'v1',
        namespace: 'default',
        plural: 'httproutes',
        name: 'web-route',
      })) as {
        status?: { parents?: { controllerName: string; conditions: { type: string; status: string }[] }[] };
      };
      return r.status?.parents?.find((p) => p.controllerName === DEFAULT_CONTROLLER_NAME);
    },
    5000,
  );
  t.like(
    status.conditions.find((c) => c.type === 'Accepted'),
    { status: 'True' },
  );
  // The live-log line is printed once the sync has answered, which can trail the status write.
  const liveLine =
    /Service default\/web: .* -> snapshot published -> .*httpRoutes\/\S+ (created|updated) \(1 rule\) in \d+ ms, HTTPRoute default\/web-route Accepted/;
  await eventually('the live-log line', () => liveLine.exec(run.stdout())?.[0], 5000).catch(() => undefined);
  t.regex(run.stdout(), liveLine);

  if (hasKubectl) {
    // Plain `kubectl apply` (validation on): the stand-in serves the OpenAPI v3 documents it reads.
    const file = path.join(run.workDir, 'kubectl-route.yaml');
    const docs = [service('api'), service('api-v1'), route('api-route', 'api', 'api-v1')];
    (await import('node:fs')).writeFileSync(file, docs.map((d) => stringify(d)).join('---\n'));
    const kubectlApplied = Date.now();
    const res = await kubectl(endpoints.kubeconfig, ['apply', '-f', file]);
    t.is(res.code, 0, res.stderr);
    await eventually(
      'the NS route of default/api',
      () => nsRouteOf(netsvc, 'httpRoutes', 'default', 'api'),
      2000,
    );
    t.log(`kubectl apply -> Network Services in ${Date.now() - kubectlApplied} ms`);
    const rejected = await kubectl(endpoints.kubeconfig, [
      'get',
      'httproute',
      'ledger-regex',
      '-n',
      'invalid-route',
      '-o',
      'yaml',
    ]);
    t.is(rejected.code, 0, rejected.stderr);
    t.regex(rejected.stdout, /reason: UnsupportedValue/);
    t.regex(rejected.stdout, /status: "False"/);
  } else t.log('kubectl is not on PATH: kubectl steps skipped');

  run.child.kill('SIGINT');
  const exit = await run.exited;
  t.deepEqual(exit, { code: 0, signal: null }, run.stdout());
  t.regex(run.stdout(), /stopped cleanly/);
  for (const [name, url] of Object.entries(endpoints)) {
    if (!/^(kubernetes|netsvc|compute|pubsub|pubsubAdmin|sync|reconcile|watcherHealth)$/.test(name)) continue;
    t.true(await portIsFree(portOf(url)), `${name} port ${portOf(url)} is free after exit`);
  }
});
