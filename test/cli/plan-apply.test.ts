// `gamma-csm plan` / `apply` end to end: the CLI as a child process, the Network Services emulator
// over loopback in this process.
import test from 'ava';
import { execFile } from 'node:child_process';
import { CLI, REPO_ROOT, runCli, type CliResult } from '../support/cli.ts';
import { startNetsvcEmulator, type NetsvcEmulator } from '../../infra/local/netsvc/server.ts';
import { startRecordingProxy } from '../plan/proxy.ts';
import { startK8sEmulator } from '../../infra/local/k8s/index.ts';
import type { KubeObj } from '../../infra/local/k8s/index.ts';
import { manyRoutesYaml, tempDir, type TempDir } from '../plan/manifests.ts';
import { buildSnapshot, loadManifestPaths } from '../../shared/gamma/index.ts';
import { translate } from '../../shared/translate/index.ts';
import { isEmptyPlan, plan } from '../../shared/plan/index.ts';
import { NetsvcClient } from '../../shared/netsvc/client.ts';
import { applyPlan, readActualState } from '../../shared/netsvc/apply.ts';

const cleanups: (() => Promise<void>)[] = [];
test.after.always(async () => {
  await Promise.all(cleanups.map((c) => c()));
});

async function emulator(): Promise<NetsvcEmulator> {
  const emu = await startNetsvcEmulator({ port: 0 });
  cleanups.push(() => emu.close());
  return emu;
}

async function temp(): Promise<TempDir> {
  const dir = await tempDir();
  cleanups.push(() => dir.remove());
  return dir;
}

// These tests are about the route plan; test/cli/plan-apply-backends.test.ts covers the Compute part.
const common = (url: string) => [
  '--endpoint',
  url,
  '--project',
  'p',
  '--mesh',
  'm',
  '--cluster',
  'c1',
  '--backend-services',
  'off',
];
const writes = (emu: NetsvcEmulator) => emu.requestLog().filter((r) => r.method !== 'GET');
const ids = (emu: NetsvcEmulator, kind: 'httpRoutes' | 'grpcRoutes' | 'meshes') =>
  emu.resources(kind).map((r) => String(r.name).split('/').pop());

/**
 * The same pipeline as the CLI, in this process: sets up state (or checks convergence) without
 * paying for another child process. Returns the plan it found and whether applying it succeeded.
 */
async function inProcess(
  emu: NetsvcEmulator,
  paths: string[],
  opts: { manageMesh?: boolean; apply?: boolean } = {},
) {
  const parsed = await loadManifestPaths(paths);
  const desired = translate(buildSnapshot(parsed.objects).snapshot, {
    project: 'p',
    location: 'global',
    mesh: 'm',
    clusterId: 'c1',
    controllerName: 'gamma-csm.dev/controller',
    clusterDomain: 'cluster.local',
  });
  const client = new NetsvcClient({ project: 'p', location: 'global', endpoint: emu.url });
  const options = { clusterId: 'c1', manageMesh: opts.manageMesh ?? false, adopt: false, forceDelete: false };
  const p = plan(desired, (await readActualState(client)).state, options);
  const ok = opts.apply ? (await applyPlan(client, p)).ok : true;
  return { plan: p, ok };
}

/** An existing Mesh that gamma-csm does not manage (the default mode references it). */
function putMesh(emu: NetsvcEmulator) {
  emu.putRaw('meshes', 'projects/p/locations/global/meshes/m', { labels: { team: 'platform' } });
}

