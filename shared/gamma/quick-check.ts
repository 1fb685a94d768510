// A cheap pre-check for validateObject: `isCertainlyValid(obj)` is true only when the full walk
// would report no error at all, so validateObject can skip it (and its per-node path strings,
// depth walk and known-fields walk) on the common valid route. It is deliberately partial: any
// shape it does not cover (nulls, rare filters, session persistence, ...) gives
// false and the full walk decides, with its messages. No allocation on the common shape, no
// recursion beyond the fixed schema depth, and a bounded depth walk for the subtrees it does not
// read (status, managedFields), so hostile input cannot make it slow or throw.
import { DNS_LABEL, DNS_SUBDOMAIN, DURATION, HOSTNAME } from './checks.ts';
import { isGatewayApiVersion } from './defaults.ts';
import { GATEWAY_GROUP } from './types.ts';
import { MAX_NESTING_DEPTH, isPlainObject, nestingDepth } from './parse.ts';
import { MAX_RULES, MAX_TOTAL_MATCHES } from './validate-common.ts';
import { HTTP_METHODS, isCleanPathValue, parseDuration } from './validate-http.ts';
import { GRPC_METHOD, GRPC_SERVICE } from './validate-grpc.ts';
import {
  HEADER_TYPES,
  REDIRECT,
  grpcFiltersOk,
  httpFilterTypes,
  mode,
  okBackendObjectRef,
  okHeaderMatches,
  onlyKeys,
  optEnum,
  optGroup,
  optKind,
  optInt,
  optList,
  optStr,
  str,
} from './quick-check-parts.ts';

type Obj = Record<string, unknown>;

export function isCertainlyValid(obj: unknown): boolean {
  return quickCheck(obj, false);
}

/**
 * isCertainlyValid, and every field a CRD default fills is already present (as on every route the
 * API server returns): applyDefaults would return the object itself, so translate can skip both the
 * defaults walk and validation in one pass. False says nothing; the usual path then decides.
 */
export function isCertainlyValidAsDefaulted(obj: unknown): boolean {
  return quickCheck(obj, true);
}

function quickCheck(obj: unknown, defaultsRequired: boolean): boolean {
  mode.defaultsRequired = defaultsRequired;
  try {
    return isCertainlyValidRoute(obj);
  } catch {
    return false; // a throwing getter or proxy: the full walk reports it
  } finally {
    mode.defaultsRequired = false;
  }
}

function isCertainlyValidRoute(obj: unknown): boolean {
  if (!isPlainObject(obj)) return false;
  const { kind } = obj;
  const http = kind === 'HTTPRoute';
  const stream = kind === 'TCPRoute' || kind === 'TLSRoute';
  if (!http && !stream && kind !== 'GRPCRoute') return false;
  if (!isGatewayApiVersion(obj.apiVersion) || !okMetadata(obj.metadata)) return false;
  const spec = obj.spec;
  if (stream) {
    if (!okStreamSpec(spec, kind === 'TLSRoute', obj.apiVersion === `${GATEWAY_GROUP}/v1alpha2`))
      return false;
  } else if (!(http ? okHttpSpec(spec) : okGrpcSpec(spec))) return false;
  for (const key in obj) {
    if (key === 'spec' || key === 'metadata') continue; // schema-bounded depth, checked above
    if (!shallowEnough(obj[key], MAX_NESTING_DEPTH - 1)) return false;
  }
  return true;
}

/** An unread subtree whose root sits at depth MAX - limit + 1 stays within the nesting limit. */
function shallowEnough(value: unknown, limit: number): boolean {
  return typeof value !== 'object' || value === null || nestingDepth(value, limit) <= limit;
}

// ---- metadata ----

function okMetadata(meta: unknown): boolean {
  if (!isPlainObject(meta)) return false;
  if (!str(meta.name, 1, 253, DNS_SUBDOMAIN) || !optStr(meta.namespace, 1, 63, DNS_LABEL)) return false;
  if (!optInt(meta.generation, 0, Infinity) || !optStr(meta.creationTimestamp, 0, Infinity)) return false;
  if (!stringMap(meta.labels) || !stringMap(meta.annotations)) return false;
  for (const key in meta) {
    if (key === 'labels' || key === 'annotations') continue;
    if (!shallowEnough(meta[key], MAX_NESTING_DEPTH - 2)) return false;
  }
  return true;
}

