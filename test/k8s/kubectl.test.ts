// kubectl (client-side apply, tables, -o yaml, delete) against the stand-in, and the
// `gamma-csm emulator k8s` command. kubectl is optional: skipped with a reason when absent.
import test from 'ava';
import { execFile, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { startK8sEmulator } from '../../infra/local/k8s/index.ts';
import type { K8sEmulator, KubeObj } from '../../infra/local/k8s/index.ts';
import { CLI } from '../support/cli.ts';
import { hasKubectl, kubectlSkipReason } from '../support/tools.ts';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/apply');
let emu: K8sEmulator;
test.before(async () => {
  emu = await startK8sEmulator({ port: 0 });
});
test.after.always(() => emu?.close());

function kubectl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'kubectl',
      ['--kubeconfig', emu.kubeconfigPath, ...args],
      { timeout: 20_000 },
      (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

(hasKubectl ? test.serial : test.serial.skip)(
  `kubectl apply / get / get -o yaml / re-apply / delete${kubectlSkipReason}`,
  async (t) => {
    const applied = await kubectl(['apply', '-f', FIXTURES]);
    t.is(applied.code, 0, applied.stderr);
    t.regex(applied.stdout, /service\/reviews created/);
    t.regex(applied.stdout, /httproute\.gateway\.networking\.k8s\.io\/reviews-v2 created/);

    const table = await kubectl(['get', 'httproutes', '-A']);
    t.is(table.code, 0, table.stderr);
    t.regex(table.stdout, /NAMESPACE\s+NAME\s+HOSTNAMES\s+AGE/);
    t.regex(table.stdout, /default\s+reviews-v2\s+reviews\.example\.com\s+\d+s/);

    const yaml = await kubectl(['get', 'httproute', 'reviews-v2', '-o', 'yaml']);
    t.is(yaml.code, 0, yaml.stderr);
    const obj = parse(yaml.stdout) as KubeObj;
    t.is(obj.kind, 'HTTPRoute');
    t.is(obj.metadata.generation, 1);
    t.truthy(obj.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration']);
    t.deepEqual((obj.spec as { hostnames: string[] }).hostnames, ['reviews.example.com']);

    const again = await kubectl(['apply', '-f', FIXTURES]);
    t.is(again.code, 0, again.stderr);
    t.regex(again.stdout, /httproute\.gateway\.networking\.k8s\.io\/reviews-v2 unchanged/);
    t.is((emu.getObject('HTTPRoute', 'default', 'reviews-v2') as KubeObj).metadata.generation, 1);

    const svcTable = await kubectl(['get', 'svc', 'reviews']);
    t.regex(svcTable.stdout, /reviews/);

    const deleted = await kubectl(['delete', '-f', FIXTURES]);
    t.is(deleted.code, 0, deleted.stderr);
    t.regex(deleted.stdout, /httproute\.gateway\.networking\.k8s\.io "reviews-v2" deleted/);
    t.is(emu.getObject('HTTPRoute', 'default', 'reviews-v2'), undefined);
    t.is(emu.getObject('Service', 'default', 'reviews'), undefined);
    const missing = await kubectl(['get', 'httproute', 'reviews-v2']);
    t.not(missing.code, 0);
    t.regex(missing.stderr, /NotFound.*"reviews-v2" not found/);
  },
);

test.serial('gamma-csm emulator k8s prints its address and stops cleanly on SIGTERM', async (t) => {
  const child = spawn(process.execPath, [CLI, 'emulator', 'k8s', '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner: ${out}`)), 15_000);
    child.stdout.on('data', () => {
      if (out.includes('\n')) {
        clearTimeout(timer);
        resolve(out.split('\n')[0]);
      }
    });
  });
  const m = /^k8s API stand-in listening on (http:\/\/127\.0\.0\.1:\d+) \(kubeconfig: (.+)\)$/.exec(line);
  t.truthy(m, line);
  const res = await fetch(`${m?.[1]}/version`);
  t.is(((await res.json()) as { major: string }).major, '1');
  const code = await new Promise<number | null>((resolve) => {
    child.on('exit', (c) => resolve(c));
    child.kill('SIGTERM');
  });
  t.is(code, 0);
});
