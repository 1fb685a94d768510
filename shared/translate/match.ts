// HTTPRouteMatch -> Network Services RouteMatch(es) (docs/support-matrix.md).
// - Exact -> fullPathMatch. PathPrefix is per path segment in Gateway API but a plain string prefix
//   in Network Services, so `/p` becomes two arms: fullPathMatch `/p` and prefixMatch `/p/` (a trailing
//   slash in the value is ignored); `/` is prefixMatch `/` (split into fullPathMatch `/` + prefixMatch
//   `/` only when a ReplacePrefixMatch filter needs to know which arm matched). Under a URLRewrite
//   ReplaceFullPath it is one segment-wise regexMatch instead, `^/p(/.*)?$` (`^/.*$` for `/`):
//   pathPrefixRewrite replaces "the matching portion" of the path, which for a regexMatch is the
//   whole path (docs/api-fidelity.md). Precedence still comes from the PathPrefix (NormalMatch).
// - RegularExpression -> regexMatch, validated as RE2.
// - headers -> HeaderMatch exactMatch/regexMatch, names lowercased (HTTP names are case-insensitive);
//   only the first entry per name counts (spec).
// - queryParams -> QueryParameterMatch exactMatch/regexMatch; names are case-sensitive, first wins.
// - method -> a `:method` pseudo-header exactMatch (Network Services has no method field; Envoy and
//   gRPC expose the method as the `:method` header). Documented approximation: unverified upstream.
import type { HTTPRouteMatch } from '../gamma/types.ts';
import type { NsHttpAction, NsHttpMatch, Result } from './model.ts';
import { fail, ok } from './model.ts';
import { escapeRe2, re2Error } from './regex.ts';
import { asArray, asString, isObj } from './util.ts';

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'];

/** A match after defaults and de-duplication: the basis for precedence and shadow detection. */
export interface NormalMatch {
  pathType: 'Exact' | 'PathPrefix' | 'RegularExpression';
  path: string; // prefixes without trailing slash ("/" stays "/")
  method?: string;
  headers: { name: string; type: 'Exact' | 'RegularExpression'; value: string }[]; // names lowercased
  query: { name: string; type: 'Exact' | 'RegularExpression'; value: string }[];
}

/** Which part of a PathPrefix an arm matches: needed to rewrite the matched prefix correctly. */
export type ArmKind = 'full' | 'prefix' | 'other';

export interface MatchArm {
  match: NsHttpMatch;
  kind: ArmKind;
  /** Filled in by the rule compiler (the slot exists from the start, so the object keeps its shape). */
  action?: NsHttpAction;
}

/** Drops trailing slashes ("/" stays "/"); a loop, not a regex: one call per match. */
function normalizePrefix(value: string): string {
  let end = value.length;
  while (end > 0 && value.charCodeAt(end - 1) === 47) end--;
  if (end === 0) return '/';
  return end === value.length ? value : value.slice(0, end);
}

function valueType(type: unknown): 'Exact' | 'RegularExpression' | undefined {
  if (type === undefined || type === 'Exact') return 'Exact';
  if (type === 'RegularExpression') return 'RegularExpression';
  return undefined;
}

export function normalizeHttpMatch(raw: unknown): Result<NormalMatch> {
  const normal = normalHttpMatch(raw);
  return typeof normal === 'string' ? fail(normal) : ok(normal);
}