function stringMap(v: unknown): boolean {
  if (v === undefined) return true;
  if (!isPlainObject(v)) return false;
  for (const key in v) if (typeof v[key] !== 'string') return false;
  return true;
}

// ---- spec ----

function okHttpSpec(spec: unknown): boolean {
  if (!isPlainObject(spec) || !okCommonSpec(spec)) return false;
  const rules = spec.rules;
  if (!optList(rules, MAX_RULES) || (rules !== undefined && rules.length < 1)) return false;
  if (rules === undefined) return !mode.defaultsRequired;
  let matches = 0;
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i];
    if (!okHttpRule(rule)) return false;
    matches += (rule as { matches?: unknown[] }).matches?.length ?? 0;
  }
  return matches <= MAX_TOTAL_MATCHES;
}

function okGrpcSpec(spec: unknown): boolean {
  if (!isPlainObject(spec) || !okCommonSpec(spec)) return false;
  const rules = spec.rules;
  if (!optList(rules, MAX_RULES)) return false;
  if (rules === undefined) return true;
  let matches = 0;
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i];
    if (!okGrpcRule(rule)) return false;
    matches += (rule as { matches?: unknown[] }).matches?.length ?? 0;
  }
  return matches <= MAX_TOTAL_MATCHES;
}

function okCommonSpec(spec: Obj): boolean {
  if (!onlyKeys(spec, 'parentRefs', 'hostnames', 'rules', 'useDefaultGateways')) return false;
  const flag = spec.useDefaultGateways; // not validated, so only a scalar keeps the depth bounded
  if (typeof flag === 'object' && flag !== null) return false;
  return okParentRefs(spec.parentRefs) && okHostnames(spec.hostnames);
}

function okParentRefs(refs: unknown): boolean {
  if (!optList(refs, 32)) return false;
  if (refs === undefined) return true;
  for (let i = 0; i < refs.length; i++) if (!okParentRef(refs[i])) return false;
  return refs.length < 2 || distinctParents(refs as Obj[]);
}

function okParentRef(ref: unknown): boolean {
  return (
    isPlainObject(ref) &&
    (!mode.defaultsRequired || (ref.group !== undefined && ref.kind !== undefined)) &&
    onlyKeys(ref, 'group', 'kind', 'namespace', 'name', 'sectionName', 'port') &&
    optGroup(ref.group) &&
    optKind(ref.kind) &&
    optStr(ref.namespace, 1, 63, DNS_LABEL) &&
    str(ref.name, 1, 253) &&
    optStr(ref.sectionName, 1, 253, DNS_SUBDOMAIN) &&
    optInt(ref.port, 1, 65535)
  );
}

/**
 * The parentRefs CEL: refs to the same parent must all set, or all omit, sectionName and port, and
 * differ in them. "The same parent" compares exactly what the full walk's key joins
 * (`${group}/${kind}/${namespace ?? ''}/${name}`), pairwise, without building the keys.
 */
function distinctParents(refs: Obj[]): boolean {
  for (let i = 1; i < refs.length; i++) {
    const a = refs[i];
    for (let j = 0; j < i; j++) {
      const b = refs[j];
      if (!sameParent(a, b)) continue;
      if ((a.sectionName === undefined) !== (b.sectionName === undefined)) return false;
      if ((a.port === undefined) !== (b.port === undefined)) return false;
      if (a.sectionName === b.sectionName && a.port === b.port) return false;
    }
  }
  return true;
}

function sameParent(a: Obj, b: Obj): boolean {
  return (
    a.name === b.name &&
    `${a.group as string}` === `${b.group as string}` &&
    `${a.kind as string}` === `${b.kind as string}` &&
    `${(a.namespace as string | undefined) ?? ''}` === `${(b.namespace as string | undefined) ?? ''}`
  );
}

