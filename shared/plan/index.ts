// The planner (docs/architecture.md §3.4, §5.3): pure (desired, actual) -> Plan with ownership and safety guards.
import type { Desired } from '../translate/types.ts';
import { labelValue } from '../translate/names.ts';
import { ROUTE_COLLECTIONS, routesOf } from '../netsvc/kinds.ts';
import { MUTABLE_FIELDS, normalize } from './normalize.ts';
import { ownershipOf, parentKeyOf, refusalReason } from './ownership.ts';
import {
  BOOKKEEPING_LABELS,
  DEFAULT_MAX_DELETE_ABSOLUTE,
  DEFAULT_MAX_DELETE_FRACTION,
  type ActualState,
  type FieldDiff,
  type Kind,
  type NsResource,
  type Plan,
  type PlanItem,
  type PlanOptions,
  type PlanStep,
} from './types.ts';

export * from './types.ts';
export { normalize, canonicalDuration, canonicalReference, MUTABLE_FIELDS } from './normalize.ts';
export { ownershipOf, parentKeyOf } from './ownership.ts';
export { ROUTE_COLLECTIONS, isRouteCollection, type RouteCollection } from '../netsvc/kinds.ts';

export function emptyPlan(errors: string[] = []): Plan {
  return { creates: [], updates: [], deletes: [], refused: [], unchanged: 0, errors };
}

/** The resource id: the last segment of a relative name. */
export function idOf(name: string | null | undefined): string {
  return (name ?? '').split('/').pop() ?? '';
}

function item(kind: Kind, body: NsResource): PlanItem {
  return { kind, id: idOf(body.name), name: body.name ?? '', body };
}

/** Top-level fields whose normalized values differ, in update-mask order. */
export function diffFields(kind: Kind, desired: NsResource, actual: NsResource): FieldDiff[] {
  const want = normalize(kind, desired);
  const have = normalize(kind, actual);
  const diffs: FieldDiff[] = [];
  for (const field of MUTABLE_FIELDS[kind]) {
    if (JSON.stringify(want[field]) !== JSON.stringify(have[field])) {
      diffs.push({ field, before: have[field], after: want[field] });
    }
  }
  return diffs;
}

function duplicateIds(kind: Kind, bodies: NsResource[]): string[] {
  const seen = new Set<string>();
  const errors: string[] = [];
  for (const b of bodies) {
    const id = idOf(b.name);
    if (!id) errors.push(`desired ${kind} entry without a name`);
    else if (seen.has(id)) errors.push(`desired ${kind}/${id} appears twice`);
    seen.add(id);
  }
  return errors;
}

/** The desired body with the live copy's bookkeeping labels wherever the desired body sets none. */
function withLiveBookkeeping(desired: NsResource, actual: NsResource): NsResource {
  const carried = BOOKKEEPING_LABELS.filter(
    (key) => actual.labels?.[key] !== undefined && desired.labels?.[key] === undefined,
  );
  if (carried.length === 0) return desired;
  const labels = { ...(desired.labels ?? {}) };
  for (const key of carried) labels[key] = actual.labels![key]!;
  return { ...desired, labels };
}

/** Create, update, refuse or leave one desired resource, given what exists under its id. */
function planOne(
  plan: Plan,
  kind: Kind,
  desired: NsResource,
  actual: NsResource | undefined,
  options: PlanOptions,
) {
  if (!actual) {
    plan.creates.push(item(kind, desired));
    return;
  }
  const ownership = ownershipOf(actual, options.clusterId);
  if (ownership === 'other-cluster' || (ownership === 'unmanaged' && !options.adopt)) {
    plan.refused.push({ kind, id: idOf(desired.name), reason: refusalReason(ownership, actual) });
    return;
  }
  const body = withLiveBookkeeping(desired, actual);
  const diff = diffFields(kind, body, actual);
  if (diff.length === 0) plan.unchanged++;
  else plan.updates.push({ ...item(kind, body), updateMask: diff.map((d) => d.field), diff });
}

function planMesh(plan: Plan, desired: Desired, actual: ActualState, options: PlanOptions) {
  const id = idOf(desired.mesh.name);
  const existing = actual.meshes.find((m) => idOf(m.name) === id);
  if (!options.manageMesh) {
    if (!existing) plan.errors.push(`mesh ${id} not found; create it or pass --manage-mesh`);
    return;
  }
  planOne(plan, 'meshes', desired.mesh, existing, options);
}

