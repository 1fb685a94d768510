// `gamma-csm doctor` and `gamma-csm uninstall` against the local stack: the stack runs in-process
// (startLocalStack, examples seeded), the CLI runs as a subprocess with --local pointing at its work
// dir, and the emulators are changed behind the pipeline's back with the real clients.
import test from 'ava';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compute_v1 } from 'googleapis/build/src/apis/compute/v1.js';
import { startLocalStack, type LocalStack } from '../../infra/local/stack.ts';
import { ComputeClient } from '../../shared/compute/client.ts';
import { computeOwnership } from '../../shared/compute/ownership.ts';
import { NetsvcClient } from '../../shared/netsvc/client.ts';
import { ownershipOf } from '../../shared/plan/index.ts';
import { makeKubeConfig, writeRouteStatuses } from '../../shared/cluster/index.ts';
import { DEFAULT_CONTROLLER_NAME } from '../../shared/translate/types.ts';
import { readRoutes } from '../../cli/commands/doctor-gather.ts';
import { REPO_ROOT, runCli } from '../support/cli.ts';

const ENV = { METADATA_SERVER_DETECTION: 'none', NO_COLOR: '1' };
const CHECKS = [
  'mesh',
  'routes-in-sync',
  'neg-annotations',
  'backend-services',
  'health-check-firewall',
  'iam',
  'namespace-injection',
  'watcher',
  'other-controllers',
];

async function stack(): Promise<{
  s: LocalStack;
  dir: string;
  netsvc: NetsvcClient;
  compute: ComputeClient;
}> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gamma-csm-doctor-'));
  const s = await startLocalStack({
    workDir: dir,
    seed: path.join(REPO_ROOT, 'examples'),
    reconcileIntervalMs: 600_000,
  });
  await s.pipeline.idle(30_000);
  const { project, netsvc, compute } = s.endpoints;
  return {
    s,
    dir,
    netsvc: new NetsvcClient({ project, location: 'global', endpoint: netsvc }),
    compute: new ComputeClient({ project, endpoint: compute }),
  };
}

const doctor = (dir: string, ...args: string[]) =>
  runCli(['doctor', '--local', '--local-dir', dir, ...args], { env: ENV });
const idOf = (name?: string | null) => (name ?? '').slice((name ?? '').lastIndexOf('/') + 1);

test('doctor and uninstall name what is missing from the target', async (t) => {
  const none = await runCli(['doctor'], { env: ENV });
  t.is(none.code, 1);
  t.regex(none.stderr, /give --local or --kubeconfig FILE/);
  const noProject = await runCli(['doctor', '--kubeconfig', 'k'], {
    env: { ...ENV, GOOGLE_CLOUD_PROJECT: '' },
  });
  t.is(noProject.code, 1);
  t.regex(noProject.stderr, /no project: pass --project or set GOOGLE_CLOUD_PROJECT/);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gamma-csm-doctor-empty-'));
  const noStack = await runCli(['uninstall', '--local', '--local-dir', dir], { env: ENV });
  t.is(noStack.code, 1);
  t.regex(
    noStack.stderr,
    /endpoints\.json not found: start the local stack \(npm start\) or pass --local-dir DIR/,
  );
});

