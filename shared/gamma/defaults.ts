// The defaults the API server's CRD schemas would fill in (gateway-api v1.6.1 standard CRDs plus
// the experimental fields we handle, and core/v1 Service). Raw YAML lacks them; a live cluster
// object already has them, so applying them again changes nothing (idempotent).
//
// Copy-on-write: only the objects along a changed path are copied (each at most once); everything
// else is shared with the input, which is never mutated. Only known fields are walked, so unknown or
// hostile subtrees (deep nesting, wrong types) are left alone and cannot make this throw.
// Hand-written per shape, without closures or per-node arrays: this runs on every route of every
// snapshot. Key order of a copy is the input's, then the filled keys in the order listed here.
import { isPlainObject } from './parse.ts';
import type { KubeObject } from './types.ts';
import { GATEWAY_GROUP } from './types.ts';

type Obj = Record<string, unknown>;

export const DEFAULT_PATH_MATCH = Object.freeze({ type: 'PathPrefix', value: '/' });

export function applyDefaults<T extends KubeObject>(obj: T): T {
  if (!isPlainObject(obj)) return obj;
  const kind = obj.kind;
  if (kind === 'HTTPRoute' || kind === 'GRPCRoute') {
    if (!isGatewayApiVersion(obj.apiVersion)) return obj;
    const spec = kind === 'HTTPRoute' ? httpRouteSpec(obj.spec) : grpcRouteSpec(obj.spec);
    return withSpec(obj, spec) as T;
  }
  if (kind === 'TCPRoute' || kind === 'TLSRoute') {
    if (!isGatewayApiVersion(obj.apiVersion)) return obj;
    return withSpec(obj, streamRouteSpec(obj.spec)) as T;
  }
  if (obj.apiVersion === 'v1' && kind === 'Service') {
    const spec = serviceSpec(obj.spec);
    return withSpec(obj, spec) as T;
  }
  return obj;
}

function withSpec(obj: Obj, spec: unknown): Obj {
  if (spec === obj.spec) return obj;
  const out = shallowCopy(obj);
  out.spec = spec;
  return out;
}

/** `apiVersion.split('/')[0] === GATEWAY_GROUP`, without the split. */
export function isGatewayApiVersion(apiVersion: unknown): boolean {
  if (typeof apiVersion !== 'string' || !apiVersion.startsWith(GATEWAY_GROUP)) return false;
  return apiVersion.length === GATEWAY_GROUP.length || apiVersion.charCodeAt(GATEWAY_GROUP.length) === 47;
}

// ---- copy-on-write helpers ----
// Named property reads and stores only (no computed keys): V8 keeps those on its fast paths.

/**
 * `{ ...src }`, built key by key into a fresh literal: V8 adds properties to that far faster than to
 * a spread clone (~20x here), and every copy gets a filled key afterwards. Anything a plain copy
 * would get wrong (an own `__proto__` key, inherited enumerable keys, symbol keys) takes the spread.
 */
function shallowCopy(src: Obj): Obj {
  if (Object.getOwnPropertySymbols(src).length > 0) return { ...src };
  const out: Obj = {};
  for (const key in src) {
    if (key === '__proto__' || !Object.hasOwn(src, key)) return { ...src };
    out[key] = src[key];
  }
  return out;
}

/** `acc` itself when it is already our copy of `orig`, else a shallow copy of `orig` to write to. */
function copyOf(acc: Obj, orig: Obj): Obj {
  return acc === orig ? shallowCopy(orig) : acc;
}

/**
 * `out` with `key` set to `next` (copying `orig` first unless `out` is already our copy), or `out`
 * itself when `next` is the value it holds: the one copy-on-write step every converter below takes.
 */
function withField(out: Obj, orig: Obj, key: string, next: unknown): Obj {
  if (next === out[key]) return out;
  const copy = copyOf(out, orig);
  copy[key] = next;
  return copy;
}

/** Maps a list element-wise; returns the same array when no element changed (holes stay holes). */
function mapList(value: unknown, step: (item: unknown) => unknown): unknown {
  if (!Array.isArray(value)) return value;
  let out: unknown[] | undefined;
  for (let i = 0; i < value.length; i++) {
    const item: unknown = value[i];
    const next = step(item);
    if (next === item) continue;
    out ??= value.slice();
    out[i] = next;
  }
  return out ?? value;
}

