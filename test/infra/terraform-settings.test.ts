// The Terraform module passes every setting the functions read (docs/security.md §7): the variables
// shared/config reads for sync and reconcile are each set by the module or allow-listed here with a
// reason, and the optional settings reach the functions as shared/config accepts them. With a
// terraform binary the module's own expressions are evaluated (terraform console, offline).
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULTS, loadConfig } from '../../shared/config/index.ts';
import { ROUTE_LIMIT_INFO } from '../../shared/translate/limits.ts';
import { first, loadDir, moduleDir, type Block, type Config } from './hcl.ts';

/** Read by the functions' configuration but deliberately not set by the module. */
const LEFT_TO_DEFAULT: Record<string, string> = {
  GOOGLE_CLOUD_PROJECT: 'alternative to GAMMA_PROJECT, which the module sets',
  GAMMA_KUBECONFIG: 'the functions reach the cluster through GAMMA_CLUSTER_ENDPOINT (+ GAMMA_CLUSTER_CA)',
  GAMMA_NETSVC_ENDPOINT: "emulators only; deployed functions use Google's endpoint",
  GAMMA_COMPUTE_ENDPOINT: "emulators only; deployed functions use Google's endpoint",
  PUBSUB_EMULATOR_HOST: 'emulators only',
  GAMMA_ROUTE_EVENTS_TOPIC: 'read by every component, used only by the watcher (output watcher_env)',
  GAMMA_FORCE_DELETE: 'an override of the delete guards for one deliberate run, never a standing setting',
};

const FULL_ENV = {
  GAMMA_PROJECT: 'my-project-1',
  GAMMA_MESH: 'm',
  GAMMA_CLUSTER_ID: 'c1',
  GAMMA_CLUSTER_ENDPOINT: 'gke-abc.us-central1.gke.goog',
};

/** Every environment variable loadConfig reads for a function, from an empty and a complete environment. */
function variablesRead(): Set<string> {
  const read = new Set<string>();
  for (const component of ['sync', 'reconcile'] as const) {
    for (const base of [{}, FULL_ENV] as Record<string, string>[]) {
      const env = new Proxy(base, {
        get: (target, key) => {
          if (typeof key === 'string') read.add(key);
          return target[key as string];
        },
      });
      try {
        loadConfig(env, component);
      } catch {
        // the empty environment is refused; what it read still counts
      }
    }
  }
  return read;
}

