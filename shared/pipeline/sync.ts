// syncParent: one route event -> the Network Services routes and route status of its parent Service
// (docs/architecture.md §2.1, §5.2). The decision is decide() (decide.ts, pure); this file executes
// it: it reads what a verdict asks for (the cluster, then the parent's routes by deterministic id or
// from the instance's memo: sync-read.ts), translates, plans scoped to the parent, applies and
// writes the routes' status.
//
// Events are hints, the cluster is the truth: what is translated is always the confirmed snapshot
// (liveness.ts confirmedSnapshot), the live copies of the objects the event names, so an object the
// cluster does not have never reaches Network Services or Compute, whatever the event says.
import { writeRouteStatuses } from '../cluster/index.ts';
import { parentKey } from '../events/index.ts';
import type { RouteEvent } from '../events/index.ts';
import { ensureBackends } from '../compute/stage.ts';
import { annotateMissingNegs } from './auto-neg.ts';
import type { ComputeStageResult } from '../compute/stage.ts';
import type { ApplyResult } from '../netsvc/apply.ts';
import { allRoutes } from '../netsvc/kinds.ts';
import { plan } from '../plan/index.ts';
import type { ActualState, Plan } from '../plan/index.ts';
import { parentLabelValue } from '../translate/index.ts';
import { translate } from '../translate/index.ts';
import { rejectedCondition } from '../translate/status.ts';
import { isServiceParentRef, parentRefNames } from '../gamma/refs.ts';
import type { RouteStatusEntry, Snapshot } from '../translate/types.ts';
import { decide } from './decide.ts';
import type { DecideInput, SyncSkip } from './decide.ts';
import type { PipelineDeps } from './deps.ts';
import { TransientError, applyFailureKind, errorMessage } from './errors.ts';
import { DEFAULT_LIMITS, oversizedBy, scopeToOwner } from './limits.ts';
import { checkFreshness, confirmedSnapshot, readLiveObjects, snapshotDigest } from './liveness.ts';
import type { LiveObjects } from './liveness.ts';
import {
  candidatePorts,
  desiredForParent,
  markRejectedPorts,
  parentResourceIds,
  statusesForParent,
} from './parent-scope.ts';
import { routesAfter } from './parent-memo.ts';
import { appliedSequence, carrySequences, inputsChanged, stampAll, stampWrites } from './sequence-labels.ts';
import { planAgainstMemo, planAgainstRead } from './sync-read.ts';
import type { ApplyVerdict, ReadContext, SkipVerdict } from './sync-read.ts';
import { withTimeout } from './bounded.ts';
import { statusRoutes } from './snapshot-routes.ts';

export type { SyncSkip } from './decide.ts';

export interface SyncCounts {
  created: number;
  updated: number;
  deleted: number;
  unchanged: number;
  refused: number;
  /** Items the API refused for good (400); reported in route status. */
  rejected: number;
}

export interface BackendCounts {
  created: string[];
  updated: string[];
  /** Backend services routes cannot use, with why (route status says it too). */
  unavailable: string[];
}

export type SyncOutcome =
  | { result: 'skipped'; skip: SyncSkip; detail: string; ms: number; statuses?: StatusCounts }
  | {
      result: 'applied';
      /**
       * 'stale': the cluster had moved past the snapshot, which was still newer than what was
       * applied; the confirmed objects were applied and no route status was written.
       */
      snapshot: 'fresh' | 'stale';
      staleBecause?: string;
      counts: SyncCounts;
      /** Compute writes made for the parent's backends (absent: the stage did not run). */
      backends?: BackendCounts;
      statuses: StatusCounts;
      messages: string[];
      ms: number;
    };

/** Route status writes; `failed`: refused for good (4xx), reported and acknowledged, not retried. */
export interface StatusCounts {
  written: number;
  skipped: number;
  failed?: string[];
}

export async function syncParent(event: RouteEvent, deps: PipelineDeps): Promise<SyncOutcome> {
  const key = parentKey(event.cluster, event.parent.namespace, event.parent.name);
  try {
    return await runSync(scopeToOwner(event, deps.settings.limits ?? DEFAULT_LIMITS), deps, key);
  } catch (e) {
    // A failed delivery leaves the parent's routes unknown (a write may or may not have landed).
    deps.parentMemo?.forget(key);
    throw e;
  }
}

const kubeTimeout = (deps: PipelineDeps) => deps.settings.kubeTimeoutMs ?? 30_000;

/** The cluster's answer for the event (bounded concurrency and time); any failure is transient. */
async function readCluster(deps: PipelineDeps, event: RouteEvent, key: string): Promise<LiveObjects> {
  const limits = deps.settings.limits ?? DEFAULT_LIMITS;
  try {
    return await readLiveObjects(deps.kube, event, {
      concurrency: limits.clusterReadConcurrency,
      timeoutMs: kubeTimeout(deps),
      referenceGrants: deps.settings.translate.crossNamespaceBackends === 'referencegrant',
    });
  } catch (e) {
    throw new TransientError(`reading the cluster for ${key}: ${errorMessage(e)}`, { cause: e });
  }
}