function okHostnames(hostnames: unknown): boolean {
  if (!optList(hostnames, 16)) return false;
  if (hostnames === undefined) return true;
  for (let i = 0; i < hostnames.length; i++) if (!str(hostnames[i], 1, 253, HOSTNAME)) return false;
  return true;
}

// ---- TCPRoute and TLSRoute (validate-stream.ts: the limits of the version written) ----

function okStreamSpec(spec: unknown, tls: boolean, alpha2: boolean): boolean {
  if (!isPlainObject(spec)) return false;
  if (!onlyKeys(spec, 'parentRefs', 'rules', 'useDefaultGateways', tls ? 'hostnames' : 'parentRefs'))
    return false;
  if (!optEnum(spec.useDefaultGateways, ['All', 'None']) || !okParentRefs(spec.parentRefs)) return false;
  if (tls && !okSniHostnames(spec.hostnames, !alpha2)) return false;
  const rules = spec.rules;
  if (rules === undefined || !optList(rules, alpha2 ? 16 : 1) || rules.length < 1) return false;
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i];
    if (!isPlainObject(rule) || !onlyKeys(rule, 'name', 'backendRefs')) return false;
    if (!optStr(rule.name, 1, 253, DNS_SUBDOMAIN)) return false;
    // Rule names unique (v1alpha2's CEL): compared pairwise, without a set.
    if (rule.name !== undefined)
      for (let j = 0; j < i; j++) if ((rules[j] as Obj).name === rule.name) return false;
    const refs = rule.backendRefs;
    if (refs === undefined || !optList(refs, 16) || refs.length < 1) return false;
    for (let k = 0; k < refs.length; k++) {
      const ref = refs[k];
      if (!isPlainObject(ref) || !onlyKeys(ref, 'group', 'kind', 'name', 'namespace', 'port', 'weight'))
        return false;
      if (!okBackendObjectRef(ref, true)) return false;
    }
  }
  return true;
}

/** TLSRoute hostnames: from v1alpha3 on required, and never an IPv4 address (IPv6 fails the pattern). */
function okSniHostnames(hostnames: unknown, cel: boolean): boolean {
  if (!optList(hostnames, 1024)) return false;
  if (hostnames === undefined || hostnames.length === 0) return !cel;
  for (let i = 0; i < hostnames.length; i++) {
    const h = hostnames[i];
    if (!str(h, 1, 253, HOSTNAME) || (cel && IPV4.test(h as string))) return false;
  }
  return true;
}

const IPV4 = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

// ---- HTTPRoute rules ----

const PATH_TYPES = ['Exact', 'PathPrefix', 'RegularExpression'];

function okHttpRule(rule: unknown): boolean {
  if (!isPlainObject(rule)) return false;
  if (!onlyKeys(rule, 'name', 'matches', 'filters', 'backendRefs', 'timeouts', 'retry')) return false;
  if (!optStr(rule.name, 1, 253, DNS_SUBDOMAIN)) return false;
  const matches = rule.matches;
  if (!optList(matches, 64) || (mode.defaultsRequired && matches === undefined)) return false;
  if (matches !== undefined)
    for (let i = 0; i < matches.length; i++) if (!okHttpMatch(matches[i])) return false;
  const filters = httpFilterTypes(rule.filters, matches);
  const refs = rule.backendRefs;
  if (filters < 0 || !optList(refs, 16)) return false;
  if (refs !== undefined) {
    if (refs.length > 0 && filters & REDIRECT) return false;
    for (let i = 0; i < refs.length; i++) if (!okBackendRef(refs[i], true, matches)) return false;
  }
  return okTimeouts(rule.timeouts) && okRetry(rule.retry);
}

