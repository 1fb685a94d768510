// Structure tests of the Terraform (no providers can be downloaded here, so no plan): every .tf file
// is parsed with @cdktf/hcl2json and checked for the security and delivery properties we rely on.
import test from 'ava';
import { parse } from '@cdktf/hcl2json';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const tfRoot = path.join(root, 'infra/terraform');
const moduleDir = path.join(tfRoot, 'modules/gamma-csm');
const exampleDir = path.join(tfRoot, 'examples/basic');

type Block = Record<string, unknown>;
interface Config {
  files: Record<string, string>;
  resource: Record<string, Record<string, Block>>;
  data: Record<string, Record<string, Block>>;
  variable: Record<string, Block>;
  locals: Block;
  output: Record<string, Block>;
  module: Record<string, Block>;
}

function tfFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.tf'))
    .map((f) => path.join(dir, f));
}

// hcl2json gives every block as an array of bodies; merge the files of one directory into one view.
async function loadDir(dir: string): Promise<Config> {
  const c: Config = { files: {}, resource: {}, data: {}, variable: {}, locals: {}, output: {}, module: {} };
  for (const file of tfFiles(dir)) {
    const text = readFileSync(file, 'utf8');
    c.files[file] = text;
    const json = (await parse(file, text)) as Record<string, Record<string, unknown>>;
    for (const kind of ['resource', 'data'] as const) {
      for (const [type, byName] of Object.entries(json[kind] ?? {})) {
        for (const [name, bodies] of Object.entries(byName as Record<string, Block[]>)) {
          (c[kind][type] ??= {})[name] = bodies[0];
        }
      }
    }
    for (const kind of ['variable', 'output', 'module'] as const) {
      for (const [name, bodies] of Object.entries((json[kind] ?? {}) as Record<string, Block[]>))
        c[kind][name] = bodies[0];
    }
    for (const l of (json.locals ?? []) as unknown as Block[]) Object.assign(c.locals, l);
  }
  return c;
}

const first = (x: unknown): Block => (Array.isArray(x) ? (x[0] as Block) : (x as Block));

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
  '${google_project_iam_custom_role.networkservices.id}',
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

test('the custom role holds only Network Services permissions', (t) => {
  const expr = String(mod.locals.networkservices_permissions);
  const perms = [...expr.matchAll(/"([a-zA-Z.]+)"/g)].map((m) => m[1]);
  t.true(perms.length >= 14);
  for (const p of perms)
    t.regex(
      p,
      /^networkservices\.(meshes|httpRoutes|grpcRoutes|operations)\.(get|list|create|update|delete|use)$/,
    );
  t.true(perms.includes('networkservices.operations.get'));
  t.is(
    mod.resource.google_project_iam_custom_role.networkservices.permissions,
    '${local.networkservices_permissions}',
  );
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
