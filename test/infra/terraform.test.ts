// Structure tests of the Terraform (no providers can be downloaded here, so no plan): every .tf file
// is parsed with @cdktf/hcl2json and checked for the security and delivery properties we rely on.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { exampleDir, first, loadDir, moduleDir, root, tfRoot, type Block, type Config } from './hcl.ts';

let mod: Config;
let example: Config;
test.before(async () => {
  mod = await loadDir(moduleDir);
  example = await loadDir(exampleDir);
});

test('no public principals anywhere', (t) => {
  for (const c of [mod, example]) {
    for (const [file, text] of Object.entries(c.files)) {
      t.false(/allUsers|allAuthenticatedUsers/.test(text), `${file} grants a public principal`);
    }
  }
});

test('both functions: nodejs22, internal-only ingress, own service account, sized as designed', (t) => {
  const fns = mod.resource.google_cloudfunctions2_function;
  t.deepEqual(Object.keys(fns).sort(), ['reconcile', 'sync']);
  for (const [name, fn] of Object.entries(fns)) {
    const build = first(fn.build_config);
    const svc = first(fn.service_config);
    t.is(build.runtime, 'nodejs22', name);
    t.is(build.entry_point, name);
    t.is(svc.ingress_settings, 'ALLOW_INTERNAL_ONLY', name);
    t.is(svc.service_account_email, `\${google_service_account.${name}.email}`);
  }
  t.is(first(fns.sync.service_config).available_memory, '256M');
  t.is(first(fns.reconcile.service_config).available_memory, '512M');
  t.is(first(fns.reconcile.service_config).max_instance_count, 1);
  t.is(first(fns.sync.service_config).max_instance_count, '${var.sync_max_instances}');
});

test('reconcile: Pub/Sub event trigger on reconcile-ticks with retries', (t) => {
  const trigger = first(mod.resource.google_cloudfunctions2_function.reconcile.event_trigger);
  t.is(trigger.retry_policy, 'RETRY_POLICY_RETRY');
  t.is(trigger.event_type, 'google.cloud.pubsub.topic.v1.messagePublished');
  t.is(trigger.pubsub_topic, '${google_pubsub_topic.reconcile_ticks.id}');
  const job = mod.resource.google_cloud_scheduler_job.reconcile;
  t.is(first(job.pubsub_target).topic_name, '${google_pubsub_topic.reconcile_ticks.id}');
  t.is(mod.resource.google_pubsub_topic.reconcile_ticks.name, 'reconcile-ticks');
});

test('sync: delivered by our own push subscription with OIDC, ordering, retries and dead-lettering', (t) => {
  t.is(mod.resource.google_cloudfunctions2_function.sync.event_trigger, undefined);
  const sub = mod.resource.google_pubsub_subscription.sync_push;
  t.is(sub.topic, '${google_pubsub_topic.route_events.id}');
  t.true(sub.enable_message_ordering);
  const push = first(sub.push_config);
  t.regex(
    String(push.push_endpoint),
    /^\$\{google_cloudfunctions2_function\.sync\.service_config\[0\]\.uri\}\/projects\//,
  );
  t.is(first(push.oidc_token).service_account_email, '${google_service_account.sync_invoker.email}');
  const dl = first(sub.dead_letter_policy);
  t.is(dl.dead_letter_topic, '${google_pubsub_topic.route_events_dead_letter.id}');
  t.truthy(first(sub.retry_policy).minimum_backoff);
  t.is(mod.resource.google_pubsub_topic.route_events.name, 'route-events');
  // Dead letters are kept: some subscription reads the dead-letter topic.
  const keepers = Object.values(mod.resource.google_pubsub_subscription).filter(
    (s) => s.topic === '${google_pubsub_topic.route_events_dead_letter.id}',
  );
  t.is(keepers.length, 1);
  t.is(first(keepers[0].expiration_policy).ttl, '');
  // The Pub/Sub service agent can forward to the DLQ and ack the source.
  const agent = '${local.pubsub_service_agent}';
  t.like(mod.resource.google_pubsub_topic_iam_member.dead_letter_publisher, {
    role: 'roles/pubsub.publisher',
    member: agent,
  });
  t.like(mod.resource.google_pubsub_subscription_iam_member.dead_letter_subscriber, {
    role: 'roles/pubsub.subscriber',
    member: agent,
  });
});

const ROLE_ALLOW_LIST = new Set([
  'roles/container.clusterViewer',
  'roles/run.invoker',
  'roles/eventarc.eventReceiver',
  'roles/pubsub.publisher',
  'roles/pubsub.subscriber',
  'roles/iam.serviceAccountTokenCreator',
  'roles/iam.workloadIdentityUser',
  '${google_project_iam_custom_role.functions.id}',
]);

