// `gamma-csm plan` / `apply` with backend services: the Compute changes are listed with the route
// changes, in the order apply runs them, applied around the routes, and nothing foreign is touched.
import test from 'ava';
import { runCli } from '../support/cli.ts';
import { startNetsvcEmulator } from '../../infra/local/netsvc/server.ts';
import { startComputeEmulator } from '../../infra/local/compute/server.ts';
import { tempDir } from '../plan/manifests.ts';

const NEG_STATUS = JSON.stringify({
  network_endpoint_groups: { '8080': 'k8s1-0a1b2c3d-shop-api-8080-1f2e3d4c' },
  zones: ['europe-west4-a', 'europe-west4-b'],
});

const manifests = (withRoute: boolean) => `apiVersion: v1
kind: Service
metadata: {name: front, namespace: shop}
spec: {ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata:
  name: api
  namespace: shop
  annotations:
    cloud.google.com/neg: '{"exposed_ports":{"8080":{}}}'
    cloud.google.com/neg-status: '${NEG_STATUS}'
spec: {ports: [{port: 8080, appProtocol: kubernetes.io/h2c}]}
${
  withRoute
    ? `---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: shop}
spec:
  parentRefs: [{group: "", kind: Service, name: front, port: 80}]
  rules: [{backendRefs: [{name: api, port: 8080}]}]
`
    : ''
}`;

test('plan lists Compute and route changes in apply order; apply creates them; a re-run changes nothing; removal deletes routes first', async (t) => {
  const netsvc = await startNetsvcEmulator({ port: 0 });
  const compute = await startComputeEmulator({ port: 0 });
  const dir = await tempDir();
  t.teardown(async () => {
    await netsvc.close();
    await compute.close();
    await dir.remove();
  });
  // The NEGs GKE's controller would have created (the emulator checks backends name real ones).
  for (const zone of ['europe-west4-a', 'europe-west4-b'])
    compute.store.putNeg({ zone, name: 'k8s1-0a1b2c3d-shop-api-8080-1f2e3d4c' });
  // Not ours: a hand-made backend service in the same project.
  const foreign = await fetch(`${compute.url}compute/v1/projects/p/global/backendServices`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'gamma-team-bs',
      description: 'hand-made',
      loadBalancingScheme: 'INTERNAL_SELF_MANAGED',
    }),
  });
  t.is(foreign.status, 200, await foreign.text());
  const readForeign = async () =>
    (await fetch(`${compute.url}compute/v1/projects/p/global/backendServices/gamma-team-bs`)).text();
  const before = await readForeign();

  const file = await dir.write('m.yaml', manifests(true));
  const common = ['-f', file, '--endpoint', netsvc.url, '--compute-endpoint', compute.url];
  common.push('--project', 'p', '--mesh', 'm', '--cluster', 'c1', '--manage-mesh');
  const plan = await runCli(['plan', ...common]);
  t.is(plan.code, 0, plan.stderr);
  const lines = plan.stdout.split('\n').filter((l) => /^[+~-] /.test(l));
  t.deepEqual(
    lines.map((l) => l.replace(/-[0-9a-f]{8}$/, '-HASH')),
    [
      '+ create healthChecks/gamma-c1-hc-tcp-HASH',
      '+ create backendServices/gamma-c1-shop-api-8080-HASH',
      '+ create meshes/m',
      '+ create httpRoutes/gamma-c1-shop-front-80-HASH',
    ],
  );
  t.regex(plan.stdout, /^Plan: 4 to create, 0 to update, 0 to delete, 0 refused\.$/m);

  const applied = await runCli(['apply', ...common, '--yes']);
  t.is(applied.code, 0, applied.stderr + applied.stdout);
  const bs = compute.store
    .resources('backendServices')
    .find((b) => String(b.name).startsWith('gamma-c1-shop-api-8080-'));
  t.like(bs, { protocol: 'HTTP2', loadBalancingScheme: 'INTERNAL_SELF_MANAGED' });
  t.is((bs?.backends as unknown[]).length, 2);

  compute.resetStats();
  netsvc.resetStats();
  const again = await runCli(['apply', ...common, '--yes']);
  t.is(again.code, 0, again.stderr);
  t.regex(again.stdout, /No changes\./);
  t.is(compute.stats().writes, 0);
  t.is(netsvc.stats().writes, 0);

  await dir.write('m.yaml', manifests(false));
  const removal = await runCli(['plan', ...common, '--force-delete']);
  t.is(removal.code, 0, removal.stderr);
  t.deepEqual(
    removal.stdout
      .split('\n')
      .filter((l) => /^- /.test(l))
      .map((l) => l.replace(/\/.*$/, '')),
    ['- delete httpRoutes', '- delete backendServices', '- delete healthChecks'],
  );
  const removed = await runCli(['apply', ...common, '--force-delete', '--yes']);
  t.is(removed.code, 0, removed.stderr + removed.stdout);
  t.deepEqual(
    compute.store.resources('backendServices').map((b) => b.name),
    ['gamma-team-bs'],
  );
  t.deepEqual(compute.store.resources('healthChecks'), []);
  t.is(await readForeign(), before, 'the foreign backend service is byte-identical');
});

test('a desired name taken by a backend service gamma-csm does not own: refused, and the route says why', async (t) => {
  const netsvc = await startNetsvcEmulator({ port: 0 });
  const compute = await startComputeEmulator({ port: 0 });
  const dir = await tempDir();
  t.teardown(async () => {
    await netsvc.close();
    await compute.close();
    await dir.remove();
  });
  const file = await dir.write('m.yaml', manifests(true));
  const common = ['-f', file, '--endpoint', netsvc.url, '--compute-endpoint', compute.url];
  common.push('--project', 'p', '--mesh', 'm', '--cluster', 'c1', '--manage-mesh');
  const planned = JSON.parse((await runCli(['plan', ...common, '-o', 'json'])).stdout) as {
    compute: { creates: { kind: string; id: string }[] };
  };
  const id = planned.compute.creates.find((c) => c.kind === 'backendServices')?.id as string;
  await fetch(`${compute.url}compute/v1/projects/p/global/backendServices`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: id, description: 'squatted', loadBalancingScheme: 'INTERNAL_SELF_MANAGED' }),
  });
  const plan = await runCli(['plan', ...common]);
  t.regex(
    plan.stdout,
    new RegExp(
      `^! refused backendServices/${id} \\(backend service ${id} exists and is not gamma-csm's`,
      'm',
    ),
  );
  t.notRegex(plan.stdout, new RegExp(`backendServices/${id}$`, 'm'), 'no create or update of it');
  const apply = await runCli(['apply', ...common, '--yes']);
  t.is(apply.code, 1, 'refusals make apply exit non-zero');
  const route = netsvc.resources('httpRoutes')[0] as { rules: { action: Record<string, unknown> }[] };
  t.deepEqual(
    route.rules[0].action,
    { directResponse: { status: 500 } },
    'the route never names the squatted backend service',
  );
});
