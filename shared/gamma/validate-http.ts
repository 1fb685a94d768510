// HTTPRoute spec: schema limits and the CEL rules of the v1.6.1 CRD (standard channel), plus the
// experimental retry, sessionPersistence and CORS fields.
import type { Errors, Obj } from './checks.ts';
import { HEADER_NAME, PRECISE_HOSTNAME, at, boolean, integer, list, object, string } from './checks.ts';
import {
  filterBody,
  checkNotRepeated,
  validateCommonRouteSpec,
  durationRule,
  sectionNameRule,
  validateBackendObjectRef,
  validateExtensionRef,
  validateHeaderMatches,
  validateHeaderModifier,
  validateMirror,
  validateSessionPersistence,
} from './validate-common.ts';

export const HTTP_METHODS = [
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'CONNECT',
  'OPTIONS',
  'TRACE',
  'PATCH',
] as const;
const FILTER_FIELDS: Record<string, string> = {
  RequestHeaderModifier: 'requestHeaderModifier',
  ResponseHeaderModifier: 'responseHeaderModifier',
  RequestMirror: 'requestMirror',
  RequestRedirect: 'requestRedirect',
  URLRewrite: 'urlRewrite',
  ExtensionRef: 'extensionRef',
  CORS: 'cors',
  ExternalAuth: 'externalAuth', // experimental channel: valid here, translate decides support
};
const NOT_REPEATED = [
  'CORS',
  'RequestHeaderModifier',
  'ResponseHeaderModifier',
  'RequestRedirect',
  'URLRewrite',
];
const PATH_CHARS = /^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$/;

export function validateHttpRouteSpec(errs: Errors, spec: Obj, path: string): void {
  validateCommonRouteSpec(errs, spec, path, 1).forEach((r, i) =>
    validateRule(errs, r, at(at(path, 'rules'), i)),
  );
}

function validateRule(errs: Errors, value: unknown, path: string): void {
  const rule = object(errs, value, path, true);
  if (!rule) return;
  string(errs, rule.name, at(path, 'name'), sectionNameRule);
  const matches = list(errs, rule.matches, at(path, 'matches'), { max: 64 });
  matches.forEach((m, i) => validateMatch(errs, m, at(at(path, 'matches'), i)));
  const filters = validateFilters(errs, rule.filters, at(path, 'filters'));
  const backendRefs = list(errs, rule.backendRefs, at(path, 'backendRefs'), { max: 16 });
  backendRefs.forEach((b, i) => validateBackendRef(errs, b, at(at(path, 'backendRefs'), i), matches));
  if (filters.includes('RequestRedirect') && backendRefs.length > 0) {
    errs.add(path, 'RequestRedirect filter must not be used together with backendRefs');
  }
  checkReplacePrefix(errs, rule.filters, matches, at(path, 'filters'));
  validateTimeouts(errs, rule.timeouts, at(path, 'timeouts'));
  validateRetry(errs, rule.retry, at(path, 'retry'));
  validateSessionPersistence(errs, rule.sessionPersistence, at(path, 'sessionPersistence'));
}

function validateMatch(errs: Errors, value: unknown, path: string): void {
  const match = object(errs, value, path, true);
  if (!match) return;
  const pm = object(errs, match.path, at(path, 'path'));
  if (pm) validatePathMatch(errs, pm, at(path, 'path'));
  validateHeaderMatches(errs, match.headers, at(path, 'headers'), 4096);
  validateHeaderMatches(errs, match.queryParams, at(path, 'queryParams'), 1024);
  string(errs, match.method, at(path, 'method'), { enum: HTTP_METHODS });
}

function validatePathMatch(errs: Errors, pm: Obj, path: string): void {
  const type = string(errs, pm.type, at(path, 'type'), {
    enum: ['Exact', 'PathPrefix', 'RegularExpression'],
  });
  const value = string(errs, pm.value, at(path, 'value'), { max: 1024 });
  if (value === undefined || (type !== 'Exact' && type !== 'PathPrefix')) return;
  const problem = pathValueProblem(value);
  if (problem) errs.add(at(path, 'value'), problem);
}

const PATH_FORBIDDEN = ['//', '/./', '/../', '%2f', '%2F', '#'];
const PATH_FORBIDDEN_ENDINGS = ['/..', '/.'];

/** The CEL rules on Exact/PathPrefix values, in the CRD's order. */
export function pathValueProblem(value: string): string | undefined {
  if (!value.startsWith('/'))
    return "value must be an absolute path and start with '/' when type one of ['Exact', 'PathPrefix']";
  for (const bad of PATH_FORBIDDEN) {
    if (value.includes(bad)) return `must not contain '${bad}' when type one of ['Exact', 'PathPrefix']`;
  }
  for (const bad of PATH_FORBIDDEN_ENDINGS) {
    if (value.endsWith(bad)) return `must not end with '${bad}' when type one of ['Exact', 'PathPrefix']`;
  }
  if (!PATH_CHARS.test(value)) {
    return "must only contain valid characters (matching ^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$) for types ['Exact', 'PathPrefix']";
  }
  return undefined;
}

