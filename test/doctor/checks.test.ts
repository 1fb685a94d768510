// Table tests of every doctor check (shared/doctor): a healthy set of facts passes every check, and
// each row breaks one fact and expects that check's status, a message naming the object, and the fix.
import test from 'ava';
import { runChecks, anyFailed, formatChecksText } from '../../shared/doctor/index.ts';
import type { CheckResult, DoctorFacts } from '../../shared/doctor/types.ts';
import { emptyPlan } from '../../shared/plan/index.ts';
import { emptyComputePlan } from '../../shared/compute/plan.ts';
import { ownerDescription } from '../../shared/compute/desired.ts';
import { NEG_ANNOTATION, NEG_STATUS_ANNOTATION } from '../../shared/compute/types.ts';
import type { Service } from '../../shared/gamma/types.ts';
import { DEFAULT_CONTROLLER_NAME } from '../../shared/translate/types.ts';
import { DOCTOR_PERMISSIONS } from '../../shared/doctor/checks-env.ts';

const P = 'p1';
const BS = 'gamma-c1-app-web-80-aaaa';
const NEG = 'k8s1-neg-web-80';
const negUrl = (zone: string) =>
  `https://www.googleapis.com/compute/v1/projects/${P}/zones/${zone}/networkEndpointGroups/${NEG}`;

function service(annotations: Record<string, string>): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'app', annotations },
    spec: { ports: [{ port: 80 }] },
  };
}

const NEG_OK = {
  [NEG_ANNOTATION]: '{"exposed_ports":{"80":{}}}',
  [NEG_STATUS_ANNOTATION]: JSON.stringify({
    network_endpoint_groups: { '80': NEG },
    zones: ['us-central1-a', 'us-central1-b'],
  }),
};

function healthy(): DoctorFacts {
  return {
    local: false,
    project: P,
    mesh: 'm1',
    cluster: 'c1',
    controllerName: DEFAULT_CONTROLLER_NAME,
    meshes: { ok: true, value: [{ name: `projects/${P}/locations/global/meshes/m1` }] },
    plan: { ok: true, value: { plan: { ...emptyPlan(), unchanged: 2 }, compute: emptyComputePlan() } },
    services: [service(NEG_OK)],
    namespaces: [
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'app', labels: { 'istio-injection': 'enabled' } },
      },
    ],
    routes: {
      ok: true,
      value: [
        {
          kind: 'HTTPRoute',
          namespace: 'app',
          name: 'web-route',
          annotations: {},
          controllers: [DEFAULT_CONTROLLER_NAME],
          backends: [{ namespace: 'app', service: 'web', port: 80 }],
        },
      ],
    },
    mappings: [
      {
        serviceName: `projects/${P}/locations/global/backendServices/${BS}`,
        namespace: 'app',
        service: 'web',
        port: 80,
      },
    ],
    backendServices: {
      ok: true,
      value: [
        {
          name: BS,
          description: ownerDescription({ cluster: 'c1', service: 'app/web', port: 80 }),
          backends: [{ group: negUrl('us-central1-a') }, { group: negUrl('us-central1-b') }],
        },
      ],
    },
    health: {
      [BS]: {
        [negUrl('us-central1-a')]: {
          ok: true,
          value: { healthStatus: [{ ipAddress: '10.0.0.1', port: 8080, healthState: 'HEALTHY' }] },
        },
      },
    },
    firewalls: {
      ok: true,
      value: [
        {
          name: 'hc',
          direction: 'INGRESS',
          sourceRanges: ['35.191.0.0/16', '130.211.0.0/22'],
          allowed: [{ IPProtocol: 'tcp' }],
        },
      ],
    },
    iam: { ok: true, value: { wanted: [...DOCTOR_PERMISSIONS], granted: [...DOCTOR_PERMISSIONS] } },
    watcher: {
      health: { ok: true, value: { status: 200 } },
      deadLetter: {
        ok: true,
        value: { subscription: 'projects/p1/subscriptions/s', deadLettered: 0, backlog: 0 },
      },
    },
  };
}

const byName = (results: CheckResult[], name: string) => results.find((r) => r.name === name) as CheckResult;

test('healthy facts pass every check and the run is not failed', (t) => {
  const results = runChecks(healthy());
  t.deepEqual(
    results.filter((r) => r.status !== 'pass').map((r) => `${r.name}: ${r.message}`),
    [],
  );
  t.false(anyFailed(results));
  t.regex(formatChecksText(results), /9 passed, 0 failed/);
});

