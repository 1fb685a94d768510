// A proto `float` field end to end: a route mirroring 1/3 of its traffic, applied twice through the
// CLI against the emulator (which stores float32 like the API), converges: the second apply writes nothing.
import test from 'ava';
import { runCli } from '../support/cli.ts';
import { startNetsvcEmulator } from '../../infra/local/netsvc/server.ts';
import { startComputeEmulator } from '../../infra/local/compute/server.ts';
import { serviceYaml, tempDir } from '../plan/manifests.ts';

const route = (mirror: string) => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: shadowed
  namespace: apps
spec:
  parentRefs:
    - group: ''
      kind: Service
      name: front
      port: 80
  rules:
    - backendRefs:
        - name: back
          port: 80
      filters:
        - type: RequestMirror
          requestMirror:
            backendRef:
              name: shadow
              port: 80
${mirror}
`;

const cases: [string, string, number][] = [
  [
    'fraction 1/3',
    '            fraction:\n              numerator: 1\n              denominator: 3',
    33.3333321,
  ],
  [
    'fraction 2/3',
    '            fraction:\n              numerator: 2\n              denominator: 3',
    66.6666641,
  ],
];

for (const [title, mirror, stored] of cases) {
  test(`mirroring ${title}: the second apply makes no write`, async (t) => {
    const emu = await startNetsvcEmulator({ port: 0 });
    t.teardown(() => emu.close());
    const compute = await startComputeEmulator({ port: 0 });
    t.teardown(() => compute.close());
    const dir = await tempDir();
    t.teardown(() => dir.remove());
    const negs = { 'cloud.google.com/neg': '{"exposed_ports":{"80":{}}}' };
    const docs = ['front', 'back', 'shadow'].map((name) => serviceYaml('apps', name, 80, negs));
    const file = await dir.write('routes.yaml', [...docs, route(mirror)].join('---\n'));
    const args = ['apply', '-f', file, '--endpoint', emu.url, '--compute-endpoint', compute.url];
    args.push('--project', 'p', '--mesh', 'm');
    const first = await runCli([...args, '--cluster', 'c1', '--manage-mesh', '--yes']);
    t.is(first.code, 0, first.stderr);
    const [stored0] = emu.resources('httpRoutes') as {
      rules: { action: { requestMirrorPolicy: { mirrorPercent: number } } }[];
    }[];
    t.is(stored0.rules[0].action.requestMirrorPolicy.mirrorPercent, stored);
    t.is(compute.store.resources('backendServices').length, 2, 'the backend and the mirror target');
    emu.resetStats();
    compute.resetStats();
    const second = await runCli([...args, '--cluster', 'c1', '--manage-mesh', '--yes']);
    t.is(second.code, 0, second.stderr);
    t.regex(second.stdout, /No changes/);
    t.deepEqual(
      emu.requestLog().filter((r) => r.method !== 'GET'),
      [],
    );
    t.deepEqual(
      compute.requestLog().filter((r) => r.method !== 'GET'),
      [],
      'no Compute write either',
    );
  });
}
