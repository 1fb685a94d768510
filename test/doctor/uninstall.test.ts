// The uninstall plan (shared/doctor/uninstall.ts) deletes exactly what this cluster id owns, and
// routeFacts (shared/doctor/routes.ts) reads what the doctor needs from a raw route.
import test from 'ava';
import { combined, isEmptyUninstall, uninstallPlan } from '../../shared/doctor/uninstall.ts';
import { routeFacts } from '../../shared/doctor/routes.ts';
import { ownerDescription } from '../../shared/compute/desired.ts';
import { labelValue } from '../../shared/translate/names.ts';
import { LABEL_CLUSTER, LABEL_MANAGED_BY, LABEL_MANAGED_BY_VALUE } from '../../shared/translate/types.ts';

const labels = (cluster: string) => ({
  [LABEL_MANAGED_BY]: LABEL_MANAGED_BY_VALUE,
  [LABEL_CLUSTER]: labelValue(cluster),
});
const ns = (kind: string, id: string, l?: Record<string, string>) => ({
  name: `projects/p/locations/global/${kind}/${id}`,
  ...(l ? { labels: l } : {}),
});
const hcUrl = (id: string) => `https://www.googleapis.com/compute/v1/projects/p/global/healthChecks/${id}`;

test('uninstall deletes only what carries this cluster id, routes before the Mesh', (t) => {
  const u = uninstallPlan(
    {
      complete: true,
      meshes: [ns('meshes', 'm', labels('c1')), ns('meshes', 'theirs')],
      httpRoutes: [
        ns('httpRoutes', 'ours', labels('c1')),
        ns('httpRoutes', 'other-cluster', labels('c2')),
        ns('httpRoutes', 'unlabelled'),
      ],
      grpcRoutes: [ns('grpcRoutes', 'ours-g', labels('c1'))],
      tcpRoutes: [ns('tcpRoutes', 'ours-t', labels('c1')), ns('tcpRoutes', 'theirs-t', labels('c2'))],
      tlsRoutes: [ns('tlsRoutes', 'ours-s', labels('c1')), ns('tlsRoutes', 'unlabelled-s')],
    },
    {
      complete: true,
      backendServices: [
        {
          name: 'bs-ours',
          description: ownerDescription({ cluster: 'c1' }),
          healthChecks: [hcUrl('hc-ours')],
        },
        {
          name: 'bs-c2',
          description: ownerDescription({ cluster: 'c2' }),
          healthChecks: [hcUrl('hc-shared')],
        },
        { name: 'bs-user', description: 'mine', healthChecks: [hcUrl('hc-user')] },
      ],
      healthChecks: [
        { name: 'hc-ours', description: ownerDescription({ cluster: 'c1', healthCheck: 'tcp' }) },
        { name: 'hc-shared', description: ownerDescription({ cluster: 'c1', healthCheck: 'http:/x' }) },
        { name: 'hc-user', description: 'mine' },
      ],
    },
    'c1',
  );
  t.deepEqual(
    u.routes.deletes.map((d) => `${d.kind}/${d.id}`),
    ['httpRoutes/ours', 'grpcRoutes/ours-g', 'tcpRoutes/ours-t', 'tlsRoutes/ours-s'],
  );
  t.deepEqual(
    u.meshes.deletes.map((d) => d.id),
    ['m'],
  );
  t.deepEqual(
    u.compute.deletes.map((d) => `${d.kind}/${d.id}`),
    ['backendServices/bs-ours', 'healthChecks/hc-ours'],
  );
  // A check of ours that another cluster's backend service uses stays, with the reason.
  t.deepEqual(
    u.compute.refused.map((r) => r.id),
    ['hc-shared'],
  );
  t.regex(u.compute.refused[0].reason, /bs-c2/);
  t.deepEqual(
    combined(u).deletes.map((d) => d.id),
    ['ours', 'ours-g', 'ours-t', 'ours-s', 'm'],
  );
  t.false(isEmptyUninstall(u));
});

test("a Mesh of ours that another cluster's route uses is refused, not deleted", (t) => {
  const mesh = 'projects/p/locations/global/meshes/m';
  const u = uninstallPlan(
    {
      complete: true,
      meshes: [ns('meshes', 'm', labels('c1'))],
      httpRoutes: [
        {
          ...ns('httpRoutes', 'theirs', labels('c2')),
          meshes: [`https://networkservices.googleapis.com/v1/${mesh}`],
        },
      ],
      grpcRoutes: [{ ...ns('grpcRoutes', 'ours', labels('c1')), meshes: [mesh] }],
      tcpRoutes: [],
      tlsRoutes: [],
    },
    { complete: true, backendServices: [], healthChecks: [] },
    'c1',
  );
  t.deepEqual(u.meshes.deletes, []);
  t.deepEqual(
    combined(u).refused.map((r) => `${r.kind}/${r.id}: ${r.reason}`),
    ['meshes/m: routes not owned by this cluster still use it: theirs'],
  );
  t.deepEqual(
    u.routes.deletes.map((d) => d.id),
    ['ours'],
  );
});

test("another cluster's TcpRoute on our Mesh keeps the Mesh; our TlsRoute on it is deleted", (t) => {
  const mesh = 'projects/p/locations/global/meshes/m';
  const u = uninstallPlan(
    {
      complete: true,
      meshes: [ns('meshes', 'm', labels('c1'))],
      httpRoutes: [],
      grpcRoutes: [],
      tcpRoutes: [{ ...ns('tcpRoutes', 'db', labels('c2')), meshes: [mesh] }],
      tlsRoutes: [{ ...ns('tlsRoutes', 'sni', labels('c1')), meshes: [mesh] }],
    },
    { complete: true, backendServices: [], healthChecks: [] },
    'c1',
  );
  t.deepEqual(
    combined(u).refused.map((r) => `${r.kind}/${r.id}: ${r.reason}`),
    ['meshes/m: routes not owned by this cluster still use it: db'],
  );
  t.deepEqual(
    u.routes.deletes.map((d) => `${d.kind}/${d.id}`),
    ['tlsRoutes/sni'],
  );
});

test('an incomplete read plans nothing', (t) => {
  const u = uninstallPlan(
    { complete: false, meshes: [], httpRoutes: [], grpcRoutes: [], tcpRoutes: [], tlsRoutes: [] },
    { complete: true, backendServices: [], healthChecks: [] },
    'c1',
  );
  t.regex(combined(u).errors[0], /incomplete/);
  t.true(isEmptyUninstall(u));
});

test('routeFacts: controllers from status, Service backendRefs with ports, defaults', (t) => {
  const f = routeFacts('HTTPRoute', {
    metadata: { name: 'r', namespace: 'a', annotations: { x: 'y' } },
    spec: {
      rules: [
        {
          backendRefs: [
            { name: 'web', port: 80 },
            { name: 'web', port: 80 },
            { name: 'api', namespace: 'b', port: 8080 },
          ],
        },
        { backendRefs: [{ name: 'bucket', group: 'storage.example', kind: 'Bucket' }, { name: 'noport' }] },
      ],
    },
    status: {
      parents: [{ controllerName: 'gamma-csm.dev/controller' }, { controllerName: 'other.io/x' }, {}],
    },
  });
  t.deepEqual(f, {
    kind: 'HTTPRoute',
    namespace: 'a',
    name: 'r',
    annotations: { x: 'y' },
    controllers: ['gamma-csm.dev/controller', 'other.io/x'],
    backends: [
      { namespace: 'a', service: 'web', port: 80 },
      { namespace: 'b', service: 'api', port: 8080 },
      { namespace: 'a', service: 'noport' },
    ],
  });
});