// ---- Gateway API ----
// Each fills the keys absent (undefined) in its input; present values, even of the wrong type, are kept.

function defaultPathMatch(): Obj {
  return { type: 'PathPrefix', value: '/' };
}

function parentRef(ref: unknown): unknown {
  if (!isPlainObject(ref) || (ref.group !== undefined && ref.kind !== undefined)) return ref;
  const out = shallowCopy(ref);
  if (ref.group === undefined) out.group = GATEWAY_GROUP;
  if (ref.kind === undefined) out.kind = 'Gateway';
  return out;
}

function headerMatch(match: unknown): unknown {
  if (!isPlainObject(match) || match.type !== undefined) return match;
  const out = shallowCopy(match);
  out.type = 'Exact';
  return out;
}

function httpRouteSpec(spec: unknown): unknown {
  if (!isPlainObject(spec)) return spec;
  let out = spec;
  out = withField(out, spec, 'parentRefs', mapList(spec.parentRefs, parentRef));
  const rules = out.rules;
  const nextRules =
    rules === undefined ? [{ matches: [{ path: defaultPathMatch() }] }] : mapList(rules, httpRule);
  if (nextRules !== rules) {
    out = copyOf(out, spec);
    out.rules = nextRules;
  }
  return out;
}

function grpcRouteSpec(spec: unknown): unknown {
  if (!isPlainObject(spec)) return spec;
  let out = spec;
  out = withField(out, spec, 'parentRefs', mapList(spec.parentRefs, parentRef));
  out = withField(out, spec, 'rules', mapList(out.rules, grpcRule));
  return out;
}

function httpRule(rule: unknown): unknown {
  if (!isPlainObject(rule)) return rule;
  let out = rule;
  out = withField(
    out,
    rule,
    'matches',
    rule.matches === undefined ? [{ path: defaultPathMatch() }] : mapList(rule.matches, httpMatch),
  );
  out = withField(out, rule, 'filters', mapList(out.filters, httpFilter));
  out = withField(out, rule, 'backendRefs', mapList(out.backendRefs, httpBackendRef));
  return withSessionPersistence(out, rule);
}

function grpcRule(rule: unknown): unknown {
  if (!isPlainObject(rule)) return rule;
  let out = rule;
  out = withField(out, rule, 'matches', mapList(rule.matches, grpcMatch));
  out = withField(out, rule, 'filters', mapList(out.filters, grpcFilter));
  out = withField(out, rule, 'backendRefs', mapList(out.backendRefs, grpcBackendRef));
  return withSessionPersistence(out, rule);
}

function withSessionPersistence(out: Obj, rule: Obj): Obj {
  const sp = out.sessionPersistence;
  const next = sessionPersistence(sp);
  if (next === sp) return out;
  out = copyOf(out, rule);
  out.sessionPersistence = next;
  return out;
}

function httpMatch(match: unknown): unknown {
  if (!isPlainObject(match)) return match;
  let out = match;
  out = withField(out, match, 'path', match.path === undefined ? defaultPathMatch() : pathMatch(match.path));
  out = withField(out, match, 'headers', mapList(out.headers, headerMatch));
  out = withField(out, match, 'queryParams', mapList(out.queryParams, headerMatch));
  return out;
}

function pathMatch(path: unknown): unknown {
  if (!isPlainObject(path) || (path.type !== undefined && path.value !== undefined)) return path;
  const out = shallowCopy(path);
  if (path.type === undefined) out.type = 'PathPrefix';
  if (path.value === undefined) out.value = '/';
  return out;
}

function grpcMatch(match: unknown): unknown {
  if (!isPlainObject(match)) return match;
  let out = match;
  const method = match.method;
  if (isPlainObject(method) && method.type === undefined) {
    const nextMethod = shallowCopy(method);
    nextMethod.type = 'Exact';
    out = shallowCopy(match);
    out.method = nextMethod;
  }
  out = withField(out, match, 'headers', mapList(out.headers, headerMatch));
  return out;
}

