// reconcileAll: the scheduled drift repair (docs/architecture.md §2.2, §5.3). The whole cluster (all or nothing) and
// every owned Network Services resource (all pages) -> translate -> plan with the deletion guard ->
// apply -> every route's status -> one summary. A failed read stops the run before anything is
// planned: an unreadable cluster never reads as "no routes".
import { notServedMessage, readClusterSnapshot, writeRouteStatuses } from '../cluster/index.ts';
import type { RouteKind } from '../gamma/types.ts';
import { annotateMissingNegs } from './auto-neg.ts';
import type { ClusterSnapshot, WriteStatusResult } from '../cluster/index.ts';
import type { ComputeItemResult } from '../compute/apply.ts';
import { serviceFinder } from '../compute/desired.ts';
import type { ComputePlan } from '../compute/plan.ts';
import { computePhases, isEmptyComputePlan } from '../compute/plan.ts';
import type { ComputeStageResult } from '../compute/stage.ts';
import { applyBackends, planBackends, readComputeState, runAfterRoutes } from '../compute/stage.ts';
import type { ActualCompute } from '../compute/types.ts';
import { applyPlan, readActualState } from '../netsvc/apply.ts';
import type { ApplyResult } from '../netsvc/apply.ts';
import { plan } from '../plan/index.ts';
import type { Plan } from '../plan/index.ts';
import { translate } from '../translate/index.ts';
import type { Desired } from '../translate/types.ts';
import type { PipelineDeps } from './deps.ts';
import { TransientError, applyFailureKind, errorMessage } from './errors.ts';
import { boundSequences, carrySequences, stampWrites } from './sequence-labels.ts';
import { withTimeout } from './bounded.ts';
import { snapshotRoutes } from './snapshot-routes.ts';

export interface ReconcileOptions {
  /** Plan only: nothing is written to Network Services or to route status. */
  dryRun?: boolean;
}

export interface ReconcileSummary {
  created: number;
  updated: number;
  deleted: number;
  unchanged: number;
  refused: number;
  failed: number;
  /** Anything differed from the desired state (creates, updates or deletes were planned). */
  drift: boolean;
  statusesWritten: number;
  statusFailures: number;
  /** Apply failures a later run may get past (everything but the API's 400 refusals). */
  transientFailures: number;
  routes: number;
  /** Route kinds the cluster does not serve (their CRD is not installed): read as none. */
  notServed?: RouteKind[];
  durationMs: number;
  dryRun: boolean;
  /** Compute: backend services and health checks written (or planned, in a dry run). */
  backends?: { created: number; updated: number; deleted: number; unchanged: number; refused: number };
  /** Failure texts (apply and status), for the log. */
  errors: string[];
}

function tally(p: Plan, applied: ApplyResult | undefined) {
  const count = (action: string, status: string) =>
    applied ? applied.items.filter((i) => i.action === action && i.status === status).length : 0;
  return {
    created: count('create', 'done'),
    updated: count('update', 'done'),
    deleted: count('delete', 'done'),
    failed: applied ? applied.items.filter((i) => i.status !== 'done').length : 0,
    unchanged: p.unchanged,
    refused: p.refused.length,
  };
}

/**
 * One line per distinct refusal reason (the mass-deletion guard, collisions with resources we do not
 * own), naming a few of the resources: an operator must see why, not just how many.
 */
function refusalLines(p: Pick<Plan, 'refused'> | ComputePlan): string[] {
  const byReason = new Map<string, string[]>();
  for (const r of p.refused) {
    const names = byReason.get(r.reason) ?? [];
    names.push(`${r.kind}/${r.id}`);
    byReason.set(r.reason, names);
  }
  return [...byReason].map(([reason, names]) => {
    const shown = names.slice(0, 3).join(', ') + (names.length > 3 ? `, and ${names.length - 3} more` : '');
    return `refused ${shown}: ${reason}`;
  });
}

/**
 * Reads the whole cluster and translates it; with the Compute stage on, plans the backend services
 * against `compute` (listed before) and translates again when some cannot be used. Only the
 * translation and a few facts leave this function, so the snapshot (the largest thing a run holds)
 * can be collected before Network Services is listed and the plan is made.
 */
