// Validation shared by HTTPRoute and GRPCRoute: parentRefs, hostnames, backend references,
// header matches, header modifiers, mirror, session persistence, total-match CEL.
import type { Errors, Obj } from './checks.ts';
import {
  DNS_LABEL,
  DNS_SUBDOMAIN,
  DURATION,
  GROUP,
  HEADER_NAME,
  HOSTNAME,
  KIND,
  at,
  boolean,
  integer,
  list,
  object,
  string,
  unique,
} from './checks.ts';

export const MAX_RULES = 16;
export const MAX_TOTAL_MATCHES = 128;

const groupRule = { max: 253, pattern: GROUP, patternName: 'empty or an RFC 1123 subdomain' };
const kindRule = { min: 1, max: 63, pattern: KIND, patternName: 'a kind name (letters, digits, dashes)' };
const namespaceRule = { min: 1, max: 63, pattern: DNS_LABEL, patternName: 'a lowercase RFC 1123 label' };
const nameRule = { required: true, min: 1, max: 253 };
export const sectionNameRule = {
  min: 1,
  max: 253,
  pattern: DNS_SUBDOMAIN,
  patternName: 'a lowercase RFC 1123 name',
};
export const durationRule = {
  pattern: DURATION,
  patternName: 'a Gateway API duration such as "10s" or "1h30m"',
};

export function validateParentRefs(errs: Errors, value: unknown, path: string): void {
  const refs = list(errs, value, path, { max: 32 });
  const keyed: KeyedParentRef[] = [];
  refs.forEach((v, i) => {
    const p = at(path, i);
    const ref = object(errs, v, p, true);
    if (!ref) return;
    const group = string(errs, ref.group, at(p, 'group'), groupRule);
    const kind = string(errs, ref.kind, at(p, 'kind'), kindRule);
    const namespace = string(errs, ref.namespace, at(p, 'namespace'), namespaceRule);
    const name = string(errs, ref.name, at(p, 'name'), nameRule);
    const section = string(errs, ref.sectionName, at(p, 'sectionName'), sectionNameRule);
    const port = integer(errs, ref.port, at(p, 'port'), { min: 1, max: 65535 });
    keyed.push({
      parent: `${group}/${kind}/${namespace ?? ''}/${name}`,
      section: section || undefined,
      port: port || undefined,
    });
  });
  checkParentRefsDistinct(errs, keyed, path);
}

interface KeyedParentRef {
  parent: string;
  section?: string;
  port?: number;
}

/**
 * CEL on parentRefs when the same parent appears twice. We apply the experimental-channel form
 * ("sectionName or port"): `port` is in the standard CRD since v1.1 and is how a mesh route picks
 * Service ports; the older standard form (sectionName only) would reject valid per-port routes.
 */
function checkParentRefsDistinct(errs: Errors, refs: KeyedParentRef[], path: string): void {
  const byParent = new Map<string, KeyedParentRef[]>();
  for (const r of refs) byParent.set(r.parent, [...(byParent.get(r.parent) ?? []), r]);
  for (const same of byParent.values()) {
    if (same.length < 2) continue;
    const consistent = same.every(
      (r) =>
        (r.section === undefined) === (same[0].section === undefined) &&
        (r.port === undefined) === (same[0].port === undefined),
    );
    if (!consistent) {
      errs.add(
        path,
        'sectionName or port must be specified when parentRefs includes 2 or more references to the same parent',
      );
      continue;
    }
    const keys = new Set(same.map((r) => `${r.section ?? ''}:${r.port ?? ''}`));
    if (keys.size !== same.length) {
      errs.add(
        path,
        'sectionName or port must be unique when parentRefs includes 2 or more references to the same parent',
      );
    }
  }
}

export function validateHostnames(errs: Errors, value: unknown, path: string): void {
  list(errs, value, path, { max: 16 }).forEach((h, i) =>
    string(errs, h, at(path, i), {
      required: true,
      min: 1,
      max: 253,
      pattern: HOSTNAME,
      patternName: 'a lowercase RFC 1123 hostname, optionally starting with "*."',
    }),
  );
}