// The characters PATH_CHARS allows besides %XX escapes: [-A-Za-z0-9/._~!$&'()*+,;=:@].
const PATH_CHAR = new Uint8Array(128);
for (const c of "-/._~!$&'()*+,;=:@") PATH_CHAR[c.charCodeAt(0)] = 1;
for (let c = 48; c <= 57; c++) PATH_CHAR[c] = 1;
for (let c = 65; c <= 90; c++) PATH_CHAR[c] = PATH_CHAR[c + 32] = 1;

function isHexDigit(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/**
 * `pathValueProblem(value) === undefined` in one pass over the characters, for the quick check
 * (which runs it on every path of every route). Every '%' of a valid value starts an escape, so the
 * forbidden %2f / %2F only need checking there; '/' is where //, /./, /../ and the endings begin.
 */
export function isCleanPathValue(value: string): boolean {
  const n = value.length;
  if (n === 0 || value.charCodeAt(0) !== 47) return false;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c === 37) {
      if (i + 2 >= n) return false;
      const h1 = value.charCodeAt(i + 1);
      const h2 = value.charCodeAt(i + 2);
      if (!isHexDigit(h1) || !isHexDigit(h2) || (h1 === 50 && (h2 === 102 || h2 === 70))) return false;
      i += 2;
    } else if (c >= 128 || PATH_CHAR[c] === 0) return false;
    else if (c === 47 && i + 1 < n) {
      const next = value.charCodeAt(i + 1);
      if (next === 47) return false;
      if (next !== 46) continue;
      if (i + 2 === n || value.charCodeAt(i + 2) === 47) return false;
      if (value.charCodeAt(i + 2) === 46 && (i + 3 === n || value.charCodeAt(i + 3) === 47)) return false;
    }
  }
  return true;
}

/** Validates a filter list; returns the filter types (undefined where unreadable) for rule-level CEL. */
function validateFilters(errs: Errors, value: unknown, path: string): (string | undefined)[] {
  const types = list(errs, value, path, { max: 16 }).map((f, i) => validateFilter(errs, f, at(path, i)));
  checkNotRepeated(errs, types, path, NOT_REPEATED);
  if (types.includes('RequestRedirect') && types.includes('URLRewrite')) {
    errs.add(
      path,
      'May specify either httpRouteFilterRequestRedirect or httpRouteFilterRequestRewrite, but not both',
    );
  }
  return types;
}

function validateFilter(errs: Errors, value: unknown, path: string): string | undefined {
  const checked = filterBody(errs, value, path, FILTER_FIELDS);
  if (!checked?.body) return checked?.type;
  const { type } = checked;
  const { value: body, path: p } = checked.body;
  if (type === 'RequestHeaderModifier' || type === 'ResponseHeaderModifier')
    validateHeaderModifier(errs, body, p);
  else if (type === 'RequestRedirect') validateRedirect(errs, body, p);
  else if (type === 'URLRewrite') validateRewrite(errs, body, p);
  else if (type === 'RequestMirror') validateMirror(errs, body, p);
  else if (type === 'ExtensionRef') validateExtensionRef(errs, body, p);
  else if (type === 'CORS') validateCors(errs, body, p);
  return type;
}

function validateRedirect(errs: Errors, value: unknown, path: string): void {
  const r = object(errs, value, path, true);
  if (!r) return;
  string(errs, r.scheme, at(path, 'scheme'), { enum: ['http', 'https'] });
  string(errs, r.hostname, at(path, 'hostname'), preciseHostnameRule);
  validatePathModifier(errs, r.path, at(path, 'path'));
  integer(errs, r.port, at(path, 'port'), { min: 1, max: 65535 });
  const code = integer(errs, r.statusCode, at(path, 'statusCode'));
  if (code !== undefined && ![301, 302, 303, 307, 308].includes(code)) {
    errs.add(at(path, 'statusCode'), `Unsupported value: ${code}: supported values: 301, 302, 303, 307, 308`);
  }
}

const preciseHostnameRule = {
  min: 1,
  max: 253,
  pattern: PRECISE_HOSTNAME,
  patternName: 'a lowercase RFC 1123 hostname without wildcard',
};

function validateRewrite(errs: Errors, value: unknown, path: string): void {
  const r = object(errs, value, path, true);
  if (!r) return;
  string(errs, r.hostname, at(path, 'hostname'), preciseHostnameRule);
  validatePathModifier(errs, r.path, at(path, 'path'));
}

function validatePathModifier(errs: Errors, value: unknown, path: string): void {
  const m = object(errs, value, path);
  if (!m) return;
  const type = string(errs, m.type, at(path, 'type'), {
    required: true,
    enum: ['ReplaceFullPath', 'ReplacePrefixMatch'],
  });
  string(errs, m.replaceFullPath, at(path, 'replaceFullPath'), { max: 1024 });
  string(errs, m.replacePrefixMatch, at(path, 'replacePrefixMatch'), { max: 1024 });
  const pairs: [string, string][] = [
    ['ReplaceFullPath', 'replaceFullPath'],
    ['ReplacePrefixMatch', 'replacePrefixMatch'],
  ];
  for (const [t, f] of pairs) {
    const present = m[f] !== undefined && m[f] !== null;
    if (type === t && !present) errs.add(at(path, f), `${f} must be specified when type is set to '${t}'`);
    if (type !== t && type !== undefined && present) {
      errs.add(at(path, f), `type must be '${t}' when ${f} is set`);
    }
  }
}