test('plan shows creates (text, JSON, exit 2); apply creates them; then "No changes", exit 0, zero writes', async (t) => {
  const emu = await emulator();
  const args = ['-f', 'examples/http-split', ...common(emu.url), '--manage-mesh'];
  const text = await runCli(['plan', ...args, '--detailed-exitcode']);
  t.is(text.code, 2, text.stderr);
  t.regex(text.stdout, /^\+ create meshes\/m$/m);
  t.regex(text.stdout, /^\+ create httpRoutes\/gamma-c1-default-echo-service-80-[0-9a-f]{8}$/m);
  t.regex(text.stdout, /^Plan: 2 to create, 0 to update, 0 to delete, 0 refused\.$/m);
  const json = await runCli(['plan', ...args, '-o', 'json']);
  t.is(json.code, 0);
  const parsed = JSON.parse(json.stdout) as {
    creates: { kind: string; body: { labels: Record<string, string> } }[];
    summary: { create: number };
  };
  t.is(parsed.summary.create, 2);
  t.deepEqual(
    parsed.creates.map((c) => c.kind),
    ['meshes', 'httpRoutes'],
  );
  t.is(parsed.creates[1].body.labels['managed-by'], 'gamma-csm');
  t.deepEqual(writes(emu), [], 'plan never writes');

  const first = await runCli(['apply', ...args, '--yes']);
  t.is(first.code, 0, first.stderr);
  t.regex(first.stdout, /Apply complete: 2 done, 0 failed, 0 skipped/);
  t.deepEqual(ids(emu, 'meshes'), ['m']);
  t.is(emu.resources('httpRoutes').length, 1);
  emu.resetStats();
  const [second, after] = await Promise.all([
    runCli(['apply', ...args, '--yes']),
    runCli(['plan', ...args, '--detailed-exitcode']),
  ]);
  t.is(second.code, 0, second.stderr);
  t.is(second.stdout, 'No changes.\n');
  t.is(after.code, 0, after.stderr);
  t.is(after.stdout, 'No changes.\n');
  t.is(emu.stats().writes, 0);
  t.deepEqual(writes(emu), []);
});

test('drift in one field: plan shows exactly it, apply repairs it with one PATCH masking only it', async (t) => {
  const emu = await emulator();
  const base = [
    '-f',
    'examples/http-split',
    '--project',
    'p',
    '--mesh',
    'm',
    '--cluster',
    'c1',
    '--manage-mesh',
  ];
  t.true((await inProcess(emu, ['examples/http-split'], { manageMesh: true, apply: true })).ok);
  const [route] = emu.resources('httpRoutes');
  emu.putRaw('httpRoutes', String(route.name), { ...route, description: 'edited by hand' });
  const id = String(route.name).split('/').pop();

  const plan = await runCli(['plan', ...base, '--endpoint', emu.url, '--backend-services', 'off']);
  t.is(plan.code, 0, plan.stderr);
  t.regex(
    plan.stdout,
    new RegExp(
      `^~ update httpRoutes/${id}\\n {4}description: "edited by hand" -> "HTTPRoute default/echo-route -> Service default/echo-service:80"$`,
      'm',
    ),
  );
  t.regex(plan.stdout, /^Plan: 0 to create, 1 to update, 0 to delete, 0 refused\.$/m);
  t.is(plan.stdout.match(/^ {4}\w+:/gm)?.length, 1, 'exactly one changed field');

  const proxy = await startRecordingProxy(emu.url);
  cleanups.push(() => proxy.close());
  const apply = await runCli([
    'apply',
    ...base,
    '--endpoint',
    proxy.url,
    '--yes',
    '--backend-services',
    'off',
  ]);
  t.is(apply.code, 0, apply.stderr);
  const mutations = proxy.recorded.filter((r) => r.method !== 'GET');
  t.is(mutations.length, 1, JSON.stringify(mutations));
  t.is(mutations[0].method, 'PATCH');
  t.is(new URL(mutations[0].url, 'http://x').searchParams.get('updateMask'), 'description');
  t.is(
    emu.resources('httpRoutes')[0].description,
    'HTTPRoute default/echo-route -> Service default/echo-service:80',
  );
  t.true(isEmptyPlan((await inProcess(emu, ['examples/http-split'], { manageMesh: true })).plan));
});