function okHttpMatch(match: unknown): boolean {
  if (!isPlainObject(match) || !onlyKeys(match, 'path', 'headers', 'queryParams', 'method')) return false;
  const path = match.path;
  if (mode.defaultsRequired && path === undefined) return false;
  if (path !== undefined) {
    if (!isPlainObject(path) || !onlyKeys(path, 'type', 'value')) return false;
    const { type, value } = path;
    if (mode.defaultsRequired && (type === undefined || value === undefined)) return false;
    if (!optEnum(type, PATH_TYPES) || !optStr(value, 0, 1024)) return false;
    const literal = type === 'Exact' || type === 'PathPrefix';
    if (literal && value !== undefined && !isCleanPathValue(value as string)) return false;
  }
  return (
    okHeaderMatches(match.headers, 4096) &&
    okHeaderMatches(match.queryParams, 1024) &&
    optEnum(match.method, HTTP_METHODS)
  );
}

function okBackendRef(ref: unknown, http: boolean, matches: unknown[] | undefined): boolean {
  if (!isPlainObject(ref)) return false;
  if (!onlyKeys(ref, 'group', 'kind', 'name', 'namespace', 'port', 'weight', 'filters')) return false;
  if (!okBackendObjectRef(ref, true)) return false;
  return http ? httpFilterTypes(ref.filters, matches) >= 0 : grpcFiltersOk(ref.filters);
}

function okTimeouts(t: unknown): boolean {
  if (t === undefined) return true;
  if (!isPlainObject(t) || !onlyKeys(t, 'request', 'backendRequest')) return false;
  const { request, backendRequest } = t;
  if (!optStr(request, 0, Infinity, DURATION) || !optStr(backendRequest, 0, Infinity, DURATION)) return false;
  if (request === undefined || backendRequest === undefined) return true;
  const r = parseDuration(request as string) as number;
  return r === 0 || (parseDuration(backendRequest as string) as number) <= r;
}

function okRetry(r: unknown): boolean {
  if (r === undefined) return true;
  if (!isPlainObject(r) || !onlyKeys(r, 'codes', 'attempts', 'backoff')) return false;
  const codes = r.codes;
  if (!optList(codes, Infinity)) return false;
  if (codes !== undefined) for (let i = 0; i < codes.length; i++) if (!okCode(codes[i])) return false;
  return optInt(r.attempts, 0, Infinity) && optStr(r.backoff, 0, Infinity, DURATION);
}

function okCode(code: unknown): boolean {
  return code !== undefined && optInt(code, 400, 599);
}

// ---- GRPCRoute rules ----

function okGrpcRule(rule: unknown): boolean {
  if (!isPlainObject(rule) || !onlyKeys(rule, 'name', 'matches', 'filters', 'backendRefs')) return false;
  if (!optStr(rule.name, 1, 253, DNS_SUBDOMAIN)) return false;
  const matches = rule.matches;
  if (!optList(matches, 8)) return false;
  if (matches !== undefined)
    for (let i = 0; i < matches.length; i++) if (!okGrpcMatch(matches[i])) return false;
  if (!grpcFiltersOk(rule.filters)) return false;
  const refs = rule.backendRefs;
  if (!optList(refs, 16)) return false;
  if (refs !== undefined)
    for (let i = 0; i < refs.length; i++) if (!okBackendRef(refs[i], false, undefined)) return false;
  return true;
}

function okGrpcMatch(match: unknown): boolean {
  if (!isPlainObject(match) || !onlyKeys(match, 'method', 'headers')) return false;
  const method = match.method;
  if (method !== undefined && !okMethodMatch(method)) return false;
  return okHeaderMatches(match.headers, 4096);
}

function okMethodMatch(m: unknown): boolean {
  if (!isPlainObject(m) || !onlyKeys(m, 'type', 'service', 'method')) return false;
  const { type, service, method } = m;
  if (mode.defaultsRequired && type === undefined) return false;
  if (!optEnum(type, HEADER_TYPES) || !optStr(service, 0, 1024) || !optStr(method, 0, 1024)) return false;
  if (service === undefined && method === undefined) return type === undefined;
  if (type === 'RegularExpression') return true;
  return optStr(service, 0, 1024, GRPC_SERVICE) && optStr(method, 0, 1024, GRPC_METHOD);
}