async function runSync(event: RouteEvent, deps: PipelineDeps, key: string): Promise<SyncOutcome> {
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  const input: DecideInput = {
    event,
    serves: deps.settings.translate.clusterId,
    oversized: oversizedBy(event, deps.settings.limits ?? DEFAULT_LIMITS),
  };
  let v = decide(input);
  if (v.verdict === 'skip' && v.skip === 'oversized')
    return { ...skipped(v, ms), statuses: await writeOversized(deps, event, key, v.detail) };
  if (v.verdict === 'skip') return skipped(v, ms);
  // The cluster check comes first: it decides whether route status may be written, and whether a
  // late event can be refused before it spends any of the Network Services request budget.
  const live = await readCluster(deps, event, key);
  const now = deps.now?.();
  input.cluster = { freshness: checkFreshness(event, live), resourceVersion: live.resourceVersion };
  input.memo = {
    appliedSequence: deps.parentMemo?.appliedSequence(key, now),
    appliedAgoMs: deps.parentMemo?.appliedWithinStaleInterval(key, now),
  };
  v = decide(input);
  if (v.verdict === 'skip') {
    if (v.advanceMemo) deps.parentMemo?.advance(key, event.origin, now);
    return skipped(v, ms);
  }
  const fresh = input.cluster.freshness.fresh;
  const confirmed = confirmedSnapshot(event, live);
  const { translated, backends } = await translateWithBackends(deps, confirmed, event.parent, key, fresh);
  const ctx = readContext(deps, event, key, input, translated, confirmed);
  const recall = deps.parentMemo?.recallSuccessor(key, event.origin, now);
  const done =
    (recall?.ok ? await planAgainstMemo(ctx, recall.routes) : undefined) ?? (await planAgainstRead(ctx));
  deps.parentMemo?.forget(key);
  if ('skipped' in done) return skipped(done.skipped, ms);
  const { rejectedPorts, rejected } = sortResults(ctx, done.p, done.result, key);
  // Statuses are computed from the live objects; a stale snapshot's translation does not describe
  // them, so only a fresh event writes status (the newer event behind a stale one will).
  const statuses = fresh
    ? await writeStatuses(
        deps,
        key,
        event.parent,
        markRejectedPorts(
          statusesForParent(translated.statuses, live, event.parent),
          event.parent,
          rejectedPorts,
        ),
      )
    : { written: 0, skipped: 0 };
  // Remember only a state we know for certain: every write of the plan landed.
  if (event.origin && done.result.ok)
    deps.parentMemo?.remember(key, event.origin, routesAfter(ctx.ids, done.actual, done.p), now);
  return {
    result: 'applied',
    ...(done.verdict.snapshot === 'fresh'
      ? { snapshot: 'fresh' }
      : { snapshot: 'stale', staleBecause: done.verdict.staleBecause }),
    counts: countsOf(done.p, done.result, rejected),
    ...(backends ? { backends: backendCounts(backends) } : {}),
    statuses,
    messages: [
      ...rejectedPorts.values(),
      ...done.p.refused.map((r) => `refused ${r.kind}/${r.id}: ${r.reason}`),
      ...(statuses.failed ?? []),
    ],
    ms: ms(),
  };
}

function skipped(v: SkipVerdict, ms: () => number): Extract<SyncOutcome, { result: 'skipped' }> {
  return { result: 'skipped', skip: v.skip, detail: v.detail, ms: ms() };
}

/** The two read strategies' view of this event: decide against a state read, and plan for it. */
function readContext(
  deps: PipelineDeps,
  event: RouteEvent,
  key: string,
  input: DecideInput,
  translated: ReturnType<typeof desiredForParent>,
  confirmed: Snapshot,
): ReadContext {
  const { settings } = deps;
  const ids = parentResourceIds(settings.translate, event.parent, candidatePorts(event));
  const digest = snapshotDigest({ snapshot: confirmed });
  const scoped = {
    ...settings.plan,
    scope: { parentKeys: [parentLabelValue(event.parent.namespace, event.parent.name)] },
  };
  const routesOf = (actual: ActualState) => allRoutes(actual);
  return {
    deps,
    ids,
    // The sequence check (docs/architecture.md §5.2) against whatever state we plan from: real
    // labels, or those of our own last write when the event directly succeeds it (parent-memo.ts).
    judge: (actual) =>
      decide({ ...input, applied: { sequence: appliedSequence(routesOf(actual)) } }) as
        SkipVerdict | ApplyVerdict,
    planFor: (actual, verdict) => {
      // Changed inputs, or labels the cluster cannot have issued, move every label
      // (sequence-labels.ts); otherwise only real writes move them.
      const desired =
        verdict.restamp || inputsChanged(routesOf(actual), digest)
          ? stampAll(translated, event.sequence, digest)
          : carrySequences(translated, actual, { sequence: event.sequence, digest });
      const planned = stampWrites(plan(desired, actual, scoped), event.sequence);
      if (planned.errors.length) throw new TransientError(`planning ${key}: ${planned.errors.join('; ')}`);
      return planned;
    },
  };
}

