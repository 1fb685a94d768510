// syncParent: one route event -> the Network Services routes and route status of its parent Service
// (docs/architecture.md §2.1, §5.2). Reads only what the parent can own (GET by deterministic id, no project-wide
// list), checks each event twice over (a liveness check against the cluster, then the sequence
// label), plans scoped to the parent, applies, and writes the routes' status. An event the cluster
// has moved past (stale snapshot) is still applied, routes only, when its sequence is newer than the
// applied one (liveness.ts mayApplyStale): under sustained churn every delivery is stale on arrival,
// and refusing them all would apply nothing until the churn stops. The shared Mesh comes from the
// instance's short-lived memo when it has one (mesh-memo.ts).
import { writeRouteStatuses } from '../cluster/index.ts';
import { isStale, parentKey } from '../events/index.ts';
import type { RouteEvent } from '../events/index.ts';
import { ensureBackends } from '../compute/stage.ts';
import type { ComputeStageResult } from '../compute/stage.ts';
import { applyPlan } from '../netsvc/apply.ts';
import type { ApplyResult } from '../netsvc/apply.ts';
import { MUTABLE_FIELDS, isEmptyPlan, plan } from '../plan/index.ts';
import type { ActualState, Plan, PlanUpdate } from '../plan/index.ts';
import { parentLabelValue } from '../translate/index.ts';
import { translate } from '../translate/index.ts';
import type { NsGrpcRoute, NsHttpRoute, NsMesh } from '../translate/types.ts';
import type { PipelineDeps } from './deps.ts';
import { TransientError, applyFailureKind, errorMessage } from './errors.ts';
import { checkFreshness, mayApplyStale, readLiveObjects, snapshotDigest } from './liveness.ts';
import {
  candidatePorts,
  desiredForParent,
  markRejectedPorts,
  parentResourceIds,
  statusesForParent,
} from './parent-scope.ts';
import { routesAfter, standIns } from './parent-memo.ts';
import type { RememberedRoute } from './parent-memo.ts';
import { appliedSequence, carrySequences, inputsChanged, stampAll, stampWrites } from './sequence-labels.ts';
import type { ParentResourceId } from './parent-scope.ts';

export type SyncSkip = 'other-cluster' | 'stale-sequence' | 'stale-snapshot';

export interface SyncCounts {
  created: number;
  updated: number;
  deleted: number;
  unchanged: number;
  refused: number;
  /** Items the API refused for good (400); reported in route status. */
  rejected: number;
}

export type SyncOutcome =
  | { result: 'skipped'; skip: SyncSkip; detail: string; ms: number }
  | {
      result: 'applied';
      /**
       * 'stale': the cluster had moved past the snapshot, which was still newer than what was
       * applied; its routes were applied and no route status was written (`staleBecause` says why).
       */
      snapshot: 'fresh' | 'stale';
      staleBecause?: string;
      counts: SyncCounts;
      /** Compute writes made for the parent's backends (absent: the stage did not run). */
      backends?: BackendCounts;
      statuses: { written: number; skipped: number };
      messages: string[];
      ms: number;
    };

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
  const httpRoutes = routes.filter((_r, i) => ids[i].kind === 'httpRoutes').filter(Boolean) as NsHttpRoute[];
  const grpcRoutes = routes.filter((_r, i) => ids[i].kind === 'grpcRoutes').filter(Boolean) as NsGrpcRoute[];
  return { meshes: mesh ? [mesh as NsMesh] : [], httpRoutes, grpcRoutes, complete: true };
}