/** CEL: ReplacePrefixMatch needs exactly one match, of type PathPrefix (rule-level and per backendRef). */
function checkReplacePrefix(errs: Errors, filters: unknown, matches: unknown[], path: string): void {
  if (!Array.isArray(filters)) return;
  const uses = filters.some((f) => {
    const filter = f as Obj | null;
    const body = (filter?.requestRedirect ?? filter?.urlRewrite) as Obj | undefined | null;
    return (body?.path as Obj | undefined | null)?.type === 'ReplacePrefixMatch';
  });
  if (!uses) return;
  const only = matches.length === 1 ? (matches[0] as Obj | null) : undefined;
  const pm = only?.path as Obj | undefined | null;
  if (!pm || pm.type !== 'PathPrefix') {
    errs.add(
      path,
      'When using a filter with path.type ReplacePrefixMatch, exactly one PathPrefix match must be specified',
    );
  }
}

function validateBackendRef(errs: Errors, value: unknown, path: string, matches: unknown[]): void {
  const ref = object(errs, value, path, true);
  if (!ref) return;
  validateBackendObjectRef(errs, ref, path, true);
  validateFilters(errs, ref.filters, at(path, 'filters'));
  checkReplacePrefix(errs, ref.filters, matches, at(path, 'filters'));
}

function validateTimeouts(errs: Errors, value: unknown, path: string): void {
  const t = object(errs, value, path);
  if (!t) return;
  const request = string(errs, t.request, at(path, 'request'), durationRule);
  const backend = string(errs, t.backendRequest, at(path, 'backendRequest'), durationRule);
  const r = parseDuration(request);
  const b = parseDuration(backend);
  if (r !== undefined && b !== undefined && r !== 0 && b > r) {
    errs.add(path, 'backendRequest timeout cannot be longer than request timeout');
  }
}

/** Gateway API duration (GEP-2257) in milliseconds; undefined when absent or malformed. */
export function parseDuration(value: string | undefined): number | undefined {
  if (value === undefined || !/^([0-9]{1,5}(h|m|s|ms)){1,4}$/.test(value)) return undefined;
  const unit: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
  let total = 0;
  for (const [, n, u] of value.matchAll(/([0-9]+)(ms|h|m|s)/g)) total += Number(n) * unit[u];
  return total;
}

function validateRetry(errs: Errors, value: unknown, path: string): void {
  const r = object(errs, value, path);
  if (!r) return;
  const codes = list(errs, r.codes, at(path, 'codes'));
  codes.forEach((c, i) => integer(errs, c, at(at(path, 'codes'), i), { required: true, min: 400, max: 599 }));
  integer(errs, r.attempts, at(path, 'attempts'), { min: 0 });
  string(errs, r.backoff, at(path, 'backoff'), durationRule);
}

const ORIGIN = /^(([^:/?#]+):)(\/\/([^/?#]*))([^?#]*)(\?([^#]*))?(#(.*))?$|^\*$/;

function validateCors(errs: Errors, value: unknown, path: string): void {
  const c = object(errs, value, path, true);
  if (!c) return;
  const origins = list(errs, c.allowOrigins, at(path, 'allowOrigins'), { max: 64 });
  origins.forEach((o, i) =>
    string(errs, o, at(at(path, 'allowOrigins'), i), {
      required: true,
      min: 1,
      max: 253,
      pattern: ORIGIN,
      patternName: 'an origin such as "https://example.com" or "*"',
    }),
  );
  if (origins.length > 1 && origins.includes('*')) {
    errs.add(at(path, 'allowOrigins'), "AllowOrigins cannot contain '*' alongside other origins");
  }
  boolean(errs, c.allowCredentials, at(path, 'allowCredentials'));
  const methods = list(errs, c.allowMethods, at(path, 'allowMethods'), { max: 9 });
  methods.forEach((m, i) =>
    string(errs, m, at(at(path, 'allowMethods'), i), { required: true, enum: [...HTTP_METHODS, '*'] }),
  );
  if (methods.length > 1 && methods.includes('*')) {
    errs.add(at(path, 'allowMethods'), "AllowMethods cannot contain '*' alongside other methods");
  }
  for (const f of ['allowHeaders', 'exposeHeaders']) {
    list(errs, c[f], at(path, f), { max: 64 }).forEach((h, i) =>
      string(errs, h, at(at(path, f), i), {
        required: true,
        min: 1,
        max: 256,
        pattern: HEADER_NAME,
        patternName: 'a valid header name',
      }),
    );
  }
  integer(errs, c.maxAge, at(path, 'maxAge'), { min: 1 });
}
