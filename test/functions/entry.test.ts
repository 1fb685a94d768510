// The documented way to run the functions locally: functions-framework in a child process, loading
// functions/<name> through its function.js tsx shim, configured from the environment.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { startPipeline } from '../../infra/local/pipeline.ts';
import type { Pipeline } from '../../infra/local/pipeline.ts';
import { currentEvent, httpRoute, namespace, push, routeFor, service } from './support.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const FRAMEWORK = path.join(ROOT, 'node_modules/@google-cloud/functions-framework/build/src/main.js');

let p: Pipeline;
const children: ChildProcess[] = [];

test.before(async () => {
  p = await startPipeline({ watcher: false });
});
test.after.always(async () => {
  for (const c of children) c.kill('SIGKILL');
  await p?.close();
});

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

function run(target: string, env: Record<string, string>, port: number) {
  const child = spawn(
    process.execPath,
    [
      FRAMEWORK,
      `--target=${target}`,
      `--source=functions/${target}`,
      '--signature-type=cloudevent',
      `--port=${port}`,
    ],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', METADATA_SERVER_DETECTION: 'none', ...env },
      stdio: 'pipe',
    },
  );
  children.push(child);
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, exited, output: () => output };
}

const baseEnv = () => ({
  GAMMA_PROJECT: p.project,
  GAMMA_MESH: p.mesh,
  GAMMA_CLUSTER_ID: p.clusterId,
  GAMMA_KUBECONFIG: p.k8s.kubeconfigPath,
  GAMMA_NETSVC_ENDPOINT: p.netsvc.url,
});

test('a bad configuration fails the cold start, naming the variable', async (t) => {
  const env: Record<string, string> = { ...baseEnv(), GAMMA_RATE_LIMIT_RPS: 'fast' };
  delete env.GAMMA_MESH;
  const proc = run('sync', env, await freePort());
  t.not(await proc.exited, 0);
  t.regex(proc.output(), /GAMMA_MESH: is required for sync/);
  t.regex(proc.output(), /GAMMA_RATE_LIMIT_RPS/);
});

test('`functions-framework --target=sync --source=functions/sync` serves the sync function', async (t) => {
  p.k8s.apply(namespace('cp'));
  p.k8s.apply(service('web', 'cp'));
  p.k8s.apply(httpRoute('web-route', 'cp', 'web', ['/w']));
  const port = await freePort();
  const proc = run('sync', { ...baseEnv(), GAMMA_LOG_FORMAT: 'text' }, port);
  const url = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + 20_000;
  let status = 0;
  const event = await currentEvent(p, 'cp', 'web');
  while (Date.now() < deadline) {
    status = await push(url, event).catch(() => 0);
    if (status !== 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  t.is(status, 204, proc.output());
  t.truthy(routeFor(p, 'cp', 'web'));
  t.regex(proc.output(), /INFO +synced: 2 created/);
  t.regex(proc.output(), /parent=local\/cp\/web/);
});
