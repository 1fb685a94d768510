// The Kubernetes manifests: rendered with `kubectl kustomize` when kubectl exists (offline), else read
// from the files the kustomizations list. RBAC must be exactly the minimal set.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const KUBECTL = '/usr/bin/kubectl';

type Obj = {
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  [k: string]: unknown;
};
interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

function readKustomization(dir: string): Obj[] {
  const kustomization = parseAllDocuments(
    readFileSync(path.join(dir, 'kustomization.yaml'), 'utf8'),
  )[0].toJSON() as {
    resources: string[];
  };
  return kustomization.resources.flatMap((f) =>
    parseAllDocuments(readFileSync(path.join(dir, f), 'utf8')).map((d) => d.toJSON() as Obj),
  );
}

function render(dir: string): Obj[] {
  if (!existsSync(KUBECTL)) return readKustomization(dir);
  const r = spawnSync(KUBECTL, ['kustomize', dir], { encoding: 'utf8', timeout: 20000 });
  if (r.status !== 0) throw new Error(`kubectl kustomize ${dir} failed: ${r.stderr}`);
  return parseAllDocuments(r.stdout).map((d) => d.toJSON() as Obj);
}

const watcher = render(path.join(root, 'infra/k8s'));
const functions = render(path.join(root, 'infra/k8s/functions-rbac'));
const autoNeg = render(path.join(root, 'infra/k8s/functions-rbac-auto-neg'));
const find = (objs: Obj[], kind: string) => {
  const o = objs.find((x) => x.kind === kind);
  if (!o) throw new Error(`no ${kind}`);
  return o;
};

// Order-insensitive view of RBAC rules: one "group/resource verb" string per permission.
function permissions(rules: Rule[]): string[] {
  return rules
    .flatMap((r) =>
      r.apiGroups.flatMap((g) =>
        r.resources.flatMap((res) => r.verbs.map((v) => `${g || 'core'}/${res} ${v}`)),
      ),
    )
    .sort();
}

test('kustomize renders the expected objects', (t) => {
  if (!existsSync(KUBECTL)) t.log('kubectl not found: parsed the listed files instead of rendering');
  t.deepEqual(
    watcher.map((o) => `${o.kind}/${o.metadata.name}`).sort(),
    [
      'ClusterRole/gamma-csm-watcher',
      'ClusterRoleBinding/gamma-csm-watcher',
      'ConfigMap/' + find(watcher, 'ConfigMap').metadata.name,
      'Deployment/gamma-csm-watcher',
      'Namespace/gamma-csm',
      'ServiceAccount/gamma-csm-watcher',
    ].sort(),
  );
  t.is(find(watcher, 'Deployment').metadata.namespace, 'gamma-csm');
});

test('watcher RBAC: read-only on routes, Services and ReferenceGrants, nothing else', (t) => {
  const role = find(watcher, 'ClusterRole') as unknown as { rules: Rule[] };
  t.deepEqual(permissions(role.rules), [
    'core/services get',
    'core/services list',
    'core/services watch',
    'gateway.networking.k8s.io/grpcroutes get',
    'gateway.networking.k8s.io/grpcroutes list',
    'gateway.networking.k8s.io/grpcroutes watch',
    'gateway.networking.k8s.io/httproutes get',
    'gateway.networking.k8s.io/httproutes list',
    'gateway.networking.k8s.io/httproutes watch',
    'gateway.networking.k8s.io/referencegrants get',
    'gateway.networking.k8s.io/referencegrants list',
    'gateway.networking.k8s.io/referencegrants watch',
    'gateway.networking.k8s.io/tcproutes get',
    'gateway.networking.k8s.io/tcproutes list',
    'gateway.networking.k8s.io/tcproutes watch',
    'gateway.networking.k8s.io/tlsroutes get',
    'gateway.networking.k8s.io/tlsroutes list',
    'gateway.networking.k8s.io/tlsroutes watch',
    'gateway.networking.k8s.io/udproutes get',
    'gateway.networking.k8s.io/udproutes list',
    'gateway.networking.k8s.io/udproutes watch',
  ]);
  const binding = find(watcher, 'ClusterRoleBinding') as unknown as {
    roleRef: { name: string };
    subjects: unknown[];
  };
  t.is(binding.roleRef.name, 'gamma-csm-watcher');
  t.deepEqual(binding.subjects, [
    { kind: 'ServiceAccount', name: 'gamma-csm-watcher', namespace: 'gamma-csm' },
  ]);
});

