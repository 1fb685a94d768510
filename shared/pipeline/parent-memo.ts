// What one sync instance last applied for each parent: every route id it read or wrote (its body,
// or null for "does not exist") and the origin of the event it came from. The next event of that
// parent may plan against it instead of reading the routes again, but only when it is the direct
// successor in the watcher's stream (same run, count + 1): Pub/Sub hands one ordering key to one
// delivery at a time, in order, so a contiguous count means no other event of this parent was
// published in between, and so none was applied by another instance either (sync.ts says what the
// memo may and may not decide). Anything else (no origin, another run, a gap, a repeat, an expired
// entry) refuses and forgets, and the event reads as usual.
import type { EventOrigin } from '../events/index.ts';
import { idOf } from '../plan/index.ts';
import type { ActualState, Plan } from '../plan/index.ts';
import { appliedSequence } from './sequence-labels.ts';
import { ROUTE_COLLECTIONS, routesOf, type NsRoute } from '../netsvc/kinds.ts';
import { ttlMemo } from './memo.ts';
import type { ParentResourceId, RouteCollection } from './parent-scope.ts';

export interface RememberedRoute {
  kind: RouteCollection;
  id: string;
  /** The route as our last write left it (or as we read it), or null when it does not exist. */
  body: NsRoute | null;
}

interface ParentEntry {
  origin: EventOrigin;
  routes: RememberedRoute[];
  /** When this instance last applied the parent (ms since the epoch). */
  appliedAt: number;
}

export type Recall =
  | { ok: true; routes: RememberedRoute[] }
  | { ok: false; why: 'no-origin' | 'none' | 'other-run' | 'not-next' };

export interface ParentMemo {
  /** The remembered routes when `origin` directly succeeds the remembered origin; otherwise forgets. */
  recallSuccessor(parent: string, origin: EventOrigin | undefined, now?: number): Recall;
  /**
   * The highest sequence label of the routes this instance last left for the parent, without
   * forgetting. The applied labels only move up from it (the reconcile carries or raises them) or
   * vanish with the routes: a stale event no newer than it may be refused without a read.
   */
  appliedSequence(parent: string, now?: number): string | undefined;
  /**
   * How long ago this instance applied the parent, when that is less than the stale-apply interval
   * (see syncParent: within it a stale snapshot is passed over); otherwise undefined.
   */
  appliedWithinStaleInterval(parent: string, now?: number): number | undefined;
  /**
   * The event `origin` was handled without touching Network Services: the remembered routes still
   * stand, now as of `origin`, so its successor may still use them. Not a direct successor: forgets.
   */
  advance(parent: string, origin: EventOrigin | undefined, now?: number): void;
  remember(parent: string, origin: EventOrigin, routes: RememberedRoute[], now?: number): void;
  forget(parent: string): void;
  size(): number;
}

export const DEFAULT_PARENT_MEMO_TTL_MS = 30_000;
/** A few KB per parent: bounded well under a function instance's memory. */
export const DEFAULT_PARENT_MEMO_ENTRIES = 2000;

/** True when `next` is the event right after `previous` in one watcher run. */
export function isDirectSuccessor(previous: EventOrigin, next: EventOrigin): boolean {
  return previous.run === next.run && next.count === previous.count + 1;
}

/** Within this long after applying a parent, a stale snapshot of it is passed over (see syncParent). */
export const DEFAULT_STALE_APPLY_INTERVAL_MS = 1000;

export function parentMemo(
  ttlMs = DEFAULT_PARENT_MEMO_TTL_MS,
  maxEntries = DEFAULT_PARENT_MEMO_ENTRIES,
  staleApplyIntervalMs = DEFAULT_STALE_APPLY_INTERVAL_MS,
): ParentMemo {
  const memo = ttlMemo<ParentEntry>({ ttlMs, maxEntries });
  return {
    recallSuccessor(parent, origin, now) {
      const entry = memo.recall(parent, now);
      const refuse = (why: Exclude<Recall, { ok: true }>['why']): Recall => {
        memo.forget(parent);
        return { ok: false, why };
      };
      if (!origin) return refuse('no-origin');
      if (!entry) return refuse('none');
      if (entry.origin.run !== origin.run) return refuse('other-run');
      if (!isDirectSuccessor(entry.origin, origin)) return refuse('not-next');
      return { ok: true, routes: entry.routes };
    },
    appliedSequence(parent, now) {
      const routes = memo.recall(parent, now)?.routes ?? [];
      return appliedSequence(routes.flatMap((r) => (r.body ? [r.body] : [])));
    },
    appliedWithinStaleInterval(parent, now = Date.now()) {
      const entry = memo.recall(parent, now);
      const ago = entry ? now - entry.appliedAt : undefined;
      return ago !== undefined && ago < staleApplyIntervalMs ? ago : undefined;
    },
    advance(parent, origin, now = Date.now()) {
      const entry = memo.recall(parent, now);
      if (entry && origin && isDirectSuccessor(entry.origin, origin))
        memo.remember(parent, { ...entry, origin }, now);
      else memo.forget(parent);
    },
    remember: (parent, origin, routes, now = Date.now()) =>
      memo.remember(parent, { origin, routes, appliedAt: now }, now),
    forget: (parent) => memo.forget(parent),
    size: () => memo.size(),
  };
}

/** The parent's routes once every write of `p` succeeded: written bodies, deleted ids null, the rest as read. */
export function routesAfter(ids: ParentResourceId[], actual: ActualState, p: Plan): RememberedRoute[] {
  const written = new Map<string, NsRoute | null>();
  for (const item of [...p.creates, ...p.updates])
    if (item.kind !== 'meshes') written.set(`${item.kind}/${item.id}`, item.body as NsRoute);
  for (const item of p.deletes) if (item.kind !== 'meshes') written.set(`${item.kind}/${item.id}`, null);
  const read = new Map<string, NsRoute>();
  for (const kind of ROUTE_COLLECTIONS)
    for (const r of routesOf(actual, kind)) read.set(`${kind}/${idOf(r.name)}`, r);
  return ids.map(({ kind, id }) => {
    const key = `${kind}/${id}`;
    return { kind, id, body: written.has(key) ? (written.get(key) ?? null) : (read.get(key) ?? null) };
  });
}

/** Splits the ids into the remembered bodies that stand in for reads and the ids still to read. */
export function standIns(
  ids: ParentResourceId[],
  remembered: RememberedRoute[],
): { known: RememberedRoute[]; unknown: ParentResourceId[] } {
  const byKey = new Map(remembered.map((r) => [`${r.kind}/${r.id}`, r] as const));
  const known: RememberedRoute[] = [];
  const unknown: ParentResourceId[] = [];
  for (const i of ids) {
    const r = byKey.get(`${i.kind}/${i.id}`);
    if (r) known.push(r);
    else unknown.push(i);
  }
  return { known, unknown };
}