/** The normalized match, or why it cannot be translated (no result wrapper: one call per match). */
export function normalHttpMatch(raw: unknown): NormalMatch | string {
  const match = (isObj(raw) ? raw : {}) as HTTPRouteMatch;
  const path = isObj(match.path) ? match.path : {};
  const pathType = path.type ?? 'PathPrefix';
  const pathValue = asString(path.value) ?? '/';
  let normalPath: string;
  if (pathType === 'Exact') normalPath = pathValue;
  else if (pathType === 'PathPrefix') normalPath = normalizePrefix(pathValue);
  else if (pathType === 'RegularExpression') {
    const error = re2Error(pathValue);
    if (error) return `path: ${error}`;
    normalPath = pathValue;
  } else
    return `path type ${JSON.stringify(pathType)} is not supported (Exact, PathPrefix, RegularExpression)`;
  if (!pathValue.startsWith('/') && pathType !== 'RegularExpression')
    return `path ${JSON.stringify(pathValue)} must start with "/"`;

  const headers: NormalMatch['headers'] = [];
  let seenHeaders: Set<string> | undefined;
  const rawHeaders = asArray(match.headers);
  for (let i = 0; i < rawHeaders.length; i++) {
    const header = rawHeaders[i];
    if (!isObj(header) || typeof header.name !== 'string' || typeof header.value !== 'string') {
      return 'header match needs a string name and value';
    }
    const name = header.name.toLowerCase();
    if (seenHeaders ? seenHeaders.has(name) : hasName(headers, name)) continue;
    seenHeaders ??= namesOnceLong(headers);
    seenHeaders?.add(name);
    const type = valueType(header.type);
    if (!type)
      return `header match type ${JSON.stringify(header.type)} is not supported (Exact, RegularExpression)`;
    if (type === 'RegularExpression') {
      const error = re2Error(header.value);
      if (error) return `header ${header.name}: ${error}`;
    }
    headers.push({ name, type, value: header.value });
  }
  const query: NormalMatch['query'] = [];
  let seenQuery: Set<string> | undefined;
  const rawQuery = asArray(match.queryParams);
  for (let i = 0; i < rawQuery.length; i++) {
    const param = rawQuery[i];
    if (!isObj(param) || typeof param.name !== 'string' || typeof param.value !== 'string') {
      return 'query parameter match needs a string name and value';
    }
    if (seenQuery ? seenQuery.has(param.name) : hasName(query, param.name)) continue;
    seenQuery ??= namesOnceLong(query);
    seenQuery?.add(param.name);
    const type = valueType(param.type);
    if (!type)
      return `query parameter match type ${JSON.stringify(param.type)} is not supported (Exact, RegularExpression)`;
    if (type === 'RegularExpression') {
      const error = re2Error(param.value);
      if (error) return `query parameter ${param.name}: ${error}`;
    }
    query.push({ name: param.name, type, value: param.value });
  }
  if (match.method === undefined) return { pathType, path: normalPath, headers, query };
  if (typeof match.method !== 'string' || !HTTP_METHODS.includes(match.method))
    return `method ${JSON.stringify(match.method)} is not supported (${HTTP_METHODS.join(', ')})`;
  return { pathType, path: normalPath, headers, query, method: match.method };
}

/** Linear scan: matches hold a handful of conditions, so no Set is worth building for them. */
function hasName(list: { name: string }[], name: string): boolean {
  for (let i = 0; i < list.length; i++) if (list[i].name === name) return true;
  return false;
}

/** A Set of the names once a list is long (hostile input), so de-duplication stays linear. */
function namesOnceLong(list: { name: string }[]): Set<string> | undefined {
  return list.length >= 8 ? new Set(list.map((item) => item.name)) : undefined;
}

type NsHeaderMatches = NsHttpMatch['headers'];
type NsQueryMatches = NsHttpMatch['queryParameters'];

/** The header conditions shared by every arm of one match (the method as `:method`), if any. */
function headerConditions(normal: NormalMatch): NsHeaderMatches {
  // Built at its final size (map, concat): an array grown by push keeps ~16 spare slots, and these
  // end up in the output (10k of them in a 10k-route snapshot).
  const method = normal.method ? { header: ':method', exactMatch: normal.method } : undefined;
  if (!normal.headers.length) return method ? [method] : undefined;
  const headers: NonNullable<NsHeaderMatches> = normal.headers.map((h) =>
    h.type === 'Exact' ? { header: h.name, exactMatch: h.value } : { header: h.name, regexMatch: h.value },
  );
  return method ? headers.concat([method]) : headers;
}

function queryConditions(normal: NormalMatch): NsQueryMatches {
  if (!normal.query.length) return undefined;
  return normal.query.map((q) =>
    q.type === 'Exact'
      ? { queryParameter: q.name, exactMatch: q.value }
      : { queryParameter: q.name, regexMatch: q.value },
  );
}

/** One arm: the path condition first, then headers and query parameters (the emitted key order). */
function arm(
  kind: ArmKind,
  path: 'fullPathMatch' | 'prefixMatch' | 'regexMatch',
  value: string,
  headers: NsHeaderMatches,
  query: NsQueryMatches,
): MatchArm {
  return { match: nsMatch(path, value, headers, query), kind, action: undefined };
}

