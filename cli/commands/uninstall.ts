// `gamma-csm uninstall` (docs/cli.md): deletes everything this cluster id owns in Network Services and
// Compute (shared/doctor/uninstall.ts), plan first, confirmed like apply. Order: routes, backend
// services, health checks, the Mesh. Nothing in the cluster is touched (route status included).
import type { Command } from 'commander';
import { CliError } from '../errors.ts';
import {
  combined,
  isEmptyUninstall,
  uninstallPlan,
  type UninstallPlan,
} from '../../shared/doctor/uninstall.ts';
import { formatPlanText, planJson } from '../../shared/plan/format.ts';
import { DEFAULT_CONTROLLER_NAME } from '../../shared/translate/types.ts';
import { confirmed } from './plan.ts';
import { addTargetOptions, resolveTarget, type Target, type TargetCliOptions } from './target.ts';

interface UninstallCliOptions extends TargetCliOptions {
  yes?: boolean;
  clearStatus?: boolean;
}

/** Removes our controller's entries from every route's status (other controllers' entries stay). */
async function clearStatus(t: Target): Promise<string> {
  if (!t.kubeconfig)
    throw new CliError('--clear-status needs the cluster: pass --kubeconfig FILE (or --local)');
  const { makeKubeConfig, writeRouteStatuses } = await import('../../shared/cluster/index.ts');
  const { readRoutes } = await import('./doctor-gather.ts');
  const routes = await readRoutes(t.kubeconfig);
  if (!routes.ok)
    throw new CliError(`reading the routes failed: ${routes.error}; route status left as it is`);
  const ours = routes.value.filter((r) => r.controllers.includes(DEFAULT_CONTROLLER_NAME));
  const entries = ours.map((r) => ({ kind: r.kind, namespace: r.namespace, name: r.name, parents: [] }));
  const kc = makeKubeConfig({ kubeconfigPath: t.kubeconfig });
  const result = await writeRouteStatuses(kc, entries, { controllerName: DEFAULT_CONTROLLER_NAME });
  const failed = result.failed.map((f) => `${f.kind} ${f.namespace}/${f.name}: ${f.error}`);
  if (failed.length) throw new CliError(`clearing route status failed for ${failed.join('; ')}`);
  return `Cleared gamma-csm's status entries from ${result.written} route(s).`;
}

async function clients(t: Target) {
  const { NetsvcClient } = await import('../../shared/netsvc/client.ts');
  const { ComputeClient } = await import('../../shared/compute/client.ts');
  return {
    netsvc: new NetsvcClient({ project: t.project, location: 'global', endpoint: t.endpoint }),
    compute: new ComputeClient({ project: t.project, endpoint: t.computeEndpoint }),
  };
}

async function readPlan(t: Target, c: Awaited<ReturnType<typeof clients>>): Promise<UninstallPlan> {
  const { readActualState } = await import('../../shared/netsvc/apply.ts');
  const { readComputeState } = await import('../../shared/compute/stage.ts');
  const [ns, compute] = await Promise.all([readActualState(c.netsvc), readComputeState(c.compute)]);
  if (ns.error) throw new CliError(`listing Network Services resources failed: ${ns.error}`);
  if (compute.error)
    throw new CliError(`listing Compute backend services and health checks failed: ${compute.error}`);
  return uninstallPlan(ns.state, compute.state, t.cluster);
}

async function execute(u: UninstallPlan, c: Awaited<ReturnType<typeof clients>>, clusterId: string) {
  const { applyPlan } = await import('../../shared/netsvc/apply.ts');
  const { applyComputePhases } = await import('../../shared/compute/apply.ts');
  const { computePhases } = await import('../../shared/compute/plan.ts');
  const routes = await applyPlan(c.netsvc, u.routes);
  // Backend services, then the health checks they used (computePhases' afterRoutes order).
  const compute = await applyComputePhases(c.compute, computePhases(u.compute).afterRoutes, { clusterId });
  // The Mesh last, and only when everything before it is gone (a route left behind still names it).
  const before = routes.ok && compute.every((i) => i.status === 'done');
  const meshes = before ? await applyPlan(c.netsvc, u.meshes) : undefined;
  return { routes, compute, meshes };
}

function failOnRefusals(u: UninstallPlan): void {
  const refused = combined(u).refused.length + u.compute.refused.length;
  if (refused) throw new CliError(`${refused} item(s) refused and kept; see the "! refused" lines`);
}

async function ask(o: UninstallCliOptions, t: Target): Promise<void> {
  const question = `Delete everything cluster "${t.cluster}" owns${o.clearStatus ? ' and clear its route status' : ''}?`;
  if (!(await confirmed(o, { action: 'uninstall', question })))
    throw new CliError('uninstall cancelled; nothing was deleted');
}

async function runUninstall(o: UninstallCliOptions): Promise<void> {
  const t = resolveTarget(o, { cluster: false });
  const c = await clients(t);
  const u = await readPlan(t, c);
  const plan = combined(u);
  if (plan.errors.length) throw new CliError(plan.errors.join('\n'));
  if (o.output === 'text') process.stdout.write(formatPlanText(plan, u.compute));
  if (isEmptyUninstall(u)) {
    // Nothing left to delete; status can still be cleared (e.g. after an earlier uninstall).
    if (o.clearStatus) await ask(o, t);
    const cleared = o.clearStatus ? await clearStatus(t) : undefined;
    if (o.output === 'json')
      process.stdout.write(JSON.stringify({ plan: planJson(plan, u.compute), cleared }, null, 2) + '\n');
    else if (cleared) process.stdout.write(`${cleared}\n`);
    return failOnRefusals(u);
  }
  await ask(o, t);
  const r = await execute(u, c, t.cluster);
  const cleared = o.clearStatus ? await clearStatus(t) : 'Route status in the cluster was left as it is.';
  const items = [...r.routes.items, ...r.compute, ...(r.meshes?.items ?? [])];
  const failed = items.filter((i) => i.status !== 'done');
  const ok = failed.length === 0 && (r.meshes !== undefined || u.meshes.deletes.length === 0);
  if (o.output === 'json')
    process.stdout.write(
      JSON.stringify({ plan: planJson(plan, u.compute), results: items, ok, cleared }, null, 2) + '\n',
    );
  else {
    for (const i of failed)
      process.stdout.write(`x ${i.status} delete ${i.kind}/${i.id}: ${i.error ?? ''}\n`);
    if (!r.meshes && u.meshes.deletes.length)
      process.stdout.write('Mesh kept: something before it was not deleted.\n');
    process.stdout.write(
      `Uninstall ${ok ? 'complete' : 'incomplete'}: ${items.length - failed.length} deleted, ${failed.length} failed. ` +
        `${cleared}\n`,
    );
  }
  if (!ok) process.exitCode = 1;
  failOnRefusals(u);
}

export function registerUninstall(program: Command): void {
  addTargetOptions(
    program
      .command('uninstall')
      .description('delete every route, backend service, health check and Mesh this cluster id owns'),
  )
    .option('--yes', 'delete without asking for confirmation')
    .option('--clear-status', "also remove gamma-csm's entries from the routes' status (needs the cluster)")
    .action((o: UninstallCliOptions) => runUninstall(o));
}
