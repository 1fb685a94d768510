// `gamma-csm watch` as an operator runs it: a child process against the k8s stand-in and the Pub/Sub
// emulator (PUBSUB_EMULATOR_HOST), probed over HTTP, stopped with SIGTERM.
import test from 'ava';
import { spawn } from 'node:child_process';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { PubSub } from '@google-cloud/pubsub';
import type { Message } from '@google-cloud/pubsub';
import { startK8sEmulator } from '../../infra/local/k8s/index.ts';
import { startPubsubEmulator } from '../../infra/local/pubsub/emulator.ts';
import { decodeRouteEvent } from '../../shared/events/index.ts';
import type { RouteEvent } from '../../shared/events/index.ts';
import { CLI, REPO_ROOT, runCli } from '../support/cli.ts';
import { eventually, route, routeNames, service } from './harness.ts';

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

/** The environment without any GAMMA_* variable of the machine running the tests. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GAMMA_')));
  return { ...env, ...extra };
}

test('watch: ready, resync, publishes a change, JSON logs, SIGTERM exits 0', async (t) => {
  const k8s = await startK8sEmulator({ port: 0 });
  const ps = await startPubsubEmulator({ port: 0 });
  const admin = new PubSub({ projectId: 'test-proj', apiEndpoint: ps.endpoint, emulatorMode: true });
  t.teardown(async () => {
    await admin.close();
    await ps.close();
    await k8s.close();
  });
  k8s.apply(service('p'));
  k8s.apply(route('a', 'p'));
  const [topic] = await admin.createTopic('cli-events');
  const [sub] = await topic.createSubscription('cli-events-sub', { enableMessageOrdering: true });
  const got: RouteEvent[] = [];
  sub.on('message', (m: Message) => {
    const d = decodeRouteEvent(m.data, m.attributes);
    if (d.ok) got.push(d.event);
    m.ack();
  });
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      CLI,
      'watch',
      '--kubeconfig',
      k8s.kubeconfigPath,
      '--cluster',
      'cli-cluster',
      '--topic',
      'cli-events',
      '--project',
      'test-proj',
      '--health-port',
      String(port),
      '--debounce-ms',
      '50',
      '--max-wait-ms',
      '200',
      '--log-format',
      'json',
    ],
    { cwd: REPO_ROOT, env: cleanEnv({ PUBSUB_EMULATOR_HOST: ps.endpoint }) },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  t.teardown(() => void child.kill('SIGKILL'));
  const readyz = () =>
    fetch(`http://127.0.0.1:${port}/readyz`).then(
      (r) => r.status,
      () => 0,
    );
  const deadline = Date.now() + 40000; // importing client-node alone takes seconds on a loaded machine
  while ((await readyz()) !== 200) {
    if (Date.now() > deadline) t.fail(`never ready; stderr: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  await eventually(
    () => got.length,
    (n) => n >= 1,
    5000,
    'resync message',
  );
  t.deepEqual(got[0].reason, ['resync'], 'resync on start is the default');
  t.is(got[0].cluster, 'cli-cluster');
  k8s.apply(route('b', 'p'));
  await eventually(
    () => got.some((e) => routeNames(e).length === 2),
    (x) => x,
    5000,
    'change published',
  );
  child.kill('SIGTERM');
  t.is(await exited, 0, stderr);
  const lines = stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  t.true(
    lines.some(
      (l) =>
        l.severity === 'INFO' &&
        l.message === 'route event published' &&
        l.parent === 'cli-cluster/default/p',
    ),
  );
  t.true(lines.some((l) => String(l.message).startsWith('SIGTERM received')));
  await sub.close();
});

test('watch: configuration problems name the flag and exit 2', async (t) => {
  const r = await runCli(
    ['watch', '--kubeconfig', '/nonexistent', '--debounce-ms', '900', '--max-wait-ms', '100'],
    {
      env: cleanEnv({}),
    },
  );
  t.is(r.code, 2);
  t.regex(r.stderr, /GAMMA_CLUSTER_ID \(--cluster\): is required/);
  t.regex(r.stderr, /GAMMA_MAX_WAIT_MS \(--max-wait-ms\): must be >= GAMMA_DEBOUNCE_MS/);
});