test('every IAM grant is additive and uses an allow-listed role', (t) => {
  const grants = Object.entries(mod.resource).filter(([type]) => /_iam_(member|binding|policy)$/.test(type));
  t.true(grants.flatMap(([, byName]) => Object.keys(byName)).length >= 10);
  for (const [type, byName] of grants) {
    t.regex(type, /_iam_member$/, `${type}: only additive *_iam_member grants`);
    for (const [name, g] of Object.entries(byName))
      t.true(ROLE_ALLOW_LIST.has(String(g.role)), `${type}.${name}: ${g.role}`);
  }
});

// Every string literal of an HCL list expression (hcl2json keeps expressions as text).
const literals = (expr: unknown): string[] =>
  Array.isArray(expr) ? expr.map(String) : [...String(expr).matchAll(/"([a-zA-Z.]+)"/g)].map((m) => m[1]);

const literalRanges = (expr: unknown): string[] =>
  Array.isArray(expr) ? expr.map(String) : [...String(expr).matchAll(/"([0-9a-f.:/]+)"/g)].map((m) => m[1]);

const COMPUTE_PERMISSIONS = [
  'compute.backendServices.create',
  'compute.backendServices.delete',
  'compute.backendServices.get',
  'compute.backendServices.list',
  'compute.backendServices.update',
  'compute.backendServices.use',
  'compute.globalOperations.get',
  'compute.healthChecks.create',
  'compute.healthChecks.delete',
  'compute.healthChecks.get',
  'compute.healthChecks.list',
  'compute.healthChecks.update',
  'compute.healthChecks.useReadOnly',
  'compute.networkEndpointGroups.get',
  'compute.networkEndpointGroups.use',
];