/** The variables the module sets on a function: every key of its environment map and of the settings locals. */
function variablesSet(mod: Config, fn: Block): Set<string> {
  const text = [
    String(mod.locals.function_env),
    JSON.stringify(mod.locals.settings_numbers),
    JSON.stringify(mod.locals.settings_strings),
    JSON.stringify(first(fn.service_config).environment_variables),
  ].join('\n');
  return new Set([...text.matchAll(/\b([A-Z][A-Z0-9_]+)"?\s*[=:]/g)].map((m) => m[1]));
}

let mod: Config;
test.before(async () => {
  mod = await loadDir(moduleDir);
});

test('every variable shared/config reads for the functions is set by the module or left to its default on purpose', (t) => {
  t.regex(String(mod.locals.function_env), /local\.settings_env/);
  const read = variablesRead();
  for (const { env } of Object.values(ROUTE_LIMIT_INFO)) t.true(read.has(env), `${env} is read`);
  for (const name of ['sync', 'reconcile']) {
    const set = variablesSet(mod, mod.resource.google_cloudfunctions2_function[name]);
    for (const v of read)
      t.true(
        set.has(v) || v in LEFT_TO_DEFAULT,
        `${v} is read by the ${name} function but neither set by infra/terraform/modules/gamma-csm nor allow-listed`,
      );
    for (const v of Object.keys(LEFT_TO_DEFAULT)) {
      t.true(read.has(v), `allow-listed ${v} is no longer read: drop it from the list`);
      t.false(set.has(v), `allow-listed ${v} is set by the module: drop it from the list`);
    }
  }
});

test('the optional settings default to null (the functions keep their own default) and are validated', (t) => {
  for (const name of [
    'max_ports_per_parent',
    'max_routes_per_snapshot',
    'max_services_per_snapshot',
    'delete_budget',
    'delete_window_seconds',
    'reconcile_interval_seconds',
    'cross_namespace_backends',
    'backend_service_overrides',
    'backend_services',
    'route_limits',
  ]) {
    const v = mod.variable[name];
    t.truthy(v, name);
    t.is(v.default, null, `${name} defaults to null`);
    t.truthy(v.validation, `${name} is validated`);
  }
  // The watcher needs the same cross-namespace mode (it reads ReferenceGrants only then).
  t.regex(
    String(mod.output.watcher_env.value),
    /GAMMA_CROSS_NAMESPACE_BACKENDS = var\.cross_namespace_backends/,
  );
});

// ---- the module's expressions, evaluated by terraform console (no providers, no network) ----

const terraform = '/usr/local/bin/terraform';
const hasTerraform = existsSync(terraform);
const withTerraform = hasTerraform ? test : test.skip;
const skipped = hasTerraform ? '' : ' (skipped: no terraform binary at /usr/local/bin/terraform)';

const REQUIRED_VARS = `project = "my-project-1"
region = "us-central1"
cluster = { name = "c", location = "us-central1" }
cluster_id = "c1"
function_source_bucket = "bucket"
sync_source_object = "a"
reconcile_source_object = "b"
`;

/** Evaluates `expr` against the module's variables.tf and settings.tf with the given -var flags. */
function evaluate(expr: string, vars: string[]): unknown {
  const dir = mkdtempSync(path.join(tmpdir(), 'gamma-tf-'));
  try {
    for (const f of ['variables.tf', 'settings.tf']) copyFileSync(path.join(moduleDir, f), path.join(dir, f));
    writeFileSync(path.join(dir, 'required.tfvars'), REQUIRED_VARS);
    const r = spawnSync(
      terraform,
      ['console', '-no-color', '-var-file=required.tfvars', ...vars.map((v) => `-var=${v}`)],
      {
        cwd: dir,
        input: `jsonencode(${expr})\n`,
        encoding: 'utf8',
        timeout: 20000,
        env: { PATH: process.env.PATH, HOME: dir, CHECKPOINT_DISABLE: '1', TF_CLI_CONFIG_FILE: '/dev/null' },
      },
    );
    if (r.status !== 0) throw new Error(`terraform console failed: ${r.stderr}`);
    return JSON.parse(JSON.parse(r.stdout.trim()) as string) as unknown;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const settingsEnv = (vars: string[]) =>
  evaluate('local.settings_env', vars) as Record<string, string | undefined>;

withTerraform(`GAMMA_RECONCILE_INTERVAL_SECONDS follows reconcile_schedule${skipped}`, (t) => {
  const interval = (vars: string[]) => settingsEnv(vars).GAMMA_RECONCILE_INTERVAL_SECONDS;
  t.is(interval([]), String(DEFAULTS.reconcileIntervalSeconds));
  t.is(interval(['reconcile_schedule=*/5 * * * *']), '300');
  t.is(interval(['reconcile_schedule= */15 * * * * ']), '900');
  t.is(interval(['reconcile_schedule=0 */2 * * *']), '7200');
  t.is(interval(['reconcile_schedule=15 3 * * *', 'reconcile_interval_seconds=86400']), '86400');
  // Any other schedule without the variable: nothing derived, and the reconcile function's
  // precondition fails with what to do.
  t.is(interval(['reconcile_schedule=15 3 * * *']), undefined);
  const pre = first(mod.resource.google_cloudfunctions2_function.reconcile.lifecycle).precondition as Block[];
  const check = pre.find((p) => String(p.condition).includes('local.reconcile_interval_seconds'));
  t.truthy(check, 'reconcile has a precondition on the interval');
  t.regex(String(check?.error_message), /set reconcile_interval_seconds to the longest gap/);
  const condition = String(check?.condition).replace(/^\$\{/, '').replace(/\}$/, '');
  const holds = (vars: string[]) => evaluate(condition, vars) as boolean;
  t.false(holds(['reconcile_schedule=15 3 * * *']));
  t.false(holds(['reconcile_schedule=*/0 * * * *']));
  t.true(holds([]));
  t.true(holds(['reconcile_schedule=15 3 * * *', 'reconcile_interval_seconds=86400']));
});

withTerraform(`the settings reach the functions as shared/config reads them${skipped}`, (t) => {
  const env = settingsEnv([
    'max_ports_per_parent=3',
    'max_routes_per_snapshot=4',
    'max_services_per_snapshot=5',
    'delete_budget=0',
    'delete_window_seconds=60',
    'cross_namespace_backends=referencegrant',
    'backend_service_overrides=["team-a-*","projects/p/locations/global/backendServices/shared"]',
    'backend_services=off',
    'route_limits={rules_per_route=10, route_bytes=2048}',
  ]);
  const config = loadConfig({ ...FULL_ENV, ...env }, 'sync');
  t.deepEqual(config.guards, {
    maxPortsPerParent: 3,
    maxRoutesPerSnapshot: 4,
    maxServicesPerSnapshot: 5,
    deleteBudget: 0,
    deleteWindowSeconds: 60,
    reconcileIntervalSeconds: DEFAULTS.reconcileIntervalSeconds,
  });
  t.is(config.crossNamespaceBackends, 'referencegrant');
  t.deepEqual(config.backendServiceOverrides, [
    'team-a-*',
    'projects/p/locations/global/backendServices/shared',
  ]);
  t.is(config.backendServices, 'off');
  t.deepEqual(config.routeLimits, { rulesPerRoute: 10, routeBytes: 2048 });
  // Left null, nothing is set but the derived interval.
  t.deepEqual(settingsEnv([]), { GAMMA_RECONCILE_INTERVAL_SECONDS: '600' });
  t.deepEqual(settingsEnv(['backend_service_overrides=[]', 'route_limits={}']), {
    GAMMA_RECONCILE_INTERVAL_SECONDS: '600',
  });
});
