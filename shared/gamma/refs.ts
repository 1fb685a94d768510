// Gateway API reference semantics, in one place (docs/architecture.md §4.1): which parentRef names a
// Service, what identifies a parentRef, and every Service a route sends traffic to. Everything here
// applies the API's defaults the same way:
// - parentRef: `group` defaults to gateway.networking.k8s.io and `kind` to Gateway, so only an
//   explicit `group: ""` with `kind: Service` names a Service (`core` is accepted as an alias of "",
//   as Istio and Cilium do); `namespace` defaults to the route's namespace.
// - backendRef (and RequestMirror target): `group` defaults to "" and `kind` to Service; `namespace`
//   defaults to the route's namespace. Only core Services are backends (`core` is not an alias here).
// Plain data in, plain data out; the input may be unvalidated (malformed parts are skipped).
import type { BackendObjectReference, ParentReference, Route, UDPRoute } from './types.ts';
import { GATEWAY_GROUP } from './types.ts';

/** A Service by namespace and name. */
export interface ServiceRef {
  namespace: string;
  name: string;
}

/**
 * An object a parentRef may name: a Service unless `kind` says otherwise. `group` defaults to ""
 * (core) for a Service and to gateway.networking.k8s.io for any other kind.
 */
export interface ParentKey {
  namespace: string;
  name: string;
  kind?: string;
  group?: string;
}

/** The namespace a namespaced object lives in when metadata.namespace is absent. */
export const DEFAULT_NAMESPACE = 'default';

export const refKey = (r: ServiceRef): string => `${r.namespace}/${r.name}`;

