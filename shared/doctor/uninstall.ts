// `gamma-csm uninstall` (docs/cli.md): everything this cluster id owns, as deletes, and nothing else.
// Routes and Meshes are ours by their labels (shared/plan/ownership.ts), backend services and health
// checks by their description (shared/compute/ownership.ts). Pure: the reads happened before.
import { computeOwnership } from '../compute/ownership.ts';
import { emptyComputePlan, relativeUrl, type ComputePlan } from '../compute/plan.ts';
import type { ActualCompute } from '../compute/types.ts';
import { canonicalReference, emptyPlan, idOf, ownershipOf } from '../plan/index.ts';
import type { ActualState, Plan, PlanItem } from '../plan/index.ts';
import { allRoutes, ROUTE_COLLECTIONS, routesOf } from '../netsvc/kinds.ts';

export interface UninstallPlan {
  /** Route deletes, then Mesh deletes (run last). */
  routes: Plan;
  meshes: Plan;
  compute: ComputePlan;
}

export function uninstallPlan(ns: ActualState, compute: ActualCompute, clusterId: string): UninstallPlan {
  if (!ns.complete || !compute.complete) {
    const error = 'the actual state is incomplete (a read failed); nothing planned';
    return { routes: emptyPlan([error]), meshes: emptyPlan(), compute: emptyComputePlan() };
  }
  const routes = emptyPlan();
  for (const kind of ROUTE_COLLECTIONS)
    for (const r of routesOf(ns, kind))
      if (ownershipOf(r, clusterId) === 'ours') routes.deletes.push(item(kind, r));
  const meshes = emptyPlan();
  const kept = allRoutes(ns).filter((r) => ownershipOf(r, clusterId) !== 'ours');
  for (const m of ns.meshes) {
    if (ownershipOf(m, clusterId) !== 'ours') continue;
    // Another cluster's (or a user's) route on our Mesh: deleting the Mesh would fail, or break it.
    const users = kept.filter((r) =>
      (r.meshes ?? []).some((ref) => idOf(canonicalReference(ref)) === idOf(m.name)),
    );
    if (users.length)
      meshes.refused.push({
        kind: 'meshes',
        id: idOf(m.name),
        reason: `routes not owned by this cluster still use it: ${users.map((r) => idOf(r.name)).join(', ')}`,
      });
    else meshes.deletes.push(item('meshes', m));
  }
  const plan = emptyComputePlan();
  const ours = (b: { description?: string | null }) => computeOwnership(b, clusterId) === 'ours';
  const keptServices = compute.backendServices.filter((b) => !ours(b));
  for (const bs of compute.backendServices)
    if (ours(bs)) plan.deletes.push({ kind: 'backendServices', id: bs.name ?? '', body: bs });
  for (const hc of compute.healthChecks) {
    if (!ours(hc)) continue;
    const users = keptServices.filter((b) =>
      (b.healthChecks ?? []).some((u) => relativeUrl(u).endsWith(`/healthChecks/${hc.name}`)),
    );
    if (users.length)
      plan.refused.push({
        kind: 'healthChecks',
        id: hc.name ?? '',
        reason: `still used by backend service(s) not owned by this cluster: ${users.map((u) => u.name).join(', ')}`,
      });
    else plan.deletes.push({ kind: 'healthChecks', id: hc.name ?? '', body: hc });
  }
  return { routes, meshes, compute: plan };
}

function item(kind: PlanItem['kind'], body: PlanItem['body']): PlanItem {
  return { kind, id: idOf(body.name), name: body.name ?? '', body };
}

/** Route and Mesh deletes as one plan (for formatPlanText / planJson). */
export function combined(u: UninstallPlan): Plan {
  return {
    ...emptyPlan([...u.routes.errors, ...u.meshes.errors]),
    deletes: [...u.routes.deletes, ...u.meshes.deletes],
    refused: [...u.routes.refused, ...u.meshes.refused],
  };
}

export function isEmptyUninstall(u: UninstallPlan): boolean {
  return u.routes.deletes.length + u.meshes.deletes.length + u.compute.deletes.length === 0;
}