async function translateCluster(
  deps: PipelineDeps,
  compute: ActualCompute | undefined,
): Promise<{
  desired: Desired;
  resourceVersion: string;
  routes: number;
  notServed: RouteKind[];
  backends?: ComputeStageResult;
}> {
  let cluster: ClusterSnapshot;
  try {
    cluster = await withTimeout('reading the cluster', 4 * (deps.settings.kubeTimeoutMs ?? 30_000), () =>
      readClusterSnapshot(deps.kube),
    );
  } catch (e) {
    throw new TransientError(`reading the cluster: ${errorMessage(e)}; nothing planned`, { cause: e });
  }
  sayNotServed(deps, cluster.notServed);
  const { translate: options, plan: planOptions } = deps.settings;
  if (compute) cluster = await annotateMissingNegs(deps, cluster);
  let desired = translate(cluster, options);
  let backends: ComputeStageResult | undefined;
  if (compute) {
    backends = planBackends(serviceFinder(cluster.services), desired.backends, compute, {
      project: options.project,
      clusterId: options.clusterId,
      deletes: true,
      maxDeleteFraction: planOptions.maxDeleteFraction,
      maxDeleteAbsolute: planOptions.maxDeleteAbsolute,
      forceDelete: planOptions.forceDelete,
    });
    if (Object.keys(backends.unavailable).length)
      desired = translate(cluster, { ...options, unavailableBackendServices: backends.unavailable });
  }
  return {
    desired,
    resourceVersion: cluster.resourceVersion,
    routes: snapshotRoutes(cluster).length,
    notServed: cluster.notServed,
    backends,
  };
}

/** A kind the cluster does not serve is logged once per instance (every summary still lists it). */
function sayNotServed(deps: PipelineDeps, kinds: RouteKind[]): void {
  for (const kind of kinds) {
    const key = `not-served ${kind}`;
    if (deps.notices?.has(key)) continue;
    deps.notices?.add(key);
    deps.log.info(`${kind}: ${notServedMessage(kind)}`, { notServed: kind });
  }
}

/** Compute as listed, when the stage is on; a failed listing plans nothing (transient). */
async function listCompute(deps: PipelineDeps): Promise<ActualCompute | undefined> {
  if (!deps.compute) return undefined;
  const { state, error } = await readComputeState(deps.compute);
  if (error) throw new TransientError(`listing Compute: ${error}; nothing planned`);
  return state;
}

/** Backend service writes before the routes; their deletes after. Failures become summary errors. */
async function applyBackendsAround(
  deps: PipelineDeps,
  planned: ComputeStageResult | undefined,
  routes: () => Promise<void>,
): Promise<{ errors: string[]; transient: number; written: ComputeItemResult[] }> {
  if (!deps.compute || !planned) {
    await routes();
    return { errors: [], transient: 0, written: [] };
  }
  const clusterId = deps.settings.translate.clusterId;
  const errors = refusalLines(planned.plan);
  let before: ComputeStageResult = planned;
  let transient = 0;
  try {
    before = await applyBackends(deps.compute, planned, clusterId);
  } catch (e) {
    errors.push(errorMessage(e));
    transient++;
  }
  await routes();
  const after = await runAfterRoutes(deps.compute, planned, clusterId);
  const written = [...before.results, ...after];
  for (const r of after)
    if (r.status !== 'done') {
      errors.push(`${r.action} ${r.kind}/${r.id}: ${r.error ?? 'failed'}`);
      if (r.failure !== 'permanent') transient++;
    }
  return { errors, transient, written };
}

function backendTally(p: ComputePlan, written: ComputeItemResult[]): ReconcileSummary['backends'] {
  const done = (action: string) => written.filter((r) => r.action === action && r.status === 'done').length;
  return {
    created: done('create'),
    updated: done('update'),
    deleted: done('delete'),
    unchanged: p.unchanged,
    refused: p.refused.length,
  };
}