function inScope(resource: NsResource, options: PlanOptions): boolean {
  if (!options.scope) return true;
  const key = parentKeyOf(resource);
  return key !== undefined && options.scope.parentKeys.some((k) => labelValue(k) === key);
}

/** Owned routes (in scope) that nothing desired names any more. */
function plannedDeletes(
  desired: Desired,
  actual: ActualState,
  options: PlanOptions,
): { deletes: PlanItem[]; owned: number } {
  const deletes: PlanItem[] = [];
  let owned = 0;
  for (const kind of ROUTE_COLLECTIONS) {
    const wanted = new Set(routesOf(desired, kind).map((r) => idOf(r.name)));
    for (const r of routesOf(actual, kind)) {
      if (ownershipOf(r, options.clusterId) !== 'ours' || !inScope(r, options)) continue;
      owned++;
      if (!wanted.has(idOf(r.name))) deletes.push(item(kind, r));
    }
  }
  return { deletes, owned };
}

/** True when the deletes exceed both the allowed share and the allowed number of owned resources. */
export function deleteGuardTrips(deletes: number, owned: number, options: PlanOptions): boolean {
  const fraction = options.maxDeleteFraction ?? DEFAULT_MAX_DELETE_FRACTION;
  const absolute = options.maxDeleteAbsolute ?? DEFAULT_MAX_DELETE_ABSOLUTE;
  return deletes > fraction * owned && deletes > absolute;
}

export function plan(desired: Desired, actual: ActualState, options: PlanOptions): Plan {
  if (!actual.complete) {
    return emptyPlan([
      'the actual state is incomplete (a cluster or API read failed or was partial); nothing planned',
    ]);
  }
  const errors = ROUTE_COLLECTIONS.flatMap((kind) => duplicateIds(kind, routesOf(desired, kind)));
  if (errors.length) return emptyPlan(errors);

  const result = emptyPlan();
  planMesh(result, desired, actual, options);
  if (result.errors.length) return emptyPlan(result.errors);
  for (const kind of ROUTE_COLLECTIONS) {
    const byId = new Map(routesOf(actual, kind).map((r) => [idOf(r.name), r] as const));
    for (const route of routesOf(desired, kind))
      planOne(result, kind, route, byId.get(idOf(route.name)), options);
  }

  const { deletes, owned } = plannedDeletes(desired, actual, options);
  if (!options.forceDelete && deleteGuardTrips(deletes.length, owned, options)) {
    const reason =
      `REFUSED: would delete ${deletes.length} of ${owned} owned resources, more than the allowed ` +
      `share and number; pass --force-delete (functions: GAMMA_FORCE_DELETE=true) if this is intended`;
    result.refused.push(...deletes.map((d) => ({ kind: d.kind, id: d.id, reason })));
  } else {
    result.deletes.push(...deletes);
  }
  return result;
}

export function isEmptyPlan(p: Plan): boolean {
  return p.creates.length + p.updates.length + p.deletes.length === 0;
}

/**
 * Execution phases, in order; items within a phase are independent and may run in parallel.
 * Mesh writes come first and Mesh deletes last; route deletes precede route writes so that a
 * renamed route frees its hostnames (unique per Mesh) before the new one claims them.
 */
export function planPhases(p: Plan): PlanStep[][] {
  const isMesh = (i: PlanItem) => i.kind === 'meshes';
  const phases: PlanStep[][] = [
    [
      ...p.creates.filter(isMesh).map((item) => ({ action: 'create' as const, item })),
      ...p.updates.filter(isMesh).map((item) => ({ action: 'update' as const, item })),
    ],
    p.deletes.filter((i) => !isMesh(i)).map((item) => ({ action: 'delete' as const, item })),
    [
      ...p.updates.filter((i) => !isMesh(i)).map((item) => ({ action: 'update' as const, item })),
      ...p.creates.filter((i) => !isMesh(i)).map((item) => ({ action: 'create' as const, item })),
    ],
    p.deletes.filter(isMesh).map((item) => ({ action: 'delete' as const, item })),
  ];
  return phases.filter((ph) => ph.length > 0);
}
