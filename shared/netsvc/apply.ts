// Executes a Plan against the Network Services API (docs/architecture.md §2.3, §5.3): phases in order, many items in
// flight within each phase (the client enforces the rate and concurrency limits), one failure never
// stopping the others, and dependants of a failed Mesh create skipped rather than attempted.
import { canonicalReference, idOf, planPhases } from '../plan/index.ts';
import type { Action, ActualState, Kind, Plan, PlanStep, PlanUpdate } from '../plan/index.ts';
import type { NetsvcBody, NetsvcClient } from './client.ts';
import { failureOf } from './errors.ts';
import { noRoutes, ROUTE_COLLECTIONS, type RouteLists } from './kinds.ts';

export type ApplyStatus = 'done' | 'failed' | 'skipped';

export interface ApplyItemResult {
  kind: Kind;
  id: string;
  action: Action;
  status: ApplyStatus;
  error?: string;
  /** For failed items: can a retry succeed (see errors.ts failureOf)? */
  failure?: 'permanent' | 'transient';
  ms: number;
}

export interface ApplyResult {
  ok: boolean;
  items: ApplyItemResult[];
  /** Plan errors: when present nothing was attempted. */
  errors: string[];
  ms: number;
}

export interface ApplyOptions {
  onProgress?(done: number, total: number, item: ApplyItemResult): void;
  /** Items in flight at once (each may issue several requests). Default 32. */
  concurrency?: number;
}

/**
 * Lists every Mesh and every route of each collection (kinds.ts) of the project/location. A failed
 * listing gives `complete: false` (and the error), never an empty list that would read as "no routes".
 */
export async function readActualState(client: NetsvcClient): Promise<{ state: ActualState; error?: string }> {
  try {
    const [meshes, ...lists] = await Promise.all([
      client.list('meshes'),
      ...ROUTE_COLLECTIONS.map((kind) => client.list(kind)),
    ]);
    const routes = Object.fromEntries(ROUTE_COLLECTIONS.map((kind, i) => [kind, lists[i]])) as RouteLists;
    return { state: { meshes, ...routes, complete: true } };
  } catch (e) {
    return { state: { meshes: [], ...noRoutes(), complete: false }, error: errorText(e) };
  }
}

/** Mesh ids a route body references. */
function meshesOf(step: PlanStep): string[] {
  const meshes = (step.item.body as { meshes?: string[] | null }).meshes ?? [];
  return meshes.map((m) => idOf(canonicalReference(m)));
}

async function execute(client: NetsvcClient, step: PlanStep): Promise<void> {
  const { kind, id, body } = step.item;
  if (step.action === 'create') await client.create(kind, id, body as NetsvcBody);
  else if (step.action === 'update')
    await client.patch(kind, id, body as NetsvcBody, (step.item as PlanUpdate).updateMask);
  else await client.delete(kind, id);
}

/** Why a step cannot run because something it depends on failed earlier, or undefined. */
function blockedBy(
  step: PlanStep,
  failedMeshCreates: Set<string>,
  meshesWithFailedRouteDeletes: Set<string>,
) {
  if (step.item.kind !== 'meshes') {
    const missing =
      step.action === 'delete' ? undefined : meshesOf(step).find((m) => failedMeshCreates.has(m));
    return missing ? `mesh ${missing} was not created` : undefined;
  }
  if (step.action === 'delete' && meshesWithFailedRouteDeletes.has(step.item.id)) {
    return `routes attached to mesh ${step.item.id} could not be deleted`;
  }
  return undefined;
}

/** Runs `work` over `items` with at most `limit` in flight. */
export async function pool<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export async function applyPlan(
  client: NetsvcClient,
  plan: Plan,
  opts: ApplyOptions = {},
): Promise<ApplyResult> {
  const started = performance.now();
  if (plan.errors.length) return { ok: false, items: [], errors: [...plan.errors], ms: 0 };
  const phases = planPhases(plan);
  const total = phases.reduce((n, ph) => n + ph.length, 0);
  const items: ApplyItemResult[] = [];
  const failedMeshCreates = new Set<string>();
  const meshesWithFailedRouteDeletes = new Set<string>();

  const record = (result: ApplyItemResult) => {
    items.push(result);
    opts.onProgress?.(items.length, total, result);
  };

  for (const phase of phases) {
    await pool(phase, opts.concurrency ?? 32, async (step) => {
      const t0 = performance.now();
      const base = { kind: step.item.kind, id: step.item.id, action: step.action };
      const blocked = blockedBy(step, failedMeshCreates, meshesWithFailedRouteDeletes);
      if (blocked) {
        record({ ...base, status: 'skipped', error: blocked, ms: 0 });
        return;
      }
      try {
        await execute(client, step);
        record({ ...base, status: 'done', ms: Math.round(performance.now() - t0) });
      } catch (e) {
        if (step.item.kind === 'meshes' && step.action === 'create') failedMeshCreates.add(step.item.id);
        if (step.item.kind !== 'meshes' && step.action === 'delete') {
          for (const m of meshesOf(step)) meshesWithFailedRouteDeletes.add(m);
        }
        record({
          ...base,
          status: 'failed',
          error: errorText(e),
          failure: failureOf(e),
          ms: Math.round(performance.now() - t0),
        });
      }
    });
  }
  return {
    ok: items.every((i) => i.status === 'done'),
    items,
    errors: [],
    ms: Math.round(performance.now() - started),
  };
}