/** Every route's status, within a time limit; failures are summary lines, a timeout one of them. */
async function writeStatusesOf(deps: PipelineDeps, desired: Desired): Promise<WriteStatusResult> {
  try {
    return await withTimeout('writing route status', 4 * (deps.settings.kubeTimeoutMs ?? 30_000), () =>
      writeRouteStatuses(deps.kube, desired.statuses, {
        controllerName: deps.settings.controllerName,
        fieldManager: 'gamma-csm-reconcile',
      }),
    );
  } catch (e) {
    const error = errorMessage(e);
    return {
      written: 0,
      skipped: 0,
      failed: [{ kind: 'status', namespace: '-', name: '-', error, permanent: false }],
    };
  }
}

export async function reconcileAll(
  deps: PipelineDeps,
  opts: ReconcileOptions = {},
): Promise<ReconcileSummary> {
  const started = performance.now();
  const { settings } = deps;
  const compute = await listCompute(deps);
  const cluster = await translateCluster(deps, compute);
  const { state: actual, error } = await readActualState(deps.netsvc);
  if (error) throw new TransientError(`listing Network Services: ${error}; nothing planned`);

  const desired = boundSequences(carrySequences(cluster.desired, actual), cluster.resourceVersion);
  const planned = plan(desired, actual, settings.plan);
  if (planned.errors.length) throw new TransientError(`planning: ${planned.errors.join('; ')}`);
  // The delete budget is shared with sync (delete-budget.ts): the guard above bounds one run, the
  // budget bounds every path over time.
  const stamped = stampWrites(planned, cluster.resourceVersion);
  const p = deps.deleteBudget && !opts.dryRun ? deps.deleteBudget.limit(stamped) : stamped;
  // Backend services and health checks draw on the same budget (after the routes, which go first).
  if (cluster.backends && deps.deleteBudget && !opts.dryRun) {
    const limited = deps.deleteBudget.limit(cluster.backends.plan);
    cluster.backends = {
      ...cluster.backends,
      plan: limited,
      afterRoutes: computePhases(limited).afterRoutes,
    };
  }
  const computePlan = cluster.backends?.plan;
  const drift =
    p.creates.length + p.updates.length + p.deletes.length > 0 ||
    (computePlan !== undefined && !isEmptyComputePlan(computePlan));

  const errors: string[] = refusalLines(p);
  let applied: ApplyResult | undefined;
  let statusesWritten = 0;
  let statusFailures = 0;
  let transientFailures = 0;
  let backends: ComputeItemResult[] = [];
  if (!opts.dryRun) {
    const around = await applyBackendsAround(deps, cluster.backends, async () => {
      applied = await applyPlan(deps.netsvc, p);
    });
    backends = around.written;
    errors.push(...around.errors);
    transientFailures += around.transient;
    for (const i of applied?.items ?? []) {
      if (i.status === 'done') continue;
      errors.push(`${i.action} ${i.kind}/${i.id}: ${i.error ?? i.status}`);
      if (applyFailureKind(i) === 'transient') transientFailures++;
    }
    const statuses = await writeStatusesOf(deps, desired);
    statusesWritten = statuses.written;
    statusFailures = statuses.failed.length;
    for (const f of statuses.failed) errors.push(`status ${f.kind} ${f.namespace}/${f.name}: ${f.error}`);
  } else if (cluster.backends) errors.push(...refusalLines(cluster.backends.plan));
  const summary: ReconcileSummary = {
    ...tally(p, applied),
    drift,
    statusesWritten,
    statusFailures,
    transientFailures,
    routes: cluster.routes,
    ...(cluster.notServed.length ? { notServed: cluster.notServed } : {}),
    ...(computePlan ? { backends: backendTally(computePlan, backends) } : {}),
    durationMs: Math.round(performance.now() - started),
    dryRun: opts.dryRun === true,
    errors,
  };
  return summary;
}

/**
 * Whether a run left something a prompt retry could fix (not the API's permanent refusals). Route
 * status failures alone do not count: the routes are applied, and redelivering the whole run for a
 * status the next tick writes anyway (or a 403/422 no retry fixes) only costs a full pass.
 */
export function hasTransientFailures(summary: ReconcileSummary): boolean {
  return summary.transientFailures > 0;
}