// Exactly the verbs the functions call (shared/cluster/snapshot.ts lists, shared/pipeline/liveness.ts
// gets, shared/cluster/status.ts reads and merge-patches status): no watch, no update.
const FUNCTION_PERMISSIONS = [
  'core/namespaces list',
  'core/services get',
  'core/services list',
  'gateway.networking.k8s.io/grpcroutes get',
  'gateway.networking.k8s.io/grpcroutes list',
  'gateway.networking.k8s.io/grpcroutes/status get',
  'gateway.networking.k8s.io/grpcroutes/status patch',
  'gateway.networking.k8s.io/httproutes get',
  'gateway.networking.k8s.io/httproutes list',
  'gateway.networking.k8s.io/httproutes/status get',
  'gateway.networking.k8s.io/httproutes/status patch',
  'gateway.networking.k8s.io/referencegrants get',
  'gateway.networking.k8s.io/referencegrants list',
  'gateway.networking.k8s.io/tcproutes get',
  'gateway.networking.k8s.io/tcproutes list',
  'gateway.networking.k8s.io/tcproutes/status get',
  'gateway.networking.k8s.io/tcproutes/status patch',
  'gateway.networking.k8s.io/tlsroutes get',
  'gateway.networking.k8s.io/tlsroutes list',
  'gateway.networking.k8s.io/tlsroutes/status get',
  'gateway.networking.k8s.io/tlsroutes/status patch',
  'gateway.networking.k8s.io/udproutes get',
  'gateway.networking.k8s.io/udproutes list',
  'gateway.networking.k8s.io/udproutes/status get',
  'gateway.networking.k8s.io/udproutes/status patch',
];

function renderTemplate(file: string): Obj[] {
  const tpl = readFileSync(path.join(root, 'infra/terraform/modules/gamma-csm', file), 'utf8');
  const rendered = tpl.replace(/%\{[^}]*\}\n?/g, '').replace(/\$\{u\}/g, 'x@p.iam.gserviceaccount.com');
  return parseAllDocuments(rendered).map((d) => d.toJSON() as Obj);
}

test('functions RBAC: read routes, Services and namespaces, read and patch only route status', (t) => {
  const role = find(functions, 'ClusterRole') as unknown as { rules: Rule[] };
  t.deepEqual(permissions(role.rules), FUNCTION_PERMISSIONS);
  const binding = find(functions, 'ClusterRoleBinding') as unknown as {
    subjects: Array<{ kind: string; name: string }>;
  };
  t.deepEqual(
    binding.subjects.map((s) => [s.kind, s.name.replace(/@.*/, '')]),
    [
      ['User', 'gamma-csm-sync'],
      ['User', 'gamma-csm-reconcile'],
    ],
  );
  // The Terraform-rendered variant holds the same rules.
  const tplRole = find(renderTemplate('functions-rbac.yaml.tftpl'), 'ClusterRole') as unknown as {
    rules: Rule[];
  };
  t.deepEqual(permissions(tplRole.rules), permissions(role.rules));
});