test('removed routes are deleted, unlabelled resources never touched, mass deletion needs --force-delete', async (t) => {
  const emu = await emulator();
  putMesh(emu);
  const dir = await temp();
  const file = await dir.write('routes.yaml', manyRoutesYaml(7));
  const apply = (...more: string[]) => runCli(['apply', '-f', file, ...common(emu.url), '--yes', ...more]);
  t.true((await inProcess(emu, [file], { apply: true })).ok);
  t.is(emu.resources('httpRoutes').length, 7);
  const foreign = 'projects/p/locations/global/httpRoutes/hand-made';
  emu.putRaw('httpRoutes', foreign, {
    hostnames: ['hand-made.example'],
    meshes: ['projects/p/locations/global/meshes/m'],
    rules: [{ action: { destinations: [{ serviceName: 'projects/p/locations/global/backendServices/x' }] } }],
  });
  const foreignBefore = JSON.stringify(emu.resources('httpRoutes').find((r) => r.name === foreign));

  await dir.write('routes.yaml', manyRoutesYaml(6)); // svc-6's route removed
  const plan = await runCli(['plan', '-f', file, ...common(emu.url)]);
  t.is(plan.code, 0, plan.stderr);
  t.regex(plan.stdout, /^- delete httpRoutes\/gamma-c1-apps-svc-6-80-[0-9a-f]{8}$/m);
  t.regex(plan.stdout, /^Plan: 0 to create, 0 to update, 1 to delete, 0 refused\.$/m);
  t.notRegex(plan.stdout, /hand-made/);

  await dir.write('routes.yaml', manyRoutesYaml(0)); // all seven of ours would go: > 50% and > 5
  emu.resetStats();
  const guarded = await apply();
  t.is(guarded.code, 1);
  t.is(guarded.stdout.match(/^! refused httpRoutes\/\S+ \(REFUSED: would delete 7 of 7 owned/gm)?.length, 7);
  t.regex(guarded.stderr, /refused/);
  t.deepEqual(writes(emu), []);
  const forced = await apply('--force-delete');
  t.is(forced.code, 0, forced.stderr);
  t.deepEqual(ids(emu, 'httpRoutes'), ['hand-made']);
  t.is(JSON.stringify(emu.resources('httpRoutes')[0]), foreignBefore);
  t.deepEqual(ids(emu, 'meshes'), ['m'], 'the unmanaged Mesh stays');
});

test('with injected 503s, 429s and failing operations apply reports per item and exits 1; a re-run converges', async (t) => {
  const emu = await emulator();
  putMesh(emu);
  const dir = await temp();
  const file = await dir.write('routes.yaml', manyRoutesYaml(8));
  const apply = () => runCli(['apply', '-f', file, ...common(emu.url), '--yes']);
  emu.setFaults({ seed: 3, failOperationRate: 0.4, errorRates: { POST: { '503': 0.3, '429': 0.3 } } });
  const faulty = await apply();
  t.is(faulty.code, 1);
  const failedLines = faulty.stdout.match(/^x failed create httpRoutes\/\S+: .+$/gm) ?? [];
  t.true(failedLines.length > 0, faulty.stdout);
  t.regex(
    faulty.stdout,
    new RegExp(`Apply incomplete: ${8 - failedLines.length} done, ${failedLines.length} failed, 0 skipped`),
  );
  t.true(emu.stats().injected.failedOperations > 0);
  t.true(emu.stats().injected['503'] + emu.stats().injected['429'] > 0);
  emu.clearFaults();
  const rerun = await apply();
  t.is(rerun.code, 0, rerun.stderr);
  t.regex(rerun.stdout, new RegExp(`^Plan: ${failedLines.length} to create, 0 to update`, 'm'));
  t.is(emu.resources('httpRoutes').length, 8);
  t.true(isEmptyPlan((await inProcess(emu, [file])).plan));
});

test('input errors: clear message, exit 1, nothing written', async (t) => {
  const emu = await emulator();
  const dir = await temp();
  const bad = await dir.write('bad.yaml', manyRoutesYaml(1).replace('name: route-0', 'name: Route_0'));
  const cases: [string[], RegExp][] = [
    [['plan', ...common(emu.url)], /give exactly one source/],
    [['plan', '-f', 'x.yaml', '--kubeconfig', 'k', ...common(emu.url)], /give exactly one source/],
    [
      ['apply', '-f', 'no/such/dir', ...common(emu.url), '--yes'],
      /no\/such\/dir: cannot read: no such file or directory/,
    ],
    [
      ['plan', '-f', 'examples/http-split', ...common(emu.url), '--max-delete-fraction', '2'],
      /expected a number from 0 to 1/,
    ],
    [
      ['apply', '-f', 'examples/http-split', ...common(emu.url)],
      /mesh m not found; create it or pass --manage-mesh/,
    ],
    [
      ['apply', '-f', 'examples/http-split', ...common(emu.url), '--manage-mesh'],
      /stdin is not a terminal; pass --yes/,
    ],
    [['apply', '-f', bad, ...common(emu.url), '--yes'], /bad\.yaml: HTTPRoute apps\/Route_0/],
    [
      ['plan', '--kubeconfig', 'no/such/kubeconfig', ...common(emu.url)],
      /reading the cluster from no\/such\/kubeconfig failed/,
    ],
  ];
  const results = await Promise.all(cases.map(([args]) => runCli(args)));
  cases.forEach(([args, message], i) => {
    t.is(results[i].code, 1, `${args.join(' ')}: ${results[i].stderr}`);
    t.regex(results[i].stderr, message);
  });
  t.deepEqual(writes(emu), []);
  t.deepEqual(emu.resources('meshes'), []);
});

test('--kubeconfig reads the routes from the cluster; a failed cluster read stops the run with nothing written', async (t) => {
  const emu = await emulator();
  const k8s = await startK8sEmulator({ port: 0 });
  cleanups.push(() => k8s.close());
  for (const obj of (await loadManifestPaths(['examples/http-split'])).objects)
    k8s.apply(obj as unknown as KubeObj);
  const args = ['--kubeconfig', k8s.kubeconfigPath, ...common(emu.url), '--manage-mesh', '--yes'];
  const first = await runCli(['apply', ...args]);
  t.is(first.code, 0, first.stderr);
  t.regex(first.stdout, /^\+ create httpRoutes\/gamma-c1-default-echo-service-80-[0-9a-f]{8}$/m);
  t.is(emu.resources('httpRoutes').length, 1);

  k8s.deleteObject('HTTPRoute', 'default', 'echo-route');
  k8s.failListPage(1, { times: 1000, code: 500 });
  emu.resetStats();
  const failed = await runCli(['apply', ...args]);
  t.is(failed.code, 1);
  t.regex(failed.stderr, /reading the cluster from .* failed/);
  t.deepEqual(writes(emu), []);
  t.is(emu.resources('httpRoutes').length, 1);
});

/** Runs the CLI on a pseudo-terminal (util-linux `script`), typing `input`; stdout and stderr merge. */
function runOnTty(args: string[], input: string): Promise<CliResult> {
  const quote = (a: string) => `'${a.replaceAll("'", "'\\''")}'`;
  const command = [process.execPath, CLI, ...args].map(quote).join(' ');
  return new Promise((resolve) => {
    const child = execFile(
      'script',
      ['-qec', command, '/dev/null'],
      { cwd: REPO_ROOT },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
      },
    );
    child.stdin?.end(input);
  });
}

test('on a terminal apply asks for confirmation and shows progress', async (t) => {
  const emu = await emulator();
  const args = ['apply', '-f', 'examples/http-split', ...common(emu.url), '--manage-mesh'];
  const declined = await runOnTty(args, 'no\n');
  t.is(declined.code, 1, declined.stdout);
  t.regex(declined.stdout, /Apply these changes\? Only "yes" is accepted:/);
  t.regex(declined.stdout, /apply cancelled; nothing was written/);
  t.deepEqual(writes(emu), []);
  const accepted = await runOnTty(args, 'yes\n');
  t.is(accepted.code, 0, accepted.stdout);
  t.regex(accepted.stdout, /\r?2\/2/);
  t.regex(accepted.stdout, /Apply complete: 2 done/);
  t.is(emu.resources('httpRoutes').length, 1);
});