/** BackendObjectReference (+ weight when `weighted`), with the "port required for Service" CEL. */
export function validateBackendObjectRef(errs: Errors, ref: Obj, path: string, weighted: boolean): void {
  const group = string(errs, ref.group, at(path, 'group'), groupRule);
  const kind = string(errs, ref.kind, at(path, 'kind'), kindRule);
  string(errs, ref.name, at(path, 'name'), nameRule);
  string(errs, ref.namespace, at(path, 'namespace'), namespaceRule);
  const port = integer(errs, ref.port, at(path, 'port'), { min: 1, max: 65535 });
  if (weighted) integer(errs, ref.weight, at(path, 'weight'), { min: 0, max: 1_000_000 });
  if (
    (group ?? '') === '' &&
    (kind ?? 'Service') === 'Service' &&
    port === undefined &&
    ref.port === undefined
  ) {
    errs.add(at(path, 'port'), 'Must have port for Service reference');
  }
}

export function validateHeaderMatches(errs: Errors, value: unknown, path: string, maxValue: number): void {
  const names: (string | undefined)[] = [];
  list(errs, value, path, { max: 16 }).forEach((v, i) => {
    const p = at(path, i);
    const m = object(errs, v, p, true);
    if (!m) return names.push(undefined);
    string(errs, m.type, at(p, 'type'), { enum: ['Exact', 'RegularExpression'] });
    names.push(
      string(errs, m.name, at(p, 'name'), {
        required: true,
        min: 1,
        max: 256,
        pattern: HEADER_NAME,
        patternName: 'a valid header name',
      }),
    );
    string(errs, m.value, at(p, 'value'), { required: true, min: 1, max: maxValue });
  });
  unique(errs, names, path, 'name');
}

export function validateHeaderModifier(errs: Errors, value: unknown, path: string): void {
  const mod = object(errs, value, path, true);
  if (!mod) return;
  for (const op of ['set', 'add'] as const) {
    const names: (string | undefined)[] = [];
    const p = at(path, op);
    list(errs, mod[op], p, { max: 16 }).forEach((h, i) => {
      const header = object(errs, h, at(p, i), true);
      if (!header) return names.push(undefined);
      names.push(string(errs, header.name, at(at(p, i), 'name'), headerNameRule));
      string(errs, header.value, at(at(p, i), 'value'), { required: true, min: 1, max: 4096 });
    });
    unique(errs, names, p, 'name');
  }
  const removePath = at(path, 'remove');
  const removed = list(errs, mod.remove, removePath, { max: 16 }).map((h, i) =>
    string(errs, h, at(removePath, i), headerNameRule),
  );
  unique(errs, removed, removePath);
}

const headerNameRule = {
  required: true,
  min: 1,
  max: 256,
  pattern: HEADER_NAME,
  patternName: 'a valid header name',
};

export function validateMirror(errs: Errors, value: unknown, path: string): void {
  const mirror = object(errs, value, path, true);
  if (!mirror) return;
  const ref = object(errs, mirror.backendRef, at(path, 'backendRef'), true);
  if (ref) validateBackendObjectRef(errs, ref, at(path, 'backendRef'), false);
  integer(errs, mirror.percent, at(path, 'percent'), { min: 0, max: 100 });
  const fraction = object(errs, mirror.fraction, at(path, 'fraction'));
  if (fraction) {
    const num = integer(errs, fraction.numerator, at(path, 'fraction.numerator'), { required: true, min: 0 });
    const den = integer(errs, fraction.denominator, at(path, 'fraction.denominator'), { min: 1 });
    if (num !== undefined && num > (den ?? 100)) {
      errs.add(at(path, 'fraction'), 'numerator must be less than or equal to denominator');
    }
  }
  if (mirror.percent !== undefined && mirror.fraction !== undefined) {
    errs.add(path, 'Only one of percent or fraction may be specified in HTTPRequestMirrorFilter');
  }
}

export function validateExtensionRef(errs: Errors, value: unknown, path: string): void {
  const ref = object(errs, value, path, true);
  if (!ref) return;
  string(errs, ref.group, at(path, 'group'), { ...groupRule, required: true });
  string(errs, ref.kind, at(path, 'kind'), { ...kindRule, required: true });
  string(errs, ref.name, at(path, 'name'), nameRule);
}