export function serviceRefOf(svc: { metadata: { namespace?: string; name: string } }): ServiceRef {
  return { namespace: svc.metadata.namespace ?? DEFAULT_NAMESPACE, name: svc.metadata.name };
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** "" and its alias "core": the group of core Kubernetes objects in a parentRef. */
export function isCoreGroup(group: unknown): boolean {
  return group === '' || group === 'core';
}

/** A reference's namespace, or the route's when absent (or empty, which the API would reject). */
export function refNamespace(ref: { namespace?: unknown }, routeNamespace: string): string {
  return typeof ref.namespace === 'string' && ref.namespace !== '' ? ref.namespace : routeNamespace;
}

/** The parentRef's group with the API default applied. */
export function parentRefGroup(ref: ParentReference): string {
  return ref.group ?? GATEWAY_GROUP;
}

/** The parentRef's kind with the API default applied. */
export function parentRefKind(ref: ParentReference): string {
  return ref.kind ?? 'Gateway';
}

/** Whether a parentRef names a Service (GAMMA): kind Service in group "" (or "core"), with a name. */
export function isServiceParentRef(ref: unknown): ref is ParentReference {
  if (!isObj(ref) || typeof ref.name !== 'string') return false;
  const r = ref as unknown as ParentReference;
  return parentRefKind(r) === 'Service' && isCoreGroup(parentRefGroup(r));
}

/** Whether a parentRef (on a route in `routeNamespace`) names `target` (a Service unless its kind says otherwise). */
export function parentRefNames(ref: ParentReference, routeNamespace: string, target: ParentKey): boolean {
  const kind = target.kind ?? 'Service';
  if (parentRefKind(ref) !== kind || ref.name !== target.name) return false;
  if (refNamespace(ref, routeNamespace) !== target.namespace) return false;
  const group = parentRefGroup(ref);
  const wanted = target.group ?? (kind === 'Service' ? '' : GATEWAY_GROUP);
  return group === wanted || (kind === 'Service' && isCoreGroup(group) && isCoreGroup(wanted));
}

/**
 * Identity of a parentRef (as a status entry carries it): every field with its default applied, so
 * the same parent written with or without its defaults is one entry.
 */
export function parentRefIdentity(ref: ParentReference, routeNamespace: string): string {
  return JSON.stringify([
    parentRefGroup(ref),
    parentRefKind(ref),
    refNamespace(ref, routeNamespace),
    ref.name,
    ref.sectionName ?? '',
    ref.port ?? 0,
  ]);
}

const routeNamespace = (route: Route | UDPRoute): string => route.metadata.namespace ?? DEFAULT_NAMESPACE;

/** The parent Services a route (UDPRoutes too) names, deduplicated, in parentRef order. */
export function parentRefsOf(route: Route | UDPRoute): ServiceRef[] {
  const out = new Map<string, ServiceRef>();
  const refs: unknown = route.spec?.parentRefs;
  if (!Array.isArray(refs)) return [];
  for (const ref of refs) {
    if (!isServiceParentRef(ref)) continue;
    const parent = { namespace: refNamespace(ref, routeNamespace(route)), name: ref.name };
    out.set(refKey(parent), parent);
  }
  return [...out.values()];
}

/** Whether the route (a UDPRoute too) names `parent` as a parent Service. */
export function routeTargets(route: Route | UDPRoute, parent: ServiceRef): boolean {
  const refs: unknown = route.spec?.parentRefs;
  if (!Array.isArray(refs)) return false;
  const namespace = routeNamespace(route);
  return refs.some((ref) => isServiceParentRef(ref) && parentRefNames(ref, namespace, parent));
}

/** Whether a backendRef (or RequestMirror target) names a core Service: group "" and kind Service by default. */
export function isServiceBackendRef(ref: unknown): ref is BackendObjectReference {
  if (!isObj(ref) || typeof ref.name !== 'string' || ref.name === '') return false;
  return (ref.group ?? '') === '' && (ref.kind ?? 'Service') === 'Service';
}

function visitMirrors(filters: unknown, visit: (ref: unknown) => void): void {
  if (!Array.isArray(filters)) return;
  for (let i = 0; i < filters.length; i++) {
    const f: unknown = filters[i];
    if (isObj(f) && f.type === 'RequestMirror' && isObj(f.requestMirror)) visit(f.requestMirror.backendRef);
  }
}

/**
 * Calls `visit` with every backend reference of a route's rules (HTTPRoute or GRPCRoute), as written:
 * per rule, its backendRefs, then the RequestMirror targets of the rule's filters, then those of each
 * backendRef's filters (the order route status lists their problems in). Rules and backendRefs that
 * are not objects are skipped; a mirror target is passed as it is, even when malformed.
 */
export function forEachBackendRef(rules: unknown, visit: (ref: unknown) => void): void {
  if (!Array.isArray(rules)) return;
  for (let r = 0; r < rules.length; r++) {
    const rule: unknown = rules[r];
    if (!isObj(rule)) continue;
    const refs = Array.isArray(rule.backendRefs) ? (rule.backendRefs as unknown[]) : [];
    for (let i = 0; i < refs.length; i++) if (isObj(refs[i])) visit(refs[i]);
    visitMirrors(rule.filters, visit);
    for (let i = 0; i < refs.length; i++) {
      const ref = refs[i];
      if (isObj(ref)) visitMirrors(ref.filters, visit);
    }
  }
}

/** Every Service a route sends to: each backendRef and RequestMirror target naming a Service, deduplicated. */
export function backendRefsOf(route: Route): ServiceRef[] {
  const out = new Map<string, ServiceRef>();
  const namespace = routeNamespace(route);
  forEachBackendRef(route.spec?.rules, (ref) => {
    if (!isServiceBackendRef(ref)) return;
    const svc = { namespace: refNamespace(ref, namespace), name: ref.name };
    out.set(refKey(svc), svc);
  });
  return [...out.values()];
}

/** Whether the route sends traffic (or mirrors it) to `svc`. */
export function routeUses(route: Route, svc: ServiceRef): boolean {
  return backendRefsOf(route).some((b) => b.namespace === svc.namespace && b.name === svc.name);
}