test('the functions make no call their RBAC lacks: every client-node call maps to a granted verb', (t) => {
  // The Kubernetes calls in the functions' code paths, and the permission each needs.
  const calls: Record<string, string> = {
    listClusterCustomObject: 'list',
    listServiceForAllNamespaces: 'core/services list',
    listNamespace: 'core/namespaces list',
    readNamespacedService: 'core/services get',
    getNamespacedCustomObject: 'get',
    getNamespacedCustomObjectStatus: 'status get',
    patchNamespacedCustomObjectStatus: 'status patch',
  };
  const sources = [
    'shared/cluster/snapshot.ts',
    'shared/cluster/objects.ts',
    'shared/cluster/status.ts',
    'shared/pipeline/liveness.ts',
    'shared/pipeline/reconcile.ts',
  ]
    .map((f) => readFileSync(path.join(root, f), 'utf8'))
    .join('\n');
  // client-node method names: verb + Namespaced/Cluster/... + kind (every API call has one).
  const used = [
    ...sources.matchAll(
      /\.((?:list|get|read|patch|replace|create|delete|watch)(?:Namespaced|Cluster|Service|Namespace)\w*)\(/g,
    ),
  ].map((m) => m[1]);
  t.is(new Set(used).size, 7, `found the client calls: ${[...new Set(used)].join(', ')}`);
  for (const name of new Set(used)) {
    const need = calls[name];
    t.truthy(
      need,
      `${name} is a Kubernetes call this test does not know: grant it in rbac.yaml and list it here`,
    );
    t.true(
      FUNCTION_PERMISSIONS.some((p) => p.endsWith(need)),
      `${name} needs ${need}`,
    );
  }
  t.false(FUNCTION_PERMISSIONS.some((p) => / (watch|update|create|delete)$/.test(p)));
});

test('GAMMA_AUTO_NEG: patch on Services is a separate opt-in overlay; the default stays read-only', (t) => {
  t.false(
    permissions((find(functions, 'ClusterRole') as unknown as { rules: Rule[] }).rules).some((p) =>
      p.startsWith('core/services patch'),
    ),
  );
  const roles = autoNeg.filter((o) => o.kind === 'ClusterRole') as unknown as Array<Obj & { rules: Rule[] }>;
  t.deepEqual(roles.map((r) => r.metadata.name).sort(), [
    'gamma-csm-functions',
    'gamma-csm-functions-auto-neg',
  ]);
  const extra = roles.find((r) => r.metadata.name === 'gamma-csm-functions-auto-neg');
  t.deepEqual(permissions(extra?.rules ?? []), ['core/services patch']);
  const base = roles.find((r) => r.metadata.name === 'gamma-csm-functions');
  t.deepEqual(permissions(base?.rules ?? []), FUNCTION_PERMISSIONS, 'the overlay keeps the base role as is');
  const binding = autoNeg.find(
    (o) => o.kind === 'ClusterRoleBinding' && o.metadata.name === 'gamma-csm-functions-auto-neg',
  ) as unknown as { roleRef: { name: string }; subjects: Array<{ name: string }> };
  t.is(binding.roleRef.name, 'gamma-csm-functions-auto-neg');
  t.deepEqual(
    binding.subjects.map((s) => s.name.replace(/@.*/, '')),
    ['gamma-csm-sync', 'gamma-csm-reconcile'],
  );
  const tpl = find(renderTemplate('functions-auto-neg-rbac.yaml.tftpl'), 'ClusterRole') as unknown as {
    rules: Rule[];
  };
  t.deepEqual(permissions(tpl.rules), ['core/services patch']);
});

test('no image is deployed by a mutable tag: the watcher image is pinned by digest', (t) => {
  const images = watcher
    .filter((o) => o.kind === 'Deployment')
    .flatMap(
      (o) =>
        (o as unknown as { spec: { template: { spec: { containers: Container[] } } } }).spec.template.spec
          .containers,
    )
    .map((c) => c.image);
  t.true(images.length > 0);
  for (const image of images) t.regex(image, /@sha256:[0-9a-f]{64}$/, image);
  for (const dir of [
    'infra/k8s',
    'infra/k8s/functions-rbac',
    'infra/k8s/functions-rbac-auto-neg',
    'infra/k8s/components/auto-neg',
  ]) {
    const text = readFileSync(path.join(root, dir, 'kustomization.yaml'), 'utf8');
    t.false(/newTag:\s*latest|:latest\b/.test(text), `${dir}/kustomization.yaml uses latest`);
  }
  for (const f of ['deployment.yaml'])
    t.false(readFileSync(path.join(root, 'infra/k8s', f), 'utf8').includes(':latest'));
});

test('Workload Identity: the ServiceAccount is annotated and used by the Deployment', (t) => {
  const sa = find(watcher, 'ServiceAccount');
  t.regex(
    sa.metadata.annotations?.['iam.gke.io/gcp-service-account'] ?? '',
    /^gamma-csm-watcher@.+\.iam\.gserviceaccount\.com$/,
  );
  const pod = (
    find(watcher, 'Deployment') as unknown as { spec: { template: { spec: { serviceAccountName: string } } } }
  ).spec.template.spec;
  t.is(pod.serviceAccountName, 'gamma-csm-watcher');
});

interface Container {
  image: string;
  securityContext: Record<string, unknown>;
  livenessProbe: { httpGet: { path: string; port: string | number } };
  readinessProbe: { httpGet: { path: string; port: string | number } };
  startupProbe?: { httpGet: { path: string; port: string | number } };
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  ports: Array<{ name: string; containerPort: number }>;
  envFrom: Array<{ configMapRef: { name: string } }>;
}

test('Deployment: restrictive securityContext, probes on /healthz and /readyz, resources set', (t) => {
  const pod = (
    find(watcher, 'Deployment') as unknown as {
      spec: { template: { spec: { securityContext: Record<string, unknown>; containers: Container[] } } };
    }
  ).spec.template.spec;
  t.like(pod.securityContext, { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
  t.is(pod.containers.length, 1);
  const c = pod.containers[0];
  t.like(c.securityContext, {
    runAsNonRoot: true,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  });
  t.is((c.securityContext.capabilities as { add?: unknown }).add, undefined);
  t.is(c.livenessProbe.httpGet.path, '/healthz');
  t.is(c.startupProbe?.httpGet.path, '/healthz');
  t.is(c.readinessProbe.httpGet.path, '/readyz');
  const health = c.ports.find((p) => p.name === c.livenessProbe.httpGet.port);
  t.is(health?.containerPort, 8080, 'probes target the declared health port');
  t.truthy(c.resources.requests.cpu);
  t.truthy(c.resources.requests.memory);
  t.truthy(c.resources.limits.memory);
  // The config the watcher reads comes from the generated ConfigMap, and names the health port it serves.
  const cm = find(watcher, 'ConfigMap') as unknown as {
    metadata: { name: string };
    data: Record<string, string>;
  };
  t.is(c.envFrom[0].configMapRef.name, cm.metadata.name);
  t.is(cm.data.GAMMA_HEALTH_PORT, String(health?.containerPort));
  for (const k of ['GAMMA_PROJECT', 'GAMMA_CLUSTER_ID', 'GAMMA_ROUTE_EVENTS_TOPIC']) t.truthy(cm.data[k], k);
});
