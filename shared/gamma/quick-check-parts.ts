// The quick check's building blocks (see quick-check.ts): scalar rules that mirror checks.ts
// without paths or messages, header matches, filters and backend object references.
import { DNS_LABEL, GROUP, HEADER_NAME, KIND, PRECISE_HOSTNAME } from './checks.ts';
import { isPlainObject } from './parse.ts';

type Obj = Record<string, unknown>;

/**
 * Set while isCertainlyValidAsDefaulted runs: every field a CRD default fills must then be present
 * too (one module-level switch instead of a parameter threaded through every check).
 */
export const mode = { defaultsRequired: false };

// ---- scalars: absent (undefined) is fine where noted; null always defers to the full walk ----

export function str(v: unknown, min: number, max: number, pattern?: RegExp): boolean {
  return typeof v === 'string' && v.length >= min && v.length <= max && (!pattern || pattern.test(v));
}

export function optStr(v: unknown, min: number, max: number, pattern?: RegExp): boolean {
  return v === undefined || str(v, min, max, pattern);
}

export function optInt(v: unknown, min: number, max: number): boolean {
  return v === undefined || (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max);
}

export function optList(v: unknown, max: number): v is unknown[] | undefined {
  return v === undefined || (Array.isArray(v) && v.length <= max);
}

/**
 * A reference's group and kind: the core group ("") and Service, which nearly every ref holds, are
 * known to match their patterns, so the regex runs only for other values.
 */
export function optGroup(v: unknown): boolean {
  return v === '' || optStr(v, 0, 253, GROUP);
}

export function optKind(v: unknown): boolean {
  return v === 'Service' || optStr(v, 1, 63, KIND);
}

export function optEnum(v: unknown, values: readonly string[]): boolean {
  return v === undefined || (typeof v === 'string' && values.includes(v));
}

/** Only the listed keys (own or inherited enumerable); anything else is an unknown field. */
export function onlyKeys(o: Obj, a: string, b = a, c = a, d = a, e = a, f = a, g = a): boolean {
  for (const k in o) {
    if (k !== a && k !== b && k !== c && k !== d && k !== e && k !== f && k !== g) return false;
  }
  return true;
}

// ---- lists and filters shared by both kinds ----

export const HEADER_TYPES = ['Exact', 'RegularExpression'];
const REDIRECT_CODES = [301, 302, 303, 307, 308];

export function okHeaderMatches(list: unknown, maxValue: number): boolean {
  if (!optList(list, 16)) return false;
  if (list === undefined) return true;
  for (let i = 0; i < list.length; i++) {
    const m = list[i];
    if (!isPlainObject(m) || !onlyKeys(m, 'type', 'name', 'value')) return false;
    if (mode.defaultsRequired && m.type === undefined) return false;
    if (!optEnum(m.type, HEADER_TYPES) || !str(m.name, 1, 256, HEADER_NAME) || !str(m.value, 1, maxValue)) {
      return false;
    }
    for (let j = 0; j < i; j++) if ((list[j] as Obj).name === m.name) return false;
  }
  return true;
}

// Filter types as bits, so a filter list's types fit in one number.
const REQUEST_HEADERS = 1;
const RESPONSE_HEADERS = 2;
export const REDIRECT = 4;
const REWRITE = 8;
const MIRROR = 16;
const ONCE = REQUEST_HEADERS | RESPONSE_HEADERS | REDIRECT | REWRITE;

/** The union of the list's filter type bits, or -1 when the full walk must decide. */
export function httpFilterTypes(filters: unknown, matches: unknown[] | undefined): number {
  if (!optList(filters, 16)) return -1;
  if (filters === undefined) return 0;
  let seen = 0;
  let prefixRewrite = false;
  for (let i = 0; i < filters.length; i++) {
    const f = filters[i];
    const bit = isPlainObject(f) ? httpFilterBit(f) : -1;
    if (bit < 0 || (seen & bit & ONCE) !== 0) return -1;
    seen |= bit;
    const body = (f as Obj)[bit === REDIRECT ? 'requestRedirect' : 'urlRewrite'];
    if (
      bit & (REDIRECT | REWRITE) &&
      ((body as Obj).path as Obj | undefined)?.type === 'ReplacePrefixMatch'
    ) {
      prefixRewrite = true;
    }
  }
  if ((seen & (REDIRECT | REWRITE)) === (REDIRECT | REWRITE)) return -1;
  if (prefixRewrite && !singlePathPrefix(matches)) return -1;
  return seen;
}

/** ReplacePrefixMatch's CEL: exactly one match, of type PathPrefix. */
function singlePathPrefix(matches: unknown[] | undefined): boolean {
  return matches?.length === 1 && ((matches[0] as Obj).path as Obj | undefined)?.type === 'PathPrefix';
}

function httpFilterBit(f: Obj): number {
  switch (f.type) {
    case 'RequestHeaderModifier':
      return onlyKeys(f, 'type', 'requestHeaderModifier') && okHeaderModifier(f.requestHeaderModifier)
        ? REQUEST_HEADERS
        : -1;
    case 'ResponseHeaderModifier':
      return onlyKeys(f, 'type', 'responseHeaderModifier') && okHeaderModifier(f.responseHeaderModifier)
        ? RESPONSE_HEADERS
        : -1;
    case 'RequestRedirect':
      return onlyKeys(f, 'type', 'requestRedirect') && okRedirect(f.requestRedirect) ? REDIRECT : -1;
    case 'URLRewrite':
      return onlyKeys(f, 'type', 'urlRewrite') && okRewrite(f.urlRewrite) ? REWRITE : -1;
    case 'RequestMirror':
      return onlyKeys(f, 'type', 'requestMirror') && okMirror(f.requestMirror) ? MIRROR : -1;
    default:
      return -1; // ExtensionRef, CORS, ExternalAuth, unknown: the full walk decides
  }
}