test('the custom role: the Network Services calls, and no Mesh delete (nothing plans one)', (t) => {
  const perms = literals(mod.locals.networkservices_permissions);
  t.true(perms.length >= 16);
  for (const p of perms)
    t.regex(
      p,
      /^networkservices\.(meshes|httpRoutes|grpcRoutes|tcpRoutes|tlsRoutes|operations)\.(get|list|create|update|delete|use)$/,
    );
  t.true(perms.includes('networkservices.operations.get'));
  // readActualState lists every route collection (shared/netsvc/kinds.ts): a missing list permission
  // would make every reconcile's actual state incomplete.
  for (const kind of ['httpRoutes', 'grpcRoutes', 'tcpRoutes', 'tlsRoutes'])
    t.true(perms.includes(`networkservices.${kind}.list`), kind);
  t.false(perms.includes('networkservices.meshes.delete'));
  // The planner never deletes a Mesh: only route kinds are ever planned for deletion.
  const planner = readFileSync(path.join(root, 'shared/plan/index.ts'), 'utf8');
  t.regex(planner, /for \(const kind of ROUTE_COLLECTIONS\)[\s\S]*deletes\.push/);
  t.notRegex(planner, /deletes\.push\(item\('meshes'/);
  // Mesh writes only with manage_mesh.
  t.regex(
    String(mod.locals.networkservices_permissions),
    /var\.manage_mesh \? \[\s*"networkservices\.meshes\.create",\s*"networkservices\.meshes\.update",?\s*\]/,
  );
});

test('the custom role: exactly the Compute calls of the backend-services stage, nothing broader', (t) => {
  t.deepEqual(literals(mod.locals.compute_permissions).sort(), COMPUTE_PERMISSIONS);
  // No firewall, network or instance power: the firewall rule is Terraform's job.
  t.notRegex(JSON.stringify(mod.locals), /compute\.(firewalls|networks|instances|subnetworks)\./);
  const role = mod.resource.google_project_iam_custom_role.functions;
  t.is(role.permissions, '${local.function_permissions}');
  const all = String(mod.locals.function_permissions);
  for (const part of [
    'local.networkservices_permissions',
    'local.compute_permissions',
    'var.extra_role_permissions',
  ])
    t.true(all.includes(part), part);
});

test('the custom role id is unique per cluster: readable id plus a hash of the whole id', (t) => {
  const role = mod.resource.google_project_iam_custom_role.functions;
  t.is(role.role_id, '${local.function_role_id}');
  t.is(
    mod.locals.function_role_id,
    'gammaCsm_${substr(replace(var.cluster_id, "-", "_"), 0, 40)}_${substr(sha256(var.cluster_id), 0, 8)}',
  );
  // Longest id: 9 + 40 + 1 + 8 characters, within IAM's 64.
  t.true('gammaCsm_'.length + 40 + 1 + 8 <= 64);
  t.regex(String(role.title), /\$\{var\.cluster_id\}/);
});

test('compute.googleapis.com is enabled', (t) => {
  t.true(String(mod.locals.required_apis).includes('"compute.googleapis.com"'));
});

test('health-check firewall: optional, probe ranges over TCP to the given network and tags', (t) => {
  const v = mod.variable.health_check_firewall;
  t.is(v.default, null);
  t.truthy(v.validation, 'target tags and ports are validated');
  const fw = mod.resource.google_compute_firewall.health_checks;
  t.is(fw.for_each, '${local.health_check_firewall_rules}');
  t.is(fw.direction, 'INGRESS');
  t.is(fw.network, '${var.health_check_firewall.network}');
  t.is(fw.target_tags, '${var.health_check_firewall.target_tags}');
  t.is(fw.source_ranges, '${each.value.ranges}');
  const allow = first(fw.allow);
  t.is(allow.protocol, 'tcp');
  t.deepEqual(literalRanges(mod.locals.health_check_ranges_ipv4), ['35.191.0.0/16', '130.211.0.0/22']);
  t.deepEqual(literalRanges(mod.locals.health_check_ranges_ipv6), [
    '2600:2d00:1:b029::/64',
    '2600:2d00:1:1::/64',
  ]);
  // No rule at all when the variable is null; the IPv6 rule only when asked.
  const rules = String(mod.locals.health_check_firewall_rules);
  t.regex(
    rules,
    /if var\.health_check_firewall != null && \(family == "ipv4" \|\| try\(var\.health_check_firewall\.ipv6, false\)\)/,
  );
  t.false(/0\.0\.0\.0\/0/.test(JSON.stringify(fw)), 'never open to the internet');
});

test('private clusters: the DNS endpoint replaces the IP endpoint and drops the CA', (t) => {
  t.is(mod.variable.use_dns_endpoint.default, false);
  t.is(
    mod.locals.dns_endpoint,
    '${try(local.looked_up.control_plane_endpoints_config[0].dns_endpoint_config[0].endpoint, null)}',
  );
  const endpoint = String(mod.locals.cluster_endpoint);
  t.regex(endpoint, /var\.use_dns_endpoint \? local\.dns_endpoint : try\(local\.looked_up\.endpoint, null\)/);
  t.regex(String(mod.locals.cluster_ca), /^\$\{\(\s*local\.uses_dns_endpoint \? null :/);
  // GAMMA_CLUSTER_CA is set only when there is a CA (shared/config accepts none for *.gke.goog only).
  const env = String(mod.locals.function_env);
  t.regex(env, /local\.cluster_ca == null \? \{\} : \{ GAMMA_CLUSTER_CA = local\.cluster_ca \}/);
  t.false(/GAMMA_CLUSTER_CA\s*=\s*local\.cluster_ca\n/.test(env));
  // A cluster without a DNS endpoint fails at plan time with what to do.
  const pre = first(mod.resource.google_cloudfunctions2_function.sync.lifecycle).precondition as Block[];
  t.true(pre.some((p) => String(p.error_message).includes('--enable-dns-access')));
  // The lookup needs a provider that knows control_plane_endpoints_config (6.11+).
  for (const dir of [moduleDir, exampleDir]) {
    const text = Object.entries(dir === moduleDir ? mod.files : example.files)
      .map(([, x]) => x)
      .join('\n');
    t.regex(text, /version = ">= 6\.11, < 8\.0"/);
  }
});

test('GAMMA_AUTO_NEG is off unless auto_neg, and its RBAC is a separate output', (t) => {
  t.is(mod.variable.auto_neg.default, false);
  t.regex(String(mod.locals.function_env), /var\.auto_neg \? \{ GAMMA_AUTO_NEG = "true" \} : \{\}/);
  t.truthy(mod.output.functions_auto_neg_rbac_yaml);
  t.regex(String(mod.output.functions_auto_neg_rbac_yaml.value), /functions-auto-neg-rbac\.yaml\.tftpl/);
  t.notRegex(String(mod.output.functions_rbac_yaml.value), /auto-neg/);
});

test("no GAMMA_COMPUTE_ENDPOINT in Terraform: the functions use Google's default", (t) => {
  for (const text of Object.values(mod.files)) t.false(text.includes('GAMMA_COMPUTE_ENDPOINT'));
});

test('the watcher may publish to route-events only, through Workload Identity', (t) => {
  const topicGrants = Object.values(mod.resource.google_pubsub_topic_iam_member).filter((g) =>
    String(g.member).includes('google_service_account.watcher'),
  );
  t.deepEqual(
    topicGrants.map((g) => [g.topic, g.role]),
    [['${google_pubsub_topic.route_events.name}', 'roles/pubsub.publisher']],
  );
  const projectGrants = Object.values(mod.resource.google_project_iam_member).filter((g) =>
    String(g.member).includes('watcher'),
  );
  t.deepEqual(projectGrants, []);
  const wi = mod.resource.google_service_account_iam_member.watcher_workload_identity;
  t.is(wi.role, 'roles/iam.workloadIdentityUser');
  t.is(
    wi.member,
    'serviceAccount:${var.project}.svc.id.goog[${var.watcher_namespace}/${var.watcher_service_account}]',
  );
});

test('required APIs are enabled', (t) => {
  const expr = String(mod.locals.required_apis);
  for (const api of [
    'networkservices',
    'cloudfunctions',
    'run',
    'eventarc',
    'pubsub',
    'cloudscheduler',
    'cloudbuild',
    'artifactregistry',
    'container',
    'iam',
    'compute',
  ]) {
    t.true(expr.includes(`"${api}.googleapis.com"`), api);
  }
  t.is(mod.resource.google_project_service.required.for_each, '${local.required_apis}');
});

test('every variable has a description and a type', (t) => {
  for (const [where, c] of [
    ['module', mod],
    ['example', example],
  ] as const) {
    t.true(Object.keys(c.variable).length > 0);
    for (const [name, v] of Object.entries(c.variable)) {
      t.true(
        typeof v.description === 'string' && v.description.length > 10,
        `${where} variable ${name} lacks a description`,
      );
      t.true(typeof v.type === 'string' && v.type.startsWith('${'), `${where} variable ${name} lacks a type`);
    }
  }
  for (const name of [
    'project',
    'region',
    'cluster',
    'cluster_id',
    'mesh',
    'manage_mesh',
    'reconcile_schedule',
    'rate_limit_rps',
    'max_delete_fraction',
    'function_source_bucket',
    'watcher_namespace',
    'watcher_service_account',
  ]) {
    t.truthy(mod.variable[name], `module variable ${name}`);
  }
  for (const name of [
    'project',
    'cluster_id',
    'mesh',
    'rate_limit_rps',
    'max_delete_fraction',
    'controller_name',
  ]) {
    t.truthy(mod.variable[name].validation, `module variable ${name} is validated`);
  }
});

test('every reference resolves to something declared', (t) => {
  for (const [where, c] of [
    ['module', mod],
    ['example', example],
  ] as const) {
    const text = JSON.stringify({
      r: c.resource,
      d: c.data,
      o: c.output,
      m: c.module,
      l: c.locals,
      v: c.variable,
    });
    const refs = [...text.matchAll(/\$\{[^}]*\}/g)].map((m) => m[0]).join(' ');
    for (const m of refs.matchAll(/(?<![\w.])(data\.)?(google_[a-z0-9_]+)\.([a-z0-9_]+)/g)) {
      const table = m[1] ? c.data : c.resource;
      t.truthy(table[m[2]]?.[m[3]], `${where}: ${m[0]} is not declared`);
    }
    for (const m of refs.matchAll(/(?<![\w.])var\.([a-z0-9_]+)/g))
      t.truthy(c.variable[m[1]], `${where}: var.${m[1]}`);
    for (const m of refs.matchAll(/(?<![\w.])local\.([a-z0-9_]+)/g))
      t.true(m[1] in c.locals, `${where}: local.${m[1]}`);
    for (const m of refs.matchAll(/(?<![\w.])module\.([a-z0-9_]+)/g))
      t.truthy(c.module[m[1]], `${where}: module.${m[1]}`);
  }
  // The example passes every required module variable.
  const passed = example.module.gamma_csm;
  for (const [name, v] of Object.entries(mod.variable))
    if (!('default' in v)) t.true(name in passed, `example passes ${name}`);
});

const hasTerraform = existsSync('/usr/local/bin/terraform');
(hasTerraform ? test : test.skip)(
  `terraform fmt -check passes${hasTerraform ? '' : ' (skipped: no terraform binary at /usr/local/bin/terraform)'}`,
  (t) => {
    const r = spawnSync('/usr/local/bin/terraform', ['fmt', '-check', '-recursive', tfRoot], {
      encoding: 'utf8',
      timeout: 20000,
    });
    t.is(r.status, 0, `unformatted: ${r.stdout}`);
  },
);
