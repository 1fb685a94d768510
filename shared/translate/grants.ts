// ReferenceGrant checks for cross-namespace backendRefs and RequestMirror targets (docs/security.md §2).
// GEP-1294 lets meshes skip ReferenceGrant, and that stays the default ('allow'); with
// crossNamespaceBackends 'referencegrant' a ref from a route in namespace A to a Service in namespace
// B resolves only when some ReferenceGrant in B has a `from` {group gateway.networking.k8s.io, kind
// <the route's kind>, namespace A} and a `to` {group "", kind Service, name absent or the Service's}.
// Malformed grants (hostile or unvalidated input) grant nothing.
import type { ReferenceGrant, RouteKind } from '../gamma/types.ts';
import { GATEWAY_GROUP } from '../gamma/types.ts';
import type { Problem } from './model.ts';
import { asArray, isObj } from './util.ts';

export const CROSS_NAMESPACE_VARIABLE = 'GAMMA_CROSS_NAMESPACE_BACKENDS';

/** Whether the grants let a `kind` route in `from` reference Service `name` in `to`. */
export type GrantCheck = (kind: RouteKind, from: string, to: string, name: string) => boolean;

/** The check over one snapshot's grants, indexed by the grant's namespace. */
export function grantCheck(grants: unknown): GrantCheck {
  const byNamespace = new Map<string, ReferenceGrant[]>();
  for (const grant of asArray<ReferenceGrant>(grants)) {
    if (!isObj(grant) || !isObj(grant.metadata) || !isObj(grant.spec)) continue;
    if (grant.kind !== 'ReferenceGrant') continue;
    const namespace = typeof grant.metadata.namespace === 'string' ? grant.metadata.namespace : 'default';
    const list = byNamespace.get(namespace);
    if (list) list.push(grant);
    else byNamespace.set(namespace, [grant]);
  }
  return (kind, from, to, name) =>
    (byNamespace.get(to) ?? []).some((grant) => grantAllows(grant, kind, from, name));
}

function grantAllows(grant: ReferenceGrant, kind: RouteKind, from: string, name: string): boolean {
  const fromOk = asArray<unknown>(grant.spec.from).some(
    (f) => isObj(f) && f.group === GATEWAY_GROUP && f.kind === kind && f.namespace === from,
  );
  if (!fromOk) return false;
  return asArray<unknown>(grant.spec.to).some(
    (t) =>
      isObj(t) &&
      t.group === '' &&
      t.kind === 'Service' &&
      (t.name === undefined || t.name === '' || t.name === name),
  );
}

/** The RefNotPermitted problem of a cross-namespace ref no grant allows. */
export function refNotPermitted(kind: RouteKind, from: string, to: string, name: string): Problem {
  return {
    reason: 'RefNotPermitted',
    message: `backendRef Service ${to}/${name} is in another namespace and ${CROSS_NAMESPACE_VARIABLE}=referencegrant: add a ReferenceGrant in namespace ${to} allowing ${kind} from namespace ${from} to Service ${name}`,
  };
}