function okHeaderModifier(mod: unknown): boolean {
  if (!isPlainObject(mod) || !onlyKeys(mod, 'set', 'add', 'remove')) return false;
  if (!okHeaderList(mod.set) || !okHeaderList(mod.add)) return false;
  const remove = mod.remove;
  if (!optList(remove, 16)) return false;
  if (remove === undefined) return true;
  for (let i = 0; i < remove.length; i++) {
    if (!str(remove[i], 1, 256, HEADER_NAME)) return false;
    for (let j = 0; j < i; j++) if (remove[j] === remove[i]) return false;
  }
  return true;
}

function okHeaderList(list: unknown): boolean {
  if (!optList(list, 16)) return false;
  if (list === undefined) return true;
  for (let i = 0; i < list.length; i++) {
    const h = list[i];
    if (!isPlainObject(h) || !onlyKeys(h, 'name', 'value')) return false;
    if (!str(h.name, 1, 256, HEADER_NAME) || !str(h.value, 1, 4096)) return false;
    for (let j = 0; j < i; j++) if ((list[j] as Obj).name === h.name) return false;
  }
  return true;
}

function okRedirect(r: unknown): boolean {
  if (!isPlainObject(r) || !onlyKeys(r, 'scheme', 'hostname', 'path', 'port', 'statusCode')) return false;
  const code = r.statusCode;
  if (mode.defaultsRequired && code === undefined) return false;
  return (
    optEnum(r.scheme, ['http', 'https']) &&
    optStr(r.hostname, 1, 253, PRECISE_HOSTNAME) &&
    okPathModifier(r.path) &&
    optInt(r.port, 1, 65535) &&
    (code === undefined || REDIRECT_CODES.includes(code as number))
  );
}

function okRewrite(r: unknown): boolean {
  if (!isPlainObject(r) || !onlyKeys(r, 'hostname', 'path')) return false;
  return optStr(r.hostname, 1, 253, PRECISE_HOSTNAME) && okPathModifier(r.path);
}

/** The field named by `type` is set and the other one absent. */
function okPathModifier(m: unknown): boolean {
  if (m === undefined) return true;
  if (!isPlainObject(m) || !onlyKeys(m, 'type', 'replaceFullPath', 'replacePrefixMatch')) return false;
  if (m.type === 'ReplaceFullPath')
    return str(m.replaceFullPath, 0, 1024) && m.replacePrefixMatch === undefined;
  if (m.type === 'ReplacePrefixMatch')
    return str(m.replacePrefixMatch, 0, 1024) && m.replaceFullPath === undefined;
  return false;
}

function okMirror(m: unknown): boolean {
  if (!isPlainObject(m) || !onlyKeys(m, 'backendRef', 'percent', 'fraction')) return false;
  const ref = m.backendRef;
  if (!isPlainObject(ref) || !onlyKeys(ref, 'group', 'kind', 'name', 'namespace', 'port')) return false;
  if (!okBackendObjectRef(ref, false) || !optInt(m.percent, 0, 100)) return false;
  const fraction = m.fraction;
  if (fraction === undefined) return true;
  if (m.percent !== undefined || !isPlainObject(fraction)) return false;
  if (mode.defaultsRequired && fraction.denominator === undefined) return false;
  if (!onlyKeys(fraction, 'numerator', 'denominator')) return false;
  const { numerator, denominator } = fraction;
  if (numerator === undefined || !optInt(numerator, 0, Infinity) || !optInt(denominator, 1, Infinity))
    return false;
  return (numerator as number) <= ((denominator as number | undefined) ?? 100);
}

/** BackendObjectReference, and the "port required for a Service" CEL. */
export function okBackendObjectRef(ref: Obj, weighted: boolean): boolean {
  const { group, kind, port } = ref;
  if (mode.defaultsRequired && (group === undefined || kind === undefined)) return false;
  if (mode.defaultsRequired && weighted && ref.weight === undefined) return false;
  if (!optGroup(group) || !optKind(kind) || !str(ref.name, 1, 253)) return false;
  if (!optStr(ref.namespace, 1, 63, DNS_LABEL) || !optInt(port, 1, 65535)) return false;
  if (weighted && !optInt(ref.weight, 0, 1_000_000)) return false;
  return port !== undefined || !((group ?? '') === '' && (kind ?? 'Service') === 'Service');
}

/** gRPC filters: header modifiers (at most once each) and mirrors; anything else defers. */
export function grpcFiltersOk(filters: unknown): boolean {
  if (!optList(filters, 16)) return false;
  if (filters === undefined) return true;
  let seen = 0;
  for (let i = 0; i < filters.length; i++) {
    const f = filters[i];
    const bit =
      isPlainObject(f) && f.type !== 'RequestRedirect' && f.type !== 'URLRewrite' ? httpFilterBit(f) : -1;
    if (bit < 0 || (seen & bit & ONCE) !== 0) return false;
    seen |= bit;
  }
  return true;
}