export function validateSessionPersistence(errs: Errors, value: unknown, path: string): void {
  const sp = object(errs, value, path);
  if (!sp) return;
  string(errs, sp.sessionName, at(path, 'sessionName'), { max: 128 });
  const absolute = string(errs, sp.absoluteTimeout, at(path, 'absoluteTimeout'), durationRule);
  string(errs, sp.idleTimeout, at(path, 'idleTimeout'), durationRule);
  string(errs, sp.type, at(path, 'type'), { enum: ['Cookie', 'Header'] });
  const cookie = object(errs, sp.cookieConfig, at(path, 'cookieConfig'));
  const lifetime = cookie
    ? string(errs, cookie.lifetimeType, at(path, 'cookieConfig.lifetimeType'), {
        enum: ['Session', 'Permanent'],
      })
    : undefined;
  if (lifetime === 'Permanent' && absolute === undefined) {
    errs.add(
      at(path, 'absoluteTimeout'),
      'AbsoluteTimeout must be specified when cookie lifetimeType is Permanent',
    );
  }
}

/** Filter-type/field agreement CEL: the field named by `type` must be set, and no other. */
export function checkFilterUnion(
  errs: Errors,
  filter: Obj,
  path: string,
  type: string,
  fields: Record<string, string>,
): void {
  for (const [filterType, field] of Object.entries(fields)) {
    const present = filter[field] !== undefined && filter[field] !== null;
    if (filterType === type && !present) {
      errs.add(at(path, field), `filter.${field} must be specified for ${type} filter.type`);
    } else if (filterType !== type && present) {
      errs.add(at(path, field), `filter.${field} must be nil if the filter.type is not ${filterType}`);
    }
  }
}

/** "At most once" CEL on a filter list. */
export function checkNotRepeated(
  errs: Errors,
  types: (string | undefined)[],
  path: string,
  once: readonly string[],
): void {
  for (const t of once) {
    if (types.filter((x) => x === t).length > 1) errs.add(path, `${t} filter cannot be repeated`);
  }
}

export function countMatches(rules: unknown[]): number {
  return rules.reduce<number>(
    (n, r) => n + (isArray((r as Obj | null)?.matches) ? (r as { matches: unknown[] }).matches.length : 0),
    0,
  );
}

function isArray(v: unknown): v is unknown[] {
  return Array.isArray(v);
}

export { boolean };

/**
 * The parts HTTPRoute and GRPCRoute specs share: parentRefs, hostnames and the rules list with its
 * total-matches CEL rule. Returns the rules for the kind's own rule checks.
 */
export function validateCommonRouteSpec(errs: Errors, spec: Obj, path: string, minRules?: number): unknown[] {
  validateParentRefs(errs, spec.parentRefs, at(path, 'parentRefs'));
  validateHostnames(errs, spec.hostnames, at(path, 'hostnames'));
  const rulesPath = at(path, 'rules');
  const rules = list(errs, spec.rules, rulesPath, { min: minRules, max: MAX_RULES });
  if (countMatches(rules) > MAX_TOTAL_MATCHES) {
    errs.add(
      rulesPath,
      `the total number of matches across all rules in a route must be at most ${MAX_TOTAL_MATCHES}`,
    );
  }
  return rules;
}

/**
 * The envelope every filter shares: an object with a known `type` whose matching body field (and only
 * that one) is set. Returns the type and, when present, the body with its path for the kind's check.
 */
export function filterBody(
  errs: Errors,
  value: unknown,
  path: string,
  fields: Record<string, string>,
): { type: string; body?: { value: unknown; path: string } } | undefined {
  const filter = object(errs, value, path, true);
  if (!filter) return undefined;
  const types = Object.keys(fields);
  const type = string(errs, filter.type, at(path, 'type'), { required: true, enum: types });
  if (type === undefined || !types.includes(type)) return undefined;
  checkFilterUnion(errs, filter, path, type, fields);
  const field = fields[type];
  const body = filter[field];
  if (body === undefined || body === null) return { type };
  return { type, body: { value: body, path: at(path, field) } };
}