function httpFilter(filter: unknown): unknown {
  if (!isPlainObject(filter)) return filter;
  let out = filter;
  const redirect = filter.requestRedirect;
  if (isPlainObject(redirect) && redirect.statusCode === undefined) {
    const next = shallowCopy(redirect);
    next.statusCode = 302;
    out = shallowCopy(filter);
    out.requestRedirect = next;
  }
  out = withField(out, filter, 'requestMirror', requestMirror(out.requestMirror));
  const cors = out.cors;
  if (isPlainObject(cors) && cors.maxAge === undefined) {
    const next = shallowCopy(cors);
    next.maxAge = 5;
    out = copyOf(out, filter);
    out.cors = next;
  }
  return out;
}

function grpcFilter(filter: unknown): unknown {
  if (!isPlainObject(filter)) return filter;
  const mirror = filter.requestMirror;
  const nextMirror = requestMirror(mirror);
  if (nextMirror === mirror) return filter;
  const out = shallowCopy(filter);
  out.requestMirror = nextMirror;
  return out;
}

function requestMirror(mirror: unknown): unknown {
  if (!isPlainObject(mirror)) return mirror;
  let out = mirror;
  const ref = mirror.backendRef;
  if (isPlainObject(ref) && (ref.group === undefined || ref.kind === undefined)) {
    const next = shallowCopy(ref);
    if (ref.group === undefined) next.group = '';
    if (ref.kind === undefined) next.kind = 'Service';
    out = shallowCopy(mirror);
    out.backendRef = next;
  }
  const fraction = out.fraction;
  if (isPlainObject(fraction) && fraction.denominator === undefined) {
    const next = shallowCopy(fraction);
    next.denominator = 100;
    out = copyOf(out, mirror);
    out.fraction = next;
  }
  return out;
}

function httpBackendRef(ref: unknown): unknown {
  return backendRef(ref, httpFilter);
}

/** TCPRoute and TLSRoute (every served version): parentRef and backendRef defaults only, no rule defaults. */
function streamRouteSpec(spec: unknown): unknown {
  if (!isPlainObject(spec)) return spec;
  const out = withField(spec, spec, 'parentRefs', mapList(spec.parentRefs, parentRef));
  return withField(out, spec, 'rules', mapList(out.rules, streamRule));
}

function streamRule(rule: unknown): unknown {
  if (!isPlainObject(rule)) return rule;
  return withField(rule, rule, 'backendRefs', mapList(rule.backendRefs, streamBackendRef));
}

function streamBackendRef(ref: unknown): unknown {
  return backendRef(ref, noFilter);
}

function noFilter(filter: unknown): unknown {
  return filter;
}

function grpcBackendRef(ref: unknown): unknown {
  return backendRef(ref, grpcFilter);
}

function backendRef(ref: unknown, filter: (f: unknown) => unknown): unknown {
  if (!isPlainObject(ref)) return ref;
  let out = ref;
  if (ref.group === undefined || ref.kind === undefined || ref.weight === undefined) {
    out = shallowCopy(ref);
    if (ref.group === undefined) out.group = '';
    if (ref.kind === undefined) out.kind = 'Service';
    if (ref.weight === undefined) out.weight = 1;
  }
  out = withField(out, ref, 'filters', mapList(out.filters, filter));
  return out;
}

function sessionPersistence(sp: unknown): unknown {
  if (!isPlainObject(sp)) return sp;
  let out = sp;
  if (sp.type === undefined) {
    out = shallowCopy(sp);
    out.type = 'Cookie';
  }
  const cookie = out.cookieConfig;
  if (isPlainObject(cookie) && cookie.lifetimeType === undefined) {
    const next = shallowCopy(cookie);
    next.lifetimeType = 'Session';
    out = copyOf(out, sp);
    out.cookieConfig = next;
  }
  return out;
}

// ---- core/v1 Service ----

function serviceSpec(spec: unknown): unknown {
  if (!isPlainObject(spec)) return spec;
  let out = spec;
  if (spec.type === undefined) {
    out = shallowCopy(spec);
    out.type = 'ClusterIP';
  }
  out = withField(out, spec, 'ports', mapList(out.ports, servicePort));
  return out;
}

function servicePort(port: unknown): unknown {
  if (!isPlainObject(port)) return port;
  let out = port;
  if (port.protocol === undefined) {
    out = shallowCopy(port);
    out.protocol = 'TCP';
  }
  if (out.targetPort !== undefined || out.port === undefined) return out;
  out = copyOf(out, port);
  out.targetPort = out.port;
  return out;
}