interface Row {
  title: string;
  check: string;
  status: CheckResult['status'];
  message: RegExp;
  fix?: RegExp;
  change: (f: DoctorFacts) => void;
}

const pendingPlan = (f: DoctorFacts) => {
  const plan = emptyPlan();
  plan.creates.push({
    kind: 'httpRoutes',
    id: 'gamma-c1-r',
    name: 'projects/p1/locations/global/httpRoutes/gamma-c1-r',
    body: {},
  });
  plan.deletes.push({ kind: 'grpcRoutes', id: 'gamma-c1-old', name: 'x/gamma-c1-old', body: {} });
  const compute = emptyComputePlan();
  compute.creates.push({ kind: 'backendServices', id: BS, body: {} });
  f.plan = { ok: true, value: { plan, compute } };
};

const ROWS: Row[] = [
  {
    title: 'mesh missing',
    check: 'mesh',
    status: 'fail',
    message: /Mesh m1 does not exist/,
    fix: /--manage-mesh/,
    change: (f) => (f.meshes = { ok: true, value: [] }),
  },
  {
    title: 'mesh list fails',
    check: 'mesh',
    status: 'fail',
    message: /listing Meshes failed: boom/,
    change: (f) => (f.meshes = { ok: false, error: 'boom' }),
  },
  {
    title: 'pending creates and deletes',
    check: 'routes-in-sync',
    status: 'fail',
    message:
      /pending create backendServices\/gamma-c1-app-web-80-aaaa\npending create httpRoutes\/gamma-c1-r\npending delete grpcRoutes\/gamma-c1-old/,
    fix: /run gamma-csm apply .* or wait for the reconcile tick/,
    change: pendingPlan,
  },
  {
    title: 'plan errors',
    check: 'routes-in-sync',
    status: 'fail',
    message: /plan error: mesh m1 not found/,
    change: (f) => (f.plan = { ok: true, value: { plan: emptyPlan(['mesh m1 not found']) } }),
  },
  {
    title: 'planning threw',
    check: 'routes-in-sync',
    status: 'fail',
    message: /planning failed: no route/,
    change: (f) => (f.plan = { ok: false, error: 'no route' }),
  },
  {
    title: 'backend service missing',
    check: 'backend-services',
    status: 'fail',
    message: /backend service gamma-c1-app-web-80-aaaa \(Service app\/web port 80\) does not exist/,
    fix: /gamma-csm apply/,
    change: (f) => (f.backendServices = { ok: true, value: [] }),
  },
  {
    title: 'backend service not ours',
    check: 'backend-services',
    status: 'fail',
    message: /is not this cluster's \(other-cluster\)/,
    change: (f) =>
      f.backendServices.ok && (f.backendServices.value[0].description = ownerDescription({ cluster: 'c2' })),
  },
  {
    title: 'a NEG zone without a backend',
    check: 'backend-services',
    status: 'fail',
    message: /no backend in zone\(s\) us-central1-b/,
    change: (f) => f.backendServices.ok && f.backendServices.value[0].backends?.pop(),
  },
  {
    title: 'unhealthy endpoints',
    check: 'backend-services',
    status: 'warn',
    message: /1 endpoint\(s\) of .*UNHEALTHY \(10.0.0.9:8080\)/,
    fix: /firewall-rules create .*35.191.0.0\/16,130.211.0.0\/22/,
    change: (f) =>
      (f.health[BS][negUrl('us-central1-a')] = {
        ok: true,
        value: { healthStatus: [{ ipAddress: '10.0.0.9', port: 8080, healthState: 'UNHEALTHY' }] },
      }),
  },
  {
    title: 'no routes to backend services',
    check: 'backend-services',
    status: 'skip',
    message: /no accepted route/,
    change: (f) => (f.mappings = []),
  },
  {
    title: 'Service without the NEG annotation',
    check: 'neg-annotations',
    status: 'fail',
    message: /HTTPRoute app\/web-route: Service app\/web port 80 has no GKE network endpoint group/,
    fix: /kubectl annotate service -n app web --overwrite cloud.google.com\/neg='\{"exposed_ports":\{"80":\{\}\}\}'/,
    change: (f) => (f.services = [service({})]),
  },
  {
    title: 'NEG requested, no neg-status yet',
    check: 'neg-annotations',
    status: 'fail',
    message: /waiting for GKE's NEG controller/,
    change: (f) => (f.services = [service({ [NEG_ANNOTATION]: NEG_OK[NEG_ANNOTATION] })]),
  },
  {
    title: 'no firewall rule (Google)',
    check: 'health-check-firewall',
    status: 'fail',
    message: /no enabled ingress firewall rule admits/,
    fix: /gcloud compute firewall-rules create gamma-csm-hc-c1/,
    change: (f) => (f.firewalls = { ok: true, value: [] }),
  },
  {
    title: 'no firewall rule (local stack)',
    check: 'health-check-firewall',
    status: 'warn',
    message: /only a warning/,
    change: (f) => ((f.firewalls = { ok: true, value: [] }), (f.local = true)),
  },
  {
    title: 'a disabled rule does not count',
    check: 'health-check-firewall',
    status: 'fail',
    message: /no enabled ingress/,
    change: (f) => f.firewalls.ok && (f.firewalls.value[0].disabled = true),
  },
  {
    title: 'a rule with one range only',
    check: 'health-check-firewall',
    status: 'fail',
    message: /no enabled ingress/,
    change: (f) => f.firewalls.ok && (f.firewalls.value[0].sourceRanges = ['35.191.0.0/16']),
  },
  {
    title: 'missing permissions',
    check: 'iam',
    status: 'fail',
    message: /lacks compute.backendServices.use on project p1/,
    change: (f) =>
      f.iam?.ok &&
      (f.iam.value.granted = f.iam.value.granted.filter((p) => p !== 'compute.backendServices.use')),
  },
  {
    title: 'local stack: IAM skipped',
    check: 'iam',
    status: 'skip',
    message: /^emulators do not check IAM$/,
    change: (f) => delete f.iam,
  },
  {
    title: 'namespace without injection label',
    check: 'namespace-injection',
    status: 'warn',
    message: /no mesh injection label .*: app/,
    fix: /kubectl label namespace app istio-injection=enabled.*--config-mesh=m1/,
    change: (f) => (f.namespaces[0].metadata.labels = {}),
  },
  {
    title: 'injection disabled',
    check: 'namespace-injection',
    status: 'warn',
    message: /: app/,
    change: (f) => (f.namespaces[0].metadata.labels = { 'istio-injection': 'disabled' }),
  },
  {
    title: 'watcher down',
    check: 'watcher',
    status: 'fail',
    message: /watcher health check failed: ECONNREFUSED/,
    change: (f) => (f.watcher.health = { ok: false, error: 'ECONNREFUSED' }),
  },
  {
    title: 'dead-lettered events',
    check: 'watcher',
    status: 'fail',
    message: /s: 3 event\(s\) dead-lettered/,
    change: (f) => f.watcher.deadLetter?.ok && (f.watcher.deadLetter.value.deadLettered = 3),
  },
  {
    title: 'nothing known about the watcher',
    check: 'watcher',
    status: 'skip',
    message: /--watcher-health/,
    change: (f) => (f.watcher = {}),
  },
  {
    title: 'another controller reports',
    check: 'other-controllers',
    status: 'fail',
    message: /HTTPRoute app\/web-route is also served by networking.gke.io\/gateway/,
    fix: /^turn off managed CSM Gateway API for this cluster or remove gamma-csm from these namespaces$/,
    change: (f) => f.routes.ok && f.routes.value[0].controllers.push('networking.gke.io/gateway'),
  },
  {
    title: "Google's managed mesh annotation",
    check: 'other-controllers',
    status: 'fail',
    message: /carries networking.gke.io\/meshes=/,
    change: (f) => f.routes.ok && (f.routes.value[0].annotations['networking.gke.io/meshes'] = 'gsmmesh-1'),
  },
];

for (const row of ROWS)
  test(`${row.check}: ${row.title}`, (t) => {
    const facts = healthy();
    row.change(facts);
    const results = runChecks(facts);
    const r = byName(results, row.check);
    t.is(r.status, row.status, r.message);
    t.regex(r.message, row.message);
    if (row.fix) t.regex(r.fix ?? '', row.fix);
    t.is(anyFailed(results), row.status === 'fail');
    // Every other check still passes: a row breaks exactly one thing.
    t.deepEqual(
      results.filter((x) => x.name !== row.check && x.status !== 'pass').map((x) => x.name),
      [],
    );
  });