/** The parent's state with remembered routes standing in for reads; ids the memo lacks are read. */
async function readWithMemo(
  deps: PipelineDeps,
  ids: ParentResourceId[],
  remembered: RememberedRoute[],
): Promise<ActualState> {
  const { known, unknown } = standIns(ids, remembered);
  const state = await readParentActual(deps, unknown);
  for (const r of known) {
    if (r.body && r.kind === 'httpRoutes') state.httpRoutes.push(r.body as NsHttpRoute);
    if (r.body && r.kind === 'grpcRoutes') state.grpcRoutes.push(r.body as NsGrpcRoute);
  }
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

/** A remembered Mesh read stays good only while no plan writes the Mesh and no write fails. */
function forgetMeshUnlessUntouched(deps: PipelineDeps, p: Plan, result: ApplyResult): void {
  const touched = [...p.creates, ...p.updates, ...p.deletes].some((i) => i.kind === 'meshes');
  if (touched || result.items.some((i) => i.status !== 'done')) deps.meshMemo?.forget();
}

function countsOf(p: Plan, applied: ApplyResult, rejected: number): SyncCounts {
  const done = (action: string) =>
    applied.items.filter((i) => i.action === action && i.status === 'done').length;
  return {
    created: done('create'),
    updated: done('update'),
    deleted: done('delete'),
    unchanged: p.unchanged,
    refused: p.refused.length,
    rejected,
  };
}

type Skipped = Extract<SyncOutcome, { result: 'skipped' }>;

export interface BackendCounts {
  created: string[];
  updated: string[];
  /** Backend services routes cannot use, with why (route status says it too). */
  unavailable: string[];
}

function backendCounts(stage: ComputeStageResult): BackendCounts {
  const done = (action: string) =>
    stage.results.filter((r) => r.action === action && r.status === 'done').map((r) => `${r.kind}/${r.id}`);
  return {
    created: done('create'),
    updated: done('update'),
    unavailable: Object.entries(stage.unavailable).map(([name, why]) => `${name}: ${why}`),
  };
}

/**
 * The parent's desired routes, after the Compute stage made their backend services exist and match
 * (docs/backends.md). Only a fresh snapshot writes Compute: a stale one describes Services the
 * cluster has moved past (its zones may be gone), and the newer event behind it follows. When some
 * backend services cannot be used, translate runs again with them unresolved, so route status says
 * why and no route names them.
 */
async function translateWithBackends(
  deps: PipelineDeps,
  event: RouteEvent,
  key: string,
  fresh: boolean,
): Promise<{ translated: ReturnType<typeof desiredForParent>; backends?: ComputeStageResult }> {
  const { settings } = deps;
  let desired = translate(event.snapshot, settings.translate);
  if (!deps.compute || !fresh) return { translated: desiredForParent(desired, event.parent) };
  let backends: ComputeStageResult;
  try {
    backends = await ensureBackends(deps.compute, event.snapshot.services, desired.backends, {
      project: settings.translate.project,
      clusterId: settings.translate.clusterId,
    });
  } catch (e) {
    throw new TransientError(`backend services for ${key}: ${errorMessage(e)}`, { cause: e });
  }
  if (Object.keys(backends.unavailable).length)
    desired = translate(event.snapshot, {
      ...settings.translate,
      unavailableBackendServices: backends.unavailable,
    });
  return { translated: desiredForParent(desired, event.parent), backends };
}

/** Writes the parent's entries in its routes' status; any failure throws (transient). */
async function writeStatuses(
  deps: PipelineDeps,
  key: string,
  parent: RouteEvent['parent'],
  statuses: ReturnType<typeof markRejectedPorts>,
): Promise<{ written: number; skipped: number }> {
  let written;
  try {
    written = await writeRouteStatuses(deps.kube, statuses, {
      controllerName: deps.settings.controllerName,
      fieldManager: 'gamma-csm-sync',
      // Our entries for the routes' other parents belong to those parents' syncs.
      onlyParents: [{ namespace: parent.namespace, name: parent.name }],
    });
  } catch (e) {
    throw new TransientError(`writing route status for ${key}: ${errorMessage(e)}`, { cause: e });
  }
  if (written.failed.length)
    throw new TransientError(
      `writing route status for ${key}: ${written.failed.map((f) => `${f.kind} ${f.namespace}/${f.name}: ${f.error}`).join('; ')}`,
    );
  return { written: written.written, skipped: written.skipped };
}

export async function syncParent(event: RouteEvent, deps: PipelineDeps): Promise<SyncOutcome> {
  const key = parentKey(event.cluster, event.parent.namespace, event.parent.name);
  try {
    return await syncOrSkip(event, deps, key);
  } catch (e) {
    // A failed delivery leaves the parent's routes unknown (a write may or may not have landed).
    deps.parentMemo?.forget(key);
    throw e;
  }
}

async function syncOrSkip(event: RouteEvent, deps: PipelineDeps, key: string): Promise<SyncOutcome> {
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  const { settings } = deps;
  const parent = event.parent;
  if (event.cluster !== settings.translate.clusterId)
    return {
      result: 'skipped',
      skip: 'other-cluster',
      detail: `event for cluster ${event.cluster}, this function serves ${settings.translate.clusterId}`,
      ms: ms(),
    };

  // The cluster check comes first: it decides whether route status may be written, and whether a
  // late event can be refused before it spends any of the Network Services request budget.
  let live;
  try {
    live = await readLiveObjects(deps.kube, event);
  } catch (e) {
    throw new TransientError(`reading the cluster for ${key}: ${errorMessage(e)}`, { cause: e });
  }
  const freshness = checkFreshness(event, live);
  // The cheap rule: a stale event no newer than what this instance itself last applied for the
  // parent (a Pub/Sub duplicate, or a late event) is refused without a request, as every stale event
  // was before. The labels in Network Services only move up from our own write (the reconcile
  // carries or raises them) or vanish with the routes, and the read below would refuse the event in
  // either case; it never refuses an event newer than our write, so no delivery that could move the
  // parent forward is lost. Nothing was read or written, so the memo stays as it was.
  const ownBound = freshness.fresh ? undefined : deps.parentMemo?.appliedSequence(key);
  if (!freshness.fresh && ownBound !== undefined) {
    const verdict = mayApplyStale(ownBound, event.sequence);
    if (!verdict.apply)
      return {
        result: 'skipped',
        skip: 'stale-snapshot',
        detail: `${freshness.why}; ${verdict.why}`,
        ms: ms(),
      };
  }

  // Stale snapshots are applied for progress, not for their own sake: when this instance applied the
  // parent less than the memo's stale-apply interval (1 s by default) ago, a stale one is passed over (the newer event that
  // made it stale follows), so a burst costs a write per interval rather than one per event, while
  // sustained churn still moves the parent forward at least once per interval.
  const appliedAgo = freshness.fresh ? undefined : deps.parentMemo?.appliedWithinStaleInterval(key);
  if (!freshness.fresh && appliedAgo !== undefined) {
    deps.parentMemo?.advance(key, event.origin);
    return {
      result: 'skipped',
      skip: 'stale-snapshot',
      detail: `${freshness.why}; this instance applied the parent ${appliedAgo} ms ago`,
      ms: ms(),
    };
  }

  const ids = parentResourceIds(settings.translate, parent, candidatePorts(event));
  const { translated, backends } = await translateWithBackends(deps, event, key, freshness.fresh);
  const digest = snapshotDigest(event);
  const scoped = {
    ...settings.plan,
    scope: { parentKeys: [parentLabelValue(parent.namespace, parent.name)] },
  };
  // The sequence check (docs/architecture.md §5.2) against whatever state we plan from. Against the memo it reads
  // the labels of our own last write for this parent; that is as good as reading them, because the
  // event's origin directly succeeds the one we applied: the watcher published nothing for this
  // parent in between, and Pub/Sub hands an ordering key to one delivery at a time, so no other
  // instance wrote this parent's routes from an event in between. (The reconcile may have; it
  // carries the labels over, and whatever it wrote the checks below re-read rather than trust.)
  // What this cannot see, both transient: a late duplicate of event n+1 reaching us after another
  // instance applied n+2 (Pub/Sub is at-least-once) rewrites n+1 (its snapshot is stale by then,
  // but newer than the n our memo holds), and ordered redelivery then resends n+2 after it; and two
  // watcher runs at once (the Deployment runs one, with Recreate). The scheduled reconcile repairs
  // either at the latest.
  const staleBy = (actual: ActualState): Skipped | undefined => {
    const applied = appliedSequence([...actual.httpRoutes, ...actual.grpcRoutes]);
    if (isStale(applied, event.sequence))
      return {
        result: 'skipped',
        skip: 'stale-sequence',
        detail: `sequence ${event.sequence} is older than the applied ${applied}`,
        ms: ms(),
      };
    if (freshness.fresh) return undefined;
    const verdict = mayApplyStale(applied, event.sequence);
    if (verdict.apply) return undefined;
    return {
      result: 'skipped',
      skip: 'stale-snapshot',
      detail: `${freshness.why}; ${verdict.why}`,
      ms: ms(),
    };
  };
  const planFor = (actual: ActualState) => {
    // Changed inputs move every label (see sequence-labels.ts); otherwise only real writes move them.
    const desired = inputsChanged([...actual.httpRoutes, ...actual.grpcRoutes], digest)
      ? stampAll(translated, event.sequence, digest)
      : carrySequences(translated, actual, { sequence: event.sequence, digest });
    const planned = stampWrites(plan(desired, actual, scoped), event.sequence);
    if (planned.errors.length) throw new TransientError(`planning ${key}: ${planned.errors.join('; ')}`);
    return planned;
  };
  const apply = async (p: Plan) => {
    const result = await applyPlan(deps.netsvc, p);
    forgetMeshUnlessUntouched(deps, p, result);
    return result;
  };
  const readAll = () => readParentActual(deps, ids);

  /**
   * Planning against the memo, by the rules that keep it from ever deciding alone: a plan that writes
   * is applied without reading first (one request instead of a read per id); a write that meets a
   * state the memo did not know (409 on create, 404 on patch or delete) forgets, reads and plans
   * once more; a plan that writes nothing is never trusted, since a human or the reconcile may have
   * changed the routes behind us, so it is checked against a real read before we conclude.
   */
  const planAgainstMemo = async (remembered: RememberedRoute[]) => {
    const fromMemo = await readWithMemo(deps, ids, remembered);
    const stale = staleBy(fromMemo);
    if (stale) return stale;
    const p = planFor(fromMemo);
    if (isEmptyPlan(p)) return undefined;
    const writes = replaceWholeRoutes(p);
    const result = await apply(writes);
    if (memoMissed(result) || lostCreateRace(result)) return undefined;
    return { actual: fromMemo, p: writes, result };
  };
  const planAgainstRead = async () => {
    let actual = await readAll();
    const stale = staleBy(actual);
    if (stale) return stale;
    let p = planFor(actual);
    let result = await apply(p);
    // Another instance created the same resource (typically the shared Mesh) between our read and
    // our create: read again and re-plan once rather than wait for a redelivery.
    if (lostCreateRace(result)) {
      actual = await readAll();
      p = planFor(actual);
      result = await apply(p);
    }
    return { actual, p, result };
  };

  const recall = deps.parentMemo?.recallSuccessor(key, event.origin);
  const done = (recall?.ok ? await planAgainstMemo(recall.routes) : undefined) ?? (await planAgainstRead());
  deps.parentMemo?.forget(key);
  if ('skip' in done) return done;
  const { actual, p, result } = done;

  const portOf = new Map(ids.map((i) => [i.id, i.port] as const));
  const rejectedPorts = new Map<number, string>();
  const transient: string[] = [];
  for (const item of result.items) {
    if (item.status === 'done') continue;
    const error = item.error ?? 'failed';
    if (item.status === 'failed' && applyFailureKind(item) === 'permanent' && portOf.has(item.id))
      rejectedPorts.set(portOf.get(item.id) as number, error);
    else transient.push(`${item.action} ${item.kind}/${item.id}: ${error}`);
  }
  if (transient.length) throw new TransientError(`applying ${key}: ${transient.join('; ')}`);
  const rejected = rejectedPorts.size;
  for (const r of p.refused) {
    const port = portOf.get(r.id);
    if (port !== undefined) rejectedPorts.set(port, `${r.kind}/${r.id} ${r.reason}`);
  }

  // Statuses are computed from the live objects; a stale snapshot's translation does not describe
  // them, so only a fresh event writes status (the newer event behind a stale one will).
  const written = freshness.fresh
    ? await writeStatuses(
        deps,
        key,
        parent,
        markRejectedPorts(statusesForParent(translated.statuses, live, parent), parent, rejectedPorts),
      )
    : { written: 0, skipped: 0 };
  // Remember only a state we know for certain: every write of the plan landed.
  if (event.origin && result.ok) deps.parentMemo?.remember(key, event.origin, routesAfter(ids, actual, p));
  return {
    result: 'applied',
    ...(freshness.fresh ? { snapshot: 'fresh' } : { snapshot: 'stale', staleBecause: freshness.why }),
    counts: countsOf(p, result, rejected),
    ...(backends ? { backends: backendCounts(backends) } : {}),
    statuses: { written: written.written, skipped: written.skipped },
    messages: [...rejectedPorts.values(), ...p.refused.map((r) => `refused ${r.kind}/${r.id}: ${r.reason}`)],
    ms: ms(),
  };
}
