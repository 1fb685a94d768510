// `gamma-csm plan` and `gamma-csm apply` (docs/cli.md): sources -> snapshot -> translate -> list the
// API -> plan -> (apply). Only composition and terminal I/O live here; the logic is in shared/.
import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { type AccessFlags, accessOptions, addAccessOptions } from './access-options.ts';
import { createInterface } from 'node:readline/promises';
import { CliError } from '../errors.ts';
import { isEmptyPlan, plan as computePlan, type Plan } from '../../shared/plan/index.ts';
import { isEmptyComputePlan } from '../../shared/compute/plan.ts';
import type { ComputeItemResult } from '../../shared/compute/apply.ts';
import type { ComputeClient } from '../../shared/compute/client.ts';
import type { ComputeStageResult } from '../../shared/compute/stage.ts';
import { formatPlanText, planJson } from '../../shared/plan/format.ts';
import type { NetsvcClient } from '../../shared/netsvc/client.ts';
import type { ApplyResult } from '../../shared/netsvc/apply.ts';
import type { Desired, Snapshot, TranslateOptions } from '../../shared/translate/types.ts';
import type { KubeObject } from '../../shared/gamma/types.ts';
import { DEFAULT_CONTROLLER_NAME } from '../../shared/translate/types.ts';

export interface PlanCliOptions extends AccessFlags {
  filename?: string[];
  recursive?: boolean;
  kubeconfig?: string;
  endpoint?: string;
  project?: string;
  location: string;
  mesh: string;
  cluster: string;
  clusterDomain: string;
  namespace: string;
  manageMesh?: boolean;
  adopt?: boolean;
  forceDelete?: boolean;
  maxDeleteFraction: number;
  maxDeleteAbsolute: number;
  output: 'text' | 'json';
  detailedExitcode?: boolean;
  yes?: boolean;
  computeEndpoint?: string;
  backendServices: 'provision' | 'off';
}

/** The route plan and, when backend services are provisioned, the Compute plan around it. */
export interface CliPlan {
  plan: Plan;
  client: NetsvcClient;
  backends?: { stage: ComputeStageResult; client: ComputeClient };
}

// Same defaults as `gamma-csm translate`, so both commands describe the same resources.
const DEFAULT_MESH = 'gamma-mesh';
const DEFAULT_CLUSTER = 'default';

function parseFraction(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError('expected a number from 0 to 1');
  return n;
}

function parseCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number >= 0');
  return n;
}

function addCommonOptions(cmd: Command): Command {
  return addAccessOptions(cmd)
    .option('-f, --filename <paths...>', 'manifest files or directories (YAML/JSON; - for stdin)')
    .option('-R, --recursive', "read directories' subdirectories too (as kubectl -R)")
    .option('--kubeconfig <file>', 'read the routes from the cluster this kubeconfig points at')
    .option('--endpoint <url>', 'Network Services root URL (an emulator; no auth is sent)')
    .option('--project <id>', 'Google Cloud project (default: $GOOGLE_CLOUD_PROJECT)')
    .option('--location <loc>', 'location of the resources', 'global')
    .option('--mesh <id>', 'Mesh id', DEFAULT_MESH)
    .option('--cluster <id>', 'cluster id: part of every name and ownership label', DEFAULT_CLUSTER)
    .option('--cluster-domain <domain>', 'Kubernetes cluster DNS domain', 'cluster.local')
    .option('-n, --namespace <ns>', 'namespace for objects that name none (-f only)', 'default')
    .option('--manage-mesh', 'create/update the Mesh too (default: it must exist)')
    .option('--adopt', 'take over unlabelled resources whose names collide with ours')
    .option('--force-delete', 'allow a plan that deletes most owned resources')
    .option('--max-delete-fraction <f>', 'share of owned resources one run may delete', parseFraction, 0.5)
    .option('--max-delete-absolute <n>', 'number of owned resources one run may delete', parseCount, 5)
    .option('--compute-endpoint <url>', 'Compute root URL (an emulator; no auth is sent)')
    .addOption(
      new Option(
        '--backend-services <mode>',
        'provision: also plan the backend services and health checks the routes need (docs/backends.md); off: routes only',
      )
        .choices(['provision', 'off'])
        .default('provision'),
    )
    .addOption(
      new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'),
    );
}