test.serial(
  'doctor passes on a fresh stack, and names a deleted backend service or route with the fix',
  async (t) => {
    t.timeout(180_000);
    const { s, dir, netsvc, compute } = await stack();
    t.teardown(() => s.close());

    const fresh = await doctor(dir);
    t.is(fresh.code, 0, fresh.stdout + fresh.stderr);
    t.regex(fresh.stdout, /\[ok {2}\] routes-in-sync: no pending plan/);
    t.regex(fresh.stdout, /\[skip\] iam: emulators do not check IAM/);
    t.regex(fresh.stdout, /\[warn\] health-check-firewall: .*only a warning/);
    t.regex(fresh.stdout, /0 failed/);

    // The Compute emulator's firewalls: empty by default, insert through the real client, then listed.
    const api = new compute_v1.Compute({ rootUrl: s.endpoints.compute, retry: false });
    const project = s.endpoints.project;
    t.deepEqual((await api.firewalls.list({ project })).data.items, []);
    await api.firewalls.insert({
      project,
      requestBody: {
        name: 'allow-hc',
        direction: 'INGRESS',
        sourceRanges: ['35.191.0.0/16', '130.211.0.0/22'],
        allowed: [{ IPProtocol: 'tcp' }],
      },
    });
    const json = await doctor(dir, '-o', 'json');
    t.is(json.code, 0, json.stderr);
    const report = JSON.parse(json.stdout) as { ok: boolean; checks: Record<string, unknown>[] };
    t.true(report.ok);
    t.deepEqual(
      report.checks.map((c) => c.name),
      CHECKS,
    );
    for (const c of report.checks) t.deepEqual(Object.keys(c).sort(), ['fix', 'message', 'name', 'status']);
    const firewall = report.checks.find((c) => c.name === 'health-check-firewall');
    t.is(firewall?.status, 'pass');
    t.regex(String(firewall?.message), /firewall rule allow-hc admits/);

    // An UNHEALTHY endpoint (getHealth) is a warning naming the firewall fix, not a failure.
    const neg = s.compute.store.negs().find((n) => n.name.includes('http-split-echo-v1-80'));
    // The stand-in's NEGs have no endpoints (no pods run): give this one a sick endpoint.
    s.compute.store.putNeg({
      zone: neg?.zone ?? '',
      name: neg?.name ?? '',
      endpoints: [{ ipAddress: '10.8.0.7', port: 8080, healthState: 'UNHEALTHY' }],
    });
    const sick = await doctor(dir);
    t.is(sick.code, 0, sick.stdout);
    t.regex(
      sick.stdout,
      new RegExp(
        `\\[warn\\] backend-services: .*1 endpoint\\(s\\) of .*${neg?.name} UNHEALTHY \\(10.8.0.7:8080\\)`,
      ),
    );
    t.regex(sick.stdout, /fix: add the health-check firewall rule: gcloud compute firewall-rules create/);

    // A backend service a route sends to, deleted in the emulator.
    const bs = (await compute.list('backendServices')).find((b) =>
      (b.name ?? '').includes('http-split-echo-v1'),
    );
    t.truthy(bs);
    await compute.delete('backendServices', bs?.name ?? '');
    const noBs = await doctor(dir);
    t.is(noBs.code, 1, noBs.stdout);
    t.regex(noBs.stdout, new RegExp(`\\[FAIL\\] routes-in-sync: pending create backendServices/${bs?.name}`));
    t.regex(
      noBs.stdout,
      new RegExp(`backend service ${bs?.name} \\(Service http-split/echo-v1 port 80\\) does not exist`),
    );
    t.regex(noBs.stdout, /fix: run gamma-csm apply .* or wait for the reconcile tick/);

    // Reconcile puts it back; then a route deleted in the emulator.
    await s.pipeline.runReconcile();
    t.is((await doctor(dir)).code, 0);
    const route = (await netsvc.list('httpRoutes')).find((r) => idOf(r.name).includes('http-split'));
    await netsvc.delete('httpRoutes', idOf(route?.name));
    const noRoute = await doctor(dir, '-o', 'json');
    t.is(noRoute.code, 1);
    const sync = (
      JSON.parse(noRoute.stdout) as {
        checks: { name: string; status: string; message: string; fix: string }[];
      }
    ).checks.find((c) => c.name === 'routes-in-sync');
    t.is(sync?.status, 'fail');
    t.regex(sync?.message ?? '', new RegExp(`pending create httpRoutes/${idOf(route?.name)}`));
    t.regex(sync?.fix ?? '', /gamma-csm apply .* or wait for the reconcile tick/);

    // Another controller (e.g. Google's managed GAMMA) reports on the same route.
    const other = 'networking.gke.io/gateway';
    const written = await writeRouteStatuses(
      makeKubeConfig({ kubeconfigPath: s.endpoints.kubeconfig }),
      [
        {
          kind: 'HTTPRoute',
          namespace: 'http-split',
          name: 'echo-route',
          parents: [
            {
              parentRef: { group: '', kind: 'Service', name: 'echo-service' },
              controllerName: other,
              conditions: [{ type: 'Accepted', status: 'True', reason: 'Accepted', message: '' }],
            },
          ],
        },
      ],
      { controllerName: other },
    );
    t.is(written.written, 1);
    const twice = await doctor(dir);
    t.is(twice.code, 1);
    t.regex(
      twice.stdout,
      /\[FAIL\] other-controllers: HTTPRoute http-split\/echo-route is also served by networking.gke.io\/gateway/,
    );
    t.regex(
      twice.stdout,
      /fix: turn off managed CSM Gateway API for this cluster or remove gamma-csm from these namespaces/,
    );
  },
);

