// TCPRoute and TLSRoute specs: schema limits and CEL rules of the gateway-api v1.6.1 CRDs, per served
// version (docs/support-matrix.md, "TCPRoute" and "TLSRoute"). The versions share their fields and
// differ only in limits, so the version the object is written in picks them, as the API server would:
// - TCPRoute v1 and TLSRoute v1/v1alpha3: exactly one rule; v1alpha2: 1-16 rules with unique names.
// - TLSRoute v1/v1alpha3: hostnames required (1-1024) with CEL "no IP", RFC 1123, wildcard first label;
//   v1alpha2: hostnames optional (at most 1024), pattern only.
// - backendRefs: 1-16 per rule, weight 0-1000000, and the "port required for Service" CEL.
import { isIP } from 'node:net';
import type { Errors, Obj } from './checks.ts';
import { HOSTNAME, at, list, object, string } from './checks.ts';
import { sectionNameRule, validateBackendObjectRef, validateParentRefs } from './validate-common.ts';

export type StreamKind = 'TCPRoute' | 'TLSRoute';

/** Served versions per kind, newest first (the CRDs' storage version is v1). */
export const STREAM_ROUTE_VERSIONS: Readonly<Record<StreamKind, readonly string[]>> = {
  TCPRoute: ['v1', 'v1alpha2'],
  TLSRoute: ['v1', 'v1alpha3', 'v1alpha2'],
};

const MAX_HOSTNAMES = 1024;

export function validateStreamRouteSpec(errs: Errors, kind: StreamKind, version: string, spec: Obj): void {
  const alpha2 = version === 'v1alpha2';
  validateParentRefs(errs, spec.parentRefs, 'spec.parentRefs');
  string(errs, spec.useDefaultGateways, 'spec.useDefaultGateways', { enum: ['All', 'None'] });
  if (kind === 'TLSRoute') validateSniHostnames(errs, spec.hostnames, 'spec.hostnames', !alpha2);
  const rules = list(errs, spec.rules, 'spec.rules', { required: true, min: 1, max: alpha2 ? 16 : 1 });
  const names = rules.map((r, i) => validateRule(errs, r, at('spec.rules', i)));
  if (alpha2) uniqueRuleNames(errs, names);
}

function validateRule(errs: Errors, value: unknown, path: string): string | undefined {
  const rule = object(errs, value, path, true);
  if (!rule) return undefined;
  const name = string(errs, rule.name, at(path, 'name'), sectionNameRule);
  const refsPath = at(path, 'backendRefs');
  list(errs, rule.backendRefs, refsPath, { required: true, min: 1, max: 16 }).forEach((b, i) => {
    const ref = object(errs, b, at(refsPath, i), true);
    if (ref) validateBackendObjectRef(errs, ref, at(refsPath, i), true);
  });
  return name;
}

function uniqueRuleNames(errs: Errors, names: (string | undefined)[]): void {
  const named = names.filter((n): n is string => n !== undefined);
  if (new Set(named).size !== named.length)
    errs.add('spec.rules', 'Rule name must be unique within the route');
}

/** TLSRoute hostnames: SNI names, so never an IP (RFC 6066); the CEL rules only from v1alpha3 on. */
function validateSniHostnames(errs: Errors, value: unknown, path: string, cel: boolean): void {
  const hosts = list(errs, value, path, { required: cel, min: cel ? 1 : undefined, max: MAX_HOSTNAMES });
  const checked = hosts.map((h, i) =>
    string(errs, h, at(path, i), {
      required: true,
      min: 1,
      max: 253,
      pattern: HOSTNAME,
      patternName: 'a lowercase RFC 1123 hostname, optionally starting with "*."',
    }),
  );
  if (cel && checked.some((h) => h !== undefined && isIP(h) !== 0))
    errs.add(path, 'Hostnames cannot contain an IP');
}