/** Exactly one source, a project: checked before anything is read. */
function checkInput(o: PlanCliOptions): { project: string } {
  const hasFiles = (o.filename?.length ?? 0) > 0;
  if (hasFiles === Boolean(o.kubeconfig))
    throw new CliError('give exactly one source: -f PATH... or --kubeconfig FILE');
  const project = o.project ?? process.env.GOOGLE_CLOUD_PROJECT;
  if (!project) throw new CliError('no project: pass --project or set GOOGLE_CLOUD_PROJECT');
  return { project };
}

/** Parsed objects -> defaulted, validated Snapshot; any invalid object stops the run (exit 1). */
async function validatedSnapshot(objects: KubeObject[], defaultNamespace = 'default'): Promise<Snapshot> {
  const { buildSnapshot } = await import('../../shared/gamma/index.ts');
  const built = buildSnapshot(objects, { defaultNamespace });
  if (built.errors.length) throw new CliError(built.errors.map((e) => e.message).join('\n'));
  for (const w of built.warnings) process.stderr.write(`warning: ${w.message}\n`);
  return built.snapshot;
}

async function snapshotFromFiles(
  paths: string[],
  defaultNamespace: string,
  recursive: boolean,
): Promise<Snapshot> {
  const { loadManifestPaths } = await import('../../shared/gamma/index.ts');
  const parsed = await loadManifestPaths(paths, { recursive });
  if (parsed.errors.length) throw new CliError(parsed.errors.map((e) => e.message).join('\n'));
  for (const w of parsed.warnings ?? []) process.stderr.write(`warning: ${w.message}\n`);
  return validatedSnapshot(parsed.objects, defaultNamespace);
}

/**
 * Reads every Service and mesh route of the cluster. A failed or partial read throws (and stops
 * the run): it must never look like "no routes", which would plan deleting everything.
 */
