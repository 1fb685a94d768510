// Which parent Services a single cluster change affects (docs/architecture.md §2.1). Pure: the change
// (old and new object) plus the informer caches after the change in, the affected parents out.
import type { ReferenceGrant, Route, Service, UDPRoute } from '../shared/gamma/types.ts';
import type { ServiceRef } from '../shared/gamma/refs.ts';
import {
  DEFAULT_NAMESPACE,
  backendRefsOf,
  parentRefsOf,
  refKey,
  routeTargets,
  routeUses,
  serviceRefOf,
} from '../shared/gamma/refs.ts';

export type WatchedObject = Service | Route | UDPRoute | ReferenceGrant;

export interface Change {
  type: 'add' | 'update' | 'delete';
  /** The object before the change (update, delete). */
  old?: WatchedObject;
  /** The object after the change (add, update). */
  new?: WatchedObject;
}

/** The caches after the change was applied. */
export interface ClusterView {
  services: readonly Service[];
  /** Routes of the kinds gamma-csm translates: their parents, and the Services they send to. */
  routes: readonly Route[];
  /**
   * UDPRoutes: only their parents matter (their snapshot holds the parent Service and the short-name
   * fact, which sync checks); they send nowhere gamma-csm follows, so backends and grants skip them.
   */
  udpRoutes?: readonly UDPRoute[];
  /** refKeys of Services that were route parents before (their Network Services routes may exist). */
  knownParents?: { has(key: string): boolean };
}

export interface AffectedParent {
  parent: ServiceRef;
  reasons: string[];
  /**
   * Port numbers the parent Service had before this change, set when the parent itself changed its
   * ports or disappeared: the sync function deletes routes of ports that are gone.
   */
  previousPorts?: number[];
}

const VERB = { add: 'added', update: 'modified', delete: 'deleted' } as const;

function describe(obj: WatchedObject, type: Change['type']): string {
  return `${obj.kind} ${obj.metadata.namespace ?? 'default'}/${obj.metadata.name} ${VERB[type]}`;
}

/** The fields of a route that change its translation; status and bookkeeping are left out. */
function routeEssence(r: Route | UDPRoute | undefined): string {
  if (!r) return '';
  const { labels, annotations, deletionTimestamp } = r.metadata;
  return JSON.stringify([r.spec, labels ?? {}, annotations ?? {}, deletionTimestamp ?? null]);
}

/** The fields of a Service the translation reads: ports, type and annotations (backend overrides). */
function serviceEssence(s: Service | undefined): string {
  if (!s) return '';
  return JSON.stringify([
    s.spec?.ports ?? [],
    s.spec?.type ?? '',
    s.spec?.externalName ?? '',
    s.metadata.annotations ?? {},
  ]);
}

function portsOf(s: Service | undefined): number[] {
  return [...new Set((s?.spec?.ports ?? []).map((p) => p.port))].sort((a, b) => a - b);
}

class Collector {
  private readonly byKey = new Map<string, AffectedParent>();

  add(parent: ServiceRef, reason: string, previousPorts?: number[]): void {
    const key = refKey(parent);
    const entry = this.byKey.get(key) ?? { parent, reasons: [] };
    if (!entry.reasons.includes(reason)) entry.reasons.push(reason);
    if (previousPorts) entry.previousPorts = mergePorts(entry.previousPorts, previousPorts);
    this.byKey.set(key, entry);
  }

  result(): AffectedParent[] {
    return [...this.byKey.values()].sort((a, b) => refKey(a.parent).localeCompare(refKey(b.parent)));
  }
}

export function mergePorts(a: number[] | undefined, b: number[] | undefined): number[] | undefined {
  if (!a && !b) return undefined;
  return [...new Set([...(a ?? []), ...(b ?? [])])].sort((x, y) => x - y);
}

function routeChange(change: Change, out: Collector): void {
  const old = change.old as Route | UDPRoute | undefined;
  const now = change.new as Route | UDPRoute | undefined;
  if (change.type === 'update' && routeEssence(old) === routeEssence(now)) return;
  const reason = describe((now ?? old) as Route | UDPRoute, change.type);
  // Old and new parents: a route moved from A to B must leave A and reach B.
  for (const r of [old, now]) if (r) for (const p of parentRefsOf(r)) out.add(p, reason);
}

function serviceChange(change: Change, view: ClusterView, out: Collector): void {
  const old = change.old as Service | undefined;
  const now = change.new as Service | undefined;
  if (change.type === 'update' && serviceEssence(old) === serviceEssence(now)) return;
  const svc = (now ?? old) as Service;
  const self = serviceRefOf(svc);
  const reason = describe(svc, change.type);
  const portsChanged = old !== undefined && portsOf(old).join() !== portsOf(now).join();
  const previousPorts = portsChanged ? portsOf(old) : undefined;
  // The Service as a parent: one with routes now, or one that had routes (deleted with the Service in
  // one coalescing window) and may still have Network Services routes on its old ports.
  const wasParent = view.knownParents?.has(refKey(self)) && (portsChanged || change.type === 'delete');
  const naming = [...view.routes, ...(view.udpRoutes ?? [])];
  if (wasParent || naming.some((r) => routeTargets(r, self))) out.add(self, reason, previousPorts);
  // The Service as a backend (or mirror target) of other parents' routes.
  for (const r of view.routes) {
    if (!routeUses(r, self)) continue;
    for (const p of parentRefsOf(r)) out.add(p, `backend ${reason}`);
  }
  // A Service appearing or disappearing changes whether its short name is unique (docs/architecture.md §4.3).
  if (change.type === 'update') return;
  for (const r of naming) {
    for (const p of parentRefsOf(r)) {
      if (p.name === self.name && p.namespace !== self.namespace)
        out.add(p, `short name "${self.name}": ${reason}`);
    }
  }
}

/**
 * A ReferenceGrant in namespace N decides whether routes of other namespaces may send to (or mirror
 * to) Services in N (docs/security.md §2): every parent of such a route is translated again.
 */
function grantChange(change: Change, view: ClusterView, out: Collector): void {
  const old = change.old as ReferenceGrant | undefined;
  const now = change.new as ReferenceGrant | undefined;
  if (change.type === 'update' && JSON.stringify(old?.spec) === JSON.stringify(now?.spec)) return;
  const grant = (now ?? old) as ReferenceGrant;
  const namespace = grant.metadata.namespace ?? DEFAULT_NAMESPACE;
  const reason = describe(grant, change.type);
  for (const r of view.routes) {
    if ((r.metadata.namespace ?? DEFAULT_NAMESPACE) === namespace) continue;
    if (!backendRefsOf(r).some((b) => b.namespace === namespace)) continue;
    for (const p of parentRefsOf(r)) out.add(p, reason);
  }
}

/** Every parent Service whose snapshot may differ after `change`, with why. */
export function affectedParents(change: Change, view: ClusterView): AffectedParent[] {
  const obj = change.new ?? change.old;
  if (!obj) return [];
  const out = new Collector();
  if (obj.kind === 'Service') serviceChange(change, view, out);
  else if (obj.kind === 'ReferenceGrant') grantChange(change, view, out);
  else routeChange(change, out);
  return out.result();
}
