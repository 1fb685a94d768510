// The sequence label (docs/architecture.md §5.2): every route gamma-csm writes carries the event sequence (or the
// reconcile's cluster resourceVersion) it was written from, so a later, older event is recognised
// as stale, and a digest of the snapshot it came from. Labels move with a write that happens anyway,
// or when the parent's inputs changed (the digest differs: e.g. a route was added that changes
// nothing in Network Services, which an older event lacking it must not undo). A duplicate, or a
// resync of unchanged state, plans zero writes. Our own status writes bump route resourceVersions,
// which is why the digest compares content, not resourceVersions.
import { compareSequences, isDecimalSequence, withinCluster } from '../events/index.ts';
import { idOf } from '../plan/index.ts';
import type { ActualState, NsResource, Plan, PlanItem, PlanUpdate } from '../plan/index.ts';
import type { Desired } from '../translate/types.ts';
import {
  mapRoutes,
  ROUTE_COLLECTIONS,
  routesOf,
  type NsRoute,
  type RouteCollection,
} from '../netsvc/kinds.ts';

// LABEL_SNAPSHOT holds the digest of the snapshot a route was written from (liveness.ts snapshotDigest).
// The planner knows both labels (shared/plan BOOKKEEPING_LABELS) and never strips them.
import { LABEL_SEQUENCE, LABEL_SNAPSHOT } from '../plan/index.ts';
export { LABEL_SEQUENCE, LABEL_SNAPSHOT };

/** The highest sequence label among the given resources, or undefined. */
export function appliedSequence(resources: NsResource[]): string | undefined {
  let max: string | undefined;
  for (const r of resources) {
    const s = r.labels?.[LABEL_SEQUENCE] ?? undefined;
    if (isDecimalSequence(s) && (max === undefined || compareSequences(s, max) > 0)) max = s;
  }
  return max;
}

export function withSequence<T extends NsResource>(body: T, sequence: string, digest?: string): T {
  return {
    ...body,
    labels: {
      ...(body.labels ?? {}),
      [LABEL_SEQUENCE]: sequence,
      ...(digest ? { [LABEL_SNAPSHOT]: digest } : {}),
    },
  };
}

/** True unless every given resource was written from a snapshot with this digest. */
export function inputsChanged(resources: NsResource[], digest: string): boolean {
  return resources.length === 0 || resources.some((r) => r.labels?.[LABEL_SNAPSHOT] !== digest);
}

function maxSequence(a: string | undefined, b: string): string {
  return isDecimalSequence(a) && isDecimalSequence(b) && compareSequences(a, b) > 0 ? a : b;
}

/**
 * Desired routes take the labels their live copy carries (new ones get `fresh`), so labels alone
 * never make a difference to plan.
 */
export function carrySequences(
  desired: Desired,
  actual: ActualState,
  fresh?: { sequence: string; digest?: string },
): Desired {
  const live = new Map<string, Record<string, string>>();
  for (const kind of ROUTE_COLLECTIONS)
    for (const r of routesOf(actual, kind)) live.set(`${kind}/${idOf(r.name)}`, r.labels ?? {});
  const carry = <T extends NsRoute>(r: T, kind: RouteCollection): T => {
    const labels = live.get(`${kind}/${idOf(r.name)}`);
    if (!labels) return fresh ? withSequence(r, fresh.sequence, fresh.digest) : r;
    const seq = labels[LABEL_SEQUENCE];
    const digest = labels[LABEL_SNAPSHOT];
    return seq ? withSequence(r, seq, digest) : r;
  };
  return { ...desired, ...mapRoutes(desired, carry) };
}

/** Every route desired is labelled with `sequence` and `digest` (its inputs changed since the labels were written). */
export function stampAll(desired: Desired, sequence: string, digest: string): Desired {
  return { ...desired, ...mapRoutes(desired, (r) => withSequence(r, sequence, digest)) };
}

/** Route creates and updates carry `sequence` (never lowering a label), with `labels` in the update mask. */
export function stampWrites(p: Plan, sequence: string): Plan {
  if (!isDecimalSequence(sequence) || sequence === '0') return p;
  const stamp = <T extends PlanItem>(item: T): T =>
    item.kind === 'meshes'
      ? item
      : {
          ...item,
          body: withSequence(
            item.body,
            maxSequence(item.body.labels?.[LABEL_SEQUENCE] ?? undefined, sequence),
          ),
        };
  const stampUpdate = (u: PlanUpdate): PlanUpdate => {
    const s = stamp(u);
    return s.kind === 'meshes' || s.updateMask.includes('labels')
      ? s
      : { ...s, updateMask: [...s.updateMask, 'labels'] };
  };
  return { ...p, creates: p.creates.map(stamp), updates: p.updates.map(stampUpdate) };
}

/**
 * The reconcile's reset (docs/architecture.md §5.2): a sequence label the cluster cannot have issued
 * (above its current resourceVersion, absurd, or not a number: forged, or from before an etcd
 * restore) becomes `resourceVersion`, so no label stalls a parent's events past one reconcile.
 * Labels the cluster could have issued stay, so a steady state still plans zero writes. Digest
 * labels need no reset: a wrong one can only make the next event re-stamp every label.
 */
export function boundSequences(desired: Desired, resourceVersion: string): Desired {
  if (!isDecimalSequence(resourceVersion)) return desired;
  const bound = <T extends NsResource>(r: T): T => {
    const label = r.labels?.[LABEL_SEQUENCE];
    if (label === undefined || withinCluster(label, resourceVersion) !== undefined) return r;
    return { ...r, labels: { ...(r.labels ?? {}), [LABEL_SEQUENCE]: resourceVersion } };
  };
  return { ...desired, ...mapRoutes(desired, bound) };
}