export async function snapshotFromCluster(kubeconfigPath: string): Promise<Snapshot> {
  const { makeKubeConfig, readClusterSnapshot } = await import('../../shared/cluster/index.ts');
  let read: Snapshot;
  try {
    read = await readClusterSnapshot(makeKubeConfig({ kubeconfigPath }));
  } catch (e) {
    throw new CliError(
      `reading the cluster from ${kubeconfigPath} failed: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  return validatedSnapshot([
    ...read.services,
    ...read.httpRoutes,
    ...read.grpcRoutes,
    ...(read.tcpRoutes ?? []),
    ...(read.tlsRoutes ?? []),
    ...(read.namespaces ?? []),
    ...(read.referenceGrants ?? []),
  ]);
}

async function readSnapshot(o: PlanCliOptions): Promise<Snapshot> {
  return o.kubeconfig
    ? await snapshotFromCluster(o.kubeconfig)
    : await snapshotFromFiles(o.filename ?? [], o.namespace, Boolean(o.recursive));
}

function translateOptions(o: PlanCliOptions, project: string): TranslateOptions {
  return {
    project,
    location: o.location,
    mesh: o.mesh,
    clusterId: o.cluster,
    controllerName: DEFAULT_CONTROLLER_NAME,
    clusterDomain: o.clusterDomain,
    // A cluster has a NEG controller that reports NEGs; manifests can only ask for them.
    ...(o.backendServices === 'off' ? {} : { negCheck: o.kubeconfig ? 'reported' : 'requested' }),
    ...accessOptions(o),
  };
}

/**
 * The Compute plan (deletes included, under the same guard as routes: the CLI sees the whole
 * picture) and the translation with unusable backend services unresolved.
 */
async function planWithBackends(
  o: PlanCliOptions,
  snapshot: Snapshot,
  options: TranslateOptions,
  desired: Desired,
): Promise<{ desired: Desired; backends: CliPlan['backends'] }> {
  const { ComputeClient } = await import('../../shared/compute/client.ts');
  const { planBackends, readComputeState } = await import('../../shared/compute/stage.ts');
  const { serviceFinder } = await import('../../shared/compute/desired.ts');
  const client = new ComputeClient({ project: options.project, endpoint: o.computeEndpoint });
  const actual = await readComputeState(client);
  if (actual.error)
    throw new CliError(`listing Compute backend services and health checks failed: ${actual.error}`);
  const stage = planBackends(serviceFinder(snapshot.services), desired.backends, actual.state, {
    project: options.project,
    clusterId: o.cluster,
    deletes: true,
    forceDelete: Boolean(o.forceDelete),
    maxDeleteFraction: o.maxDeleteFraction,
    maxDeleteAbsolute: o.maxDeleteAbsolute,
  });
  if (Object.keys(stage.unavailable).length === 0) return { desired, backends: { stage, client } };
  const { translate } = await import('../../shared/translate/index.ts');
  const again = translate(snapshot, { ...options, unavailableBackendServices: stage.unavailable });
  return { desired: again, backends: { stage, client } };
}

/** `snapshot`: already read from the same source (doctor reads it once for its own checks too). */
export async function computeCliPlan(o: PlanCliOptions, read?: Snapshot): Promise<CliPlan> {
  const { project } = checkInput(o);
  const snapshot = read ?? (await readSnapshot(o));
  const options = translateOptions(o, project);
  const { translate } = await import('../../shared/translate/index.ts');
  let desired = translate(snapshot, options);
  let backends: CliPlan['backends'];
  if (o.backendServices !== 'off')
    ({ desired, backends } = await planWithBackends(o, snapshot, options, desired));
  // Loaded on use: googleapis is heavy, and other commands (and --help) should not pay for it.
  const { NetsvcClient } = await import('../../shared/netsvc/client.ts');
  const { readActualState } = await import('../../shared/netsvc/apply.ts');
  const client = new NetsvcClient({ project, location: o.location, endpoint: o.endpoint });
  const actual = await readActualState(client);
  const plan = computePlan(desired, actual.state, {
    clusterId: o.cluster,
    manageMesh: Boolean(o.manageMesh),
    adopt: Boolean(o.adopt),
    forceDelete: Boolean(o.forceDelete),
    maxDeleteFraction: o.maxDeleteFraction,
    maxDeleteAbsolute: o.maxDeleteAbsolute,
  });
  if (actual.error) plan.errors.unshift(`listing Network Services resources failed: ${actual.error}`);
  return { plan, client, backends };
}

function printPlan(o: PlanCliOptions, p: CliPlan): void {
  const compute = p.backends?.stage.plan;
  if (o.output === 'json') process.stdout.write(JSON.stringify(planJson(p.plan, compute), null, 2) + '\n');
  else process.stdout.write(formatPlanText(p.plan, compute));
}

function hasChanges(p: CliPlan): boolean {
  return !isEmptyPlan(p.plan) || (p.backends !== undefined && !isEmptyComputePlan(p.backends.stage.plan));
}

/** A plan with errors is not a plan: the errors go to stderr (and into the JSON), exit 1. */
function failOnPlanErrors(o: PlanCliOptions, p: CliPlan): void {
  if (p.plan.errors.length === 0) return;
  if (o.output === 'json') printPlan(o, p);
  throw new CliError(p.plan.errors.join('\n'));
}

async function runPlan(o: PlanCliOptions): Promise<void> {
  const p = await computeCliPlan(o);
  failOnPlanErrors(o, p);
  printPlan(o, p);
  if (o.detailedExitcode && hasChanges(p)) process.exitCode = 2;
}

export async function confirmed(
  o: Pick<PlanCliOptions, 'yes'>,
  ask = { action: 'apply', question: 'Apply these changes?' },
): Promise<boolean> {
  if (o.yes) return true;
  if (!process.stdin.isTTY) {
    throw new CliError(`refusing to ${ask.action} without confirmation: stdin is not a terminal; pass --yes`);
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const answer = await rl.question(`${ask.question} Only "yes" is accepted: `);
  rl.close();
  return answer.trim() === 'yes';
}

function formatApplyText(result: ApplyResult, compute: ComputeItemResult[]): string {
  const items = [...compute, ...result.items];
  const lines = items
    .filter((i) => i.status !== 'done')
    .map((i) => `x ${i.status} ${i.action} ${i.kind}/${i.id}: ${i.error ?? ''}`);
  const count = (s: string) => items.filter((i) => i.status === s).length;
  lines.push(
    `Apply ${count('failed') + count('skipped') === 0 ? 'complete' : 'incomplete'}: ${count('done')} done, ${count('failed')} failed, ` +
      `${count('skipped')} skipped (${result.ms} ms).`,
  );
  return lines.join('\n') + '\n';
}

/** Refused items mean the sources cannot be fully applied: apply says so with a non-zero exit. */
function failOnRefusals(p: CliPlan): void {
  const refused = p.plan.refused.length + (p.backends?.stage.plan.refused.length ?? 0);
  if (refused) {
    throw new CliError(`${refused} item(s) refused and left alone; see the "! refused" lines`);
  }
}

/** Compute writes, the routes, then Compute deletes: nothing is deleted while a route names it. */
async function applyAll(
  p: CliPlan,
  clusterId: string,
  tty: boolean,
): Promise<{ result: ApplyResult; compute: ComputeItemResult[] }> {
  const { applyPlan } = await import('../../shared/netsvc/apply.ts');
  const { applyComputePhases } = await import('../../shared/compute/apply.ts');
  const { computePhases } = await import('../../shared/compute/plan.ts');
  const phases = p.backends ? computePhases(p.backends.stage.plan) : undefined;
  const compute: ComputeItemResult[] = [];
  if (p.backends && phases)
    compute.push(...(await applyComputePhases(p.backends.client, phases.beforeRoutes, { clusterId })));
  const result = await applyPlan(p.client, p.plan, {
    onProgress: tty ? (done, total) => process.stderr.write(`\r${done}/${total}`) : undefined,
  });
  if (p.backends && phases)
    compute.push(...(await applyComputePhases(p.backends.client, phases.afterRoutes, { clusterId })));
  return { result, compute };
}

async function runApply(o: PlanCliOptions): Promise<void> {
  const p = await computeCliPlan(o);
  failOnPlanErrors(o, p);
  if (!hasChanges(p)) {
    printPlan(o, p);
    return failOnRefusals(p);
  }
  if (o.output === 'text') printPlan(o, p);
  if (!(await confirmed(o))) throw new CliError('apply cancelled; nothing was written');
  const tty = Boolean(process.stderr.isTTY);
  const { result, compute } = await applyAll(p, o.cluster, tty);
  if (tty) process.stderr.write('\n');
  const ok = result.ok && compute.every((i) => i.status === 'done');
  if (o.output === 'json')
    process.stdout.write(
      JSON.stringify({ plan: planJson(p.plan, p.backends?.stage.plan), result, compute }, null, 2) + '\n',
    );
  else process.stdout.write(formatApplyText(result, compute));
  if (!ok) process.exitCode = 1;
  failOnRefusals(p);
}

export function registerPlanApply(program: Command): void {
  addCommonOptions(program.command('plan').description('show what apply would change (no writes)'))
    .option('--detailed-exitcode', 'exit 0 when there are no changes, 2 when there are, 1 on error')
    .action((o: PlanCliOptions) => runPlan(o));
  addCommonOptions(program.command('apply').description('make Network Services match the routes'))
    .option('--yes', 'apply without asking for confirmation')
    .action((o: PlanCliOptions) => runApply(o));
}