/** Per port, what the API refused for good; anything else that failed throws (transient). */
function sortResults(ctx: ReadContext, p: Plan, result: ApplyResult, key: string) {
  const portOf = new Map(ctx.ids.map((i) => [i.id, i.port] as const));
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
  return { rejectedPorts, rejected };
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
 * cluster has moved past (its zones may be gone), and the newer event behind it follows. The
 * snapshot is the confirmed one, so the NEG annotations that decide backend service bodies are the
 * cluster's. When some backend services cannot be used, translate runs again with them unresolved,
 * so route status says why and no route names them.
 */
async function translateWithBackends(
  deps: PipelineDeps,
  snapshot: Snapshot,
  parent: RouteEvent['parent'],
  key: string,
  fresh: boolean,
): Promise<{ translated: ReturnType<typeof desiredForParent>; backends?: ComputeStageResult }> {
  const { settings } = deps;
  if (deps.compute && fresh) snapshot = await annotateMissingNegs(deps, snapshot);
  let desired = translate(snapshot, settings.translate);
  if (!deps.compute || !fresh) return { translated: desiredForParent(desired, parent) };
  let backends: ComputeStageResult;
  try {
    backends = await ensureBackends(deps.compute, snapshot.services, desired.backends, {
      project: settings.translate.project,
      clusterId: settings.translate.clusterId,
    });
  } catch (e) {
    throw new TransientError(`backend services for ${key}: ${errorMessage(e)}`, { cause: e });
  }
  if (Object.keys(backends.unavailable).length)
    desired = translate(snapshot, {
      ...settings.translate,
      unavailableBackendServices: backends.unavailable,
    });
  return { translated: desiredForParent(desired, parent), backends };
}

/**
 * Writes the parent's entries in its routes' status. A failure a retry may fix throws (transient);
 * one that cannot (403, 422: status.ts isPermanentStatusFailure) is returned in `failed`, logged and
 * acknowledged, so the parent's newer events do not wait behind ten redeliveries.
 */
async function writeStatuses(
  deps: PipelineDeps,
  key: string,
  parent: RouteEvent['parent'],
  statuses: RouteStatusEntry[],
): Promise<StatusCounts> {
  let written;
  try {
    written = await withTimeout(`writing route status for ${key}`, kubeTimeout(deps) * 2, () =>
      writeRouteStatuses(deps.kube, statuses, {
        controllerName: deps.settings.controllerName,
        fieldManager: 'gamma-csm-sync',
        // Our entries for the routes' other parents belong to those parents' syncs.
        onlyParents: [{ namespace: parent.namespace, name: parent.name }],
      }),
    );
  } catch (e) {
    throw new TransientError(`writing route status for ${key}: ${errorMessage(e)}`, { cause: e });
  }
  const describe = (f: (typeof written.failed)[number]) =>
    `status ${f.kind} ${f.namespace}/${f.name}: ${f.error}`;
  const transient = written.failed.filter((f) => !f.permanent);
  if (transient.length)
    throw new TransientError(`writing route status for ${key}: ${transient.map(describe).join('; ')}`);
  const failed = written.failed.map(describe);
  return { written: written.written, skipped: written.skipped, ...(failed.length ? { failed } : {}) };
}

/**
 * An oversized snapshot is refused, and said so where its authors look: Accepted=False on the
 * parent's producer routes, UDPRoutes too (at most the route cap of them; status.ts writes only onto
 * routes whose live spec names the parent). Nothing is written to Network Services.
 */
async function writeOversized(
  deps: PipelineDeps,
  event: RouteEvent,
  key: string,
  why: string,
): Promise<StatusCounts> {
  const { namespace, name } = event.parent;
  const limits = deps.settings.limits ?? DEFAULT_LIMITS;
  const entries: RouteStatusEntry[] = statusRoutes(event.snapshot)
    .filter(({ route: r }) => r.metadata.namespace === namespace)
    .slice(0, limits.maxRoutesPerSnapshot)
    .map(({ kind, route: r }) => ({
      kind,
      namespace,
      name: r.metadata.name,
      parents: (r.spec?.parentRefs ?? [])
        .filter((ref) => isServiceParentRef(ref) && parentRefNames(ref, namespace, event.parent))
        .map((parentRef) => ({
          parentRef,
          controllerName: deps.settings.controllerName,
          conditions: [rejectedCondition('Oversized', `Service ${namespace}/${name}: ${why}`)],
        })),
    }));
  return writeStatuses(deps, key, event.parent, entries);
}