test.serial(
  'uninstall --local --yes removes what the cluster owns and leaves foreign resources byte-identical',
  async (t) => {
    t.timeout(180_000);
    const { s, dir, netsvc, compute } = await stack();
    t.teardown(() => s.close());
    const cluster = s.endpoints.cluster;
    // Foreign resources, written straight into the emulators.
    await netsvc.create('meshes', 'their-mesh', {});
    await netsvc.create('httpRoutes', 'their-route', {
      meshes: [`projects/${s.endpoints.project}/locations/global/meshes/their-mesh`],
      hostnames: ['theirs.example'],
      rules: [
        {
          action: {
            destinations: [
              { serviceName: `projects/${s.endpoints.project}/locations/global/backendServices/their-bs` },
            ],
          },
        },
      ],
    });
    await compute.insert('healthChecks', { name: 'their-hc', type: 'TCP', tcpHealthCheck: { port: 80 } });
    await compute.insert('backendServices', {
      name: 'their-bs',
      description: 'not gamma-csm',
      loadBalancingScheme: 'INTERNAL_SELF_MANAGED',
      healthChecks: [
        `https://www.googleapis.com/compute/v1/projects/${s.endpoints.project}/global/healthChecks/their-hc`,
      ],
    });
    const foreign = async () =>
      JSON.stringify({
        meshes: (await netsvc.list('meshes')).filter((m) => ownershipOf(m, cluster) !== 'ours'),
        httpRoutes: (await netsvc.list('httpRoutes')).filter((r) => ownershipOf(r, cluster) !== 'ours'),
        grpcRoutes: (await netsvc.list('grpcRoutes')).filter((r) => ownershipOf(r, cluster) !== 'ours'),
        backendServices: (await compute.list('backendServices')).filter(
          (b) => computeOwnership(b, cluster) !== 'ours',
        ),
        healthChecks: (await compute.list('healthChecks')).filter(
          (h) => computeOwnership(h, cluster) !== 'ours',
        ),
      });
    const before = await foreign();
    t.true((await netsvc.list('httpRoutes')).some((r) => ownershipOf(r, cluster) === 'ours'));

    const refused = await runCli(['uninstall', '--local', '--local-dir', dir], { env: ENV, input: '' });
    t.is(refused.code, 1);
    t.regex(
      refused.stderr,
      /refusing to uninstall without confirmation: stdin is not a terminal; pass --yes/,
    );
    t.regex(refused.stdout, /- delete meshes\/gamma-mesh/);

    const ourEntries = async () => {
      const routes = await readRoutes(s.endpoints.kubeconfig);
      if (!routes.ok) throw new Error(routes.error);
      return routes.value.flatMap((r) => r.controllers).filter((c) => c === DEFAULT_CONTROLLER_NAME).length;
    };
    t.true((await ourEntries()) > 0);
    const r = await runCli(['uninstall', '--local', '--local-dir', dir, '--yes', '--clear-status'], {
      env: ENV,
    });
    t.is(r.code, 0, r.stdout + r.stderr);
    t.regex(
      r.stdout,
      /Uninstall complete: \d+ deleted, 0 failed\. Cleared gamma-csm's status entries from \d+ route\(s\)/,
    );
    t.is(await ourEntries(), 0);
    // Clearing status is not an event the pipeline acts on: nothing comes back.
    await s.pipeline.idle(30_000);
    const owned = [
      ...(await netsvc.list('meshes')).filter((m) => ownershipOf(m, cluster) === 'ours'),
      ...(await netsvc.list('httpRoutes')).filter((m) => ownershipOf(m, cluster) === 'ours'),
      ...(await netsvc.list('grpcRoutes')).filter((m) => ownershipOf(m, cluster) === 'ours'),
      ...(await compute.list('backendServices')).filter((b) => computeOwnership(b, cluster) === 'ours'),
      ...(await compute.list('healthChecks')).filter((h) => computeOwnership(h, cluster) === 'ours'),
    ];
    t.deepEqual(
      owned.map((o) => o.name),
      [],
    );
    t.is(await foreign(), before);

    const again = await runCli(['uninstall', '--local', '--local-dir', dir, '-o', 'json'], { env: ENV });
    t.is(again.code, 0, again.stderr);
    t.false((JSON.parse(again.stdout) as { plan: { summary: { changes: boolean } } }).plan.summary.changes);
  },
);
