// The executor's two read strategies for one parent (sync.ts): plan against a real read of the
// parent's routes (GET by deterministic id), or against the instance's memo of its own last write
// when the event directly succeeds it (parent-memo.ts). Either way the decision on the state read
// is decide()'s (decide.ts), handed in as `judge`; this file only reads, plans and applies.
import { applyPlan } from '../netsvc/apply.ts';
import type { ApplyResult } from '../netsvc/apply.ts';
import { MUTABLE_FIELDS, isEmptyPlan } from '../plan/index.ts';
import type { ActualState, Plan, PlanUpdate } from '../plan/index.ts';
import { noRoutes, type NsRoute } from '../netsvc/kinds.ts';
import type { NsMesh } from '../translate/types.ts';
import type { Verdict } from './decide.ts';
import type { PipelineDeps } from './deps.ts';
import { TransientError, errorMessage } from './errors.ts';
import { standIns } from './parent-memo.ts';
import type { RememberedRoute } from './parent-memo.ts';
import type { ParentResourceId } from './parent-scope.ts';

export type SkipVerdict = Extract<Verdict, { verdict: 'skip' }>;
export type ApplyVerdict = Extract<Verdict, { verdict: 'apply' }>;

export interface ReadContext {
  deps: PipelineDeps;
  ids: ParentResourceId[];
  /** decide() against the state read: skip, or apply how. */
  judge: (actual: ActualState) => SkipVerdict | ApplyVerdict;
  /** The plan for the state read (labels stamped as the verdict says); throws on planning errors. */
  planFor: (actual: ActualState, verdict: ApplyVerdict) => Plan;
}

export type Executed =
  { skipped: SkipVerdict } | { actual: ActualState; p: Plan; result: ApplyResult; verdict: ApplyVerdict };

/** The parent's current resources, read by id; a failed read throws (transient). */
async function readParentActual(deps: PipelineDeps, ids: ParentResourceId[]): Promise<ActualState> {
  const { netsvc, settings } = deps;
  const get = async <T>(read: () => Promise<T | null>): Promise<T | null> => {
    try {
      return await read();
    } catch (e) {
      throw new TransientError(`reading Network Services: ${errorMessage(e)}`, { cause: e });
    }
  };
  const meshName = settings.translate.mesh;
  const readMesh = async () => {
    const remembered = deps.meshMemo?.recall(meshName);
    if (remembered !== undefined) return remembered;
    const read = (await get(() => netsvc.get('meshes', meshName))) as NsMesh | null;
    deps.meshMemo?.remember(meshName, read);
    return read;
  };
  const [mesh, ...routes] = await Promise.all([
    readMesh(),
    ...ids.map(({ kind, id }) => get(() => netsvc.get(kind, id))),
  ]);
  const state: ActualState = { meshes: mesh ? [mesh as NsMesh] : [], ...noRoutes(), complete: true };
  routes.forEach((r, i) => {
    if (r) (state[ids[i].kind] as NsRoute[]).push(r as NsRoute);
  });
  return state;
}

/** The parent's state with remembered routes standing in for reads; ids the memo lacks are read. */
async function readWithMemo(
  deps: PipelineDeps,
  ids: ParentResourceId[],
  remembered: RememberedRoute[],
): Promise<ActualState> {
  const { known, unknown } = standIns(ids, remembered);
  const state = await readParentActual(deps, unknown);
  for (const r of known) if (r.body) (state[r.kind] as NsRoute[]).push(r.body);
  return state;
}

/**
 * True when a write planned against the memo met a state the memo did not know: a create that found
 * the id taken (409), a patch or delete that found it gone (404). Then the memo is wrong: read again.
 */
function memoMissed(result: ApplyResult): boolean {
  return result.items.some(
    (i) =>
      i.status === 'failed' &&
      i.kind !== 'meshes' &&
      ((i.action === 'create' && / 409 ALREADY_EXISTS: /.test(i.error ?? '')) ||
        (i.action !== 'create' && / 404 NOT_FOUND: /.test(i.error ?? ''))),
  );
}

/**
 * A route update planned against the memo replaces every writable field, not only the ones the memo
 * says differ: if a field changed behind the memo (a human, the reconcile), the write still sets it.
 */
function replaceWholeRoutes(p: Plan): Plan {
  const whole = (u: PlanUpdate): PlanUpdate =>
    u.kind === 'meshes' ? u : { ...u, updateMask: [...MUTABLE_FIELDS[u.kind]] };
  return { ...p, updates: p.updates.map(whole) };
}

/** True when the only failures are creates that met 409 ALREADY_EXISTS (and what they blocked). */
function lostCreateRace(result: ApplyResult): boolean {
  const failed = result.items.filter((i) => i.status === 'failed');
  return (
    failed.length > 0 &&
    failed.every((i) => i.action === 'create' && / 409 ALREADY_EXISTS: /.test(i.error ?? '')) &&
    result.items.every((i) => i.status !== 'skipped' || i.action !== 'delete')
  );
}

/**
 * Applies within the delete budget (delete-budget.ts); a remembered Mesh read stays good only while
 * no plan writes the Mesh and no write fails.
 */
async function apply(deps: PipelineDeps, planned: Plan): Promise<{ p: Plan; result: ApplyResult }> {
  const p = deps.deleteBudget ? deps.deleteBudget.limit(planned) : planned;
  const result = await applyPlan(deps.netsvc, p);
  const touched = [...p.creates, ...p.updates, ...p.deletes].some((i) => i.kind === 'meshes');
  if (touched || result.items.some((i) => i.status !== 'done')) deps.meshMemo?.forget();
  return { p, result };
}

/**
 * Planning against the memo, by the rules that keep it from ever deciding alone: a plan that writes
 * is applied without reading first (one request instead of a read per id); a write that meets a
 * state the memo did not know (409 on create, 404 on patch or delete) forgets, reads and plans
 * once more; a plan that writes nothing is never trusted, since a human or the reconcile may have
 * changed the routes behind us, so it is checked against a real read (undefined: read).
 */
export async function planAgainstMemo(
  ctx: ReadContext,
  remembered: RememberedRoute[],
): Promise<Executed | undefined> {
  const fromMemo = await readWithMemo(ctx.deps, ctx.ids, remembered);
  const verdict = ctx.judge(fromMemo);
  if (verdict.verdict === 'skip') return { skipped: verdict };
  const planned = ctx.planFor(fromMemo, verdict);
  if (isEmptyPlan(planned)) return undefined;
  const { p, result } = await apply(ctx.deps, replaceWholeRoutes(planned));
  if (memoMissed(result) || lostCreateRace(result)) return undefined;
  return { actual: fromMemo, p, result, verdict };
}

/** Reads the parent's routes, decides, plans and applies; a lost create race reads and plans once more. */
export async function planAgainstRead(ctx: ReadContext): Promise<Executed> {
  const readAll = () => readParentActual(ctx.deps, ctx.ids);
  let actual = await readAll();
  const verdict = ctx.judge(actual);
  if (verdict.verdict === 'skip') return { skipped: verdict };
  let { p, result } = await apply(ctx.deps, ctx.planFor(actual, verdict));
  // Another instance created the same resource (typically the shared Mesh) between our read and
  // our create: read again and re-plan once rather than wait for a redelivery.
  if (lostCreateRace(result)) {
    actual = await readAll();
    ({ p, result } = await apply(ctx.deps, ctx.planFor(actual, verdict)));
  }
  return { actual, p, result, verdict };
}