/**
 * One literal per combination of fields, in the emitted key order: V8 sizes an object for its
 * literal, so a field added afterwards costs another allocation (14k matches in a 10k-route snapshot).
 */
export function nsMatch(
  path: 'fullPathMatch' | 'prefixMatch' | 'regexMatch',
  value: string,
  headers: NsHeaderMatches,
  query: NsQueryMatches,
): NsHttpMatch {
  if (path === 'fullPathMatch') {
    if (headers)
      return query
        ? { fullPathMatch: value, headers, queryParameters: query }
        : { fullPathMatch: value, headers };
    return query ? { fullPathMatch: value, queryParameters: query } : { fullPathMatch: value };
  }
  if (path === 'prefixMatch') {
    if (headers)
      return query
        ? { prefixMatch: value, headers, queryParameters: query }
        : { prefixMatch: value, headers };
    return query ? { prefixMatch: value, queryParameters: query } : { prefixMatch: value };
  }
  if (headers)
    return query ? { regexMatch: value, headers, queryParameters: query } : { regexMatch: value, headers };
  return query ? { regexMatch: value, queryParameters: query } : { regexMatch: value };
}

/**
 * The Network Services matches (arms, ORed) equivalent to one Gateway API match. `wholePath`: a
 * PathPrefix becomes one regexMatch arm, so that a rewrite replaces the whole path.
 */
export function httpMatchArms(normal: NormalMatch, splitRoot = false, wholePath = false): MatchArm[] {
  const headers = headerConditions(normal);
  const query = queryConditions(normal);
  if (normal.pathType === 'Exact') return [arm('full', 'fullPathMatch', normal.path, headers, query)];
  if (normal.pathType === 'RegularExpression')
    return [arm('other', 'regexMatch', normal.path, headers, query)];
  if (wholePath) return [arm('other', 'regexMatch', prefixRegex(normal.path), headers, query)];
  if (normal.path === '/') {
    if (!splitRoot) return [arm('prefix', 'prefixMatch', '/', headers, query)];
    return [
      arm('full', 'fullPathMatch', '/', headers, query),
      arm('prefix', 'prefixMatch', '/', headers, query),
    ];
  }
  return [
    arm('full', 'fullPathMatch', normal.path, headers, query),
    arm('prefix', 'prefixMatch', `${normal.path}/`, headers, query),
  ];
}

/** The RE2 pattern matching exactly the paths a Gateway API PathPrefix (without trailing slash) matches. */
export function prefixRegex(prefix: string): string {
  return prefix === '/' ? '^/.*$' : `^${escapeRe2(prefix)}(/.*)?$`;
}

/** True when every request `inner` matches is also matched by `outer` (conservative: may say false). */
export function httpMatchCovers(outer: NormalMatch, inner: NormalMatch): boolean {
  if (!pathCovers(outer, inner)) return false;
  if (outer.method && outer.method !== inner.method) return false;
  return allIn(outer.headers, inner.headers) && allIn(outer.query, inner.query);
}

/** Every condition of `outer` is also one of `inner` (loops: this runs for every pair of entries). */
function allIn(outer: NormalMatch['headers'], inner: NormalMatch['headers']): boolean {
  for (let i = 0; i < outer.length; i++) {
    const a = outer[i];
    let found = false;
    for (let j = 0; j < inner.length; j++) {
      const b = inner[j];
      if (b.name === a.name && b.type === a.type && b.value === a.value) {
        found = true;
        break;
      }
    }
    if (!found) return false;
  }
  return true;
}

function pathCovers(outer: NormalMatch, inner: NormalMatch): boolean {
  if (outer.pathType === 'PathPrefix') {
    if (outer.path === '/') return true;
    if (inner.pathType === 'RegularExpression') return false;
    // inner.path === outer.path or starts with `${outer.path}/`, without building that string.
    const n = outer.path.length;
    if (inner.path.length === n) return inner.path === outer.path;
    return inner.path.length > n && inner.path.charCodeAt(n) === 47 && inner.path.startsWith(outer.path);
  }
  return outer.pathType === inner.pathType && outer.path === inner.path;
}

export function isCatchAll(normal: NormalMatch): boolean {
  return (
    normal.pathType === 'PathPrefix' &&
    normal.path === '/' &&
    !normal.method &&
    !normal.headers.length &&
    !normal.query.length
  );
}
