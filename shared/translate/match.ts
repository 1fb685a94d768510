// HTTPRouteMatch -> Network Services RouteMatch(es) (DESIGN §4.3).
// - Exact -> fullPathMatch. PathPrefix is per path segment in Gateway API but a plain string prefix
//   in Network Services, so `/p` becomes two arms: fullPathMatch `/p` and prefixMatch `/p/` (a trailing
//   slash in the value is ignored); `/` is prefixMatch `/` (split into fullPathMatch `/` + prefixMatch
//   `/` only when a ReplacePrefixMatch filter needs to know which arm matched).
// - RegularExpression -> regexMatch, validated as RE2.
// - headers -> HeaderMatch exactMatch/regexMatch, names lowercased (HTTP names are case-insensitive);
//   only the first entry per name counts (spec).
// - queryParams -> QueryParameterMatch exactMatch/regexMatch; names are case-sensitive, first wins.
// - method -> a `:method` pseudo-header exactMatch (Network Services has no method field; Envoy and
//   gRPC expose the method as the `:method` header). Documented approximation: unverified upstream.
import type { HTTPRouteMatch } from '../gamma/types.ts';
import type { NsHttpMatch, Result } from './model.ts';
import { fail, ok } from './model.ts';
import { re2Error } from './regex.ts';
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
}

function normalizePrefix(value: string): string {
  const trimmed = value.replace(/\/+$/, '');
  return trimmed === '' ? '/' : trimmed;
}

function valueType(type: unknown): 'Exact' | 'RegularExpression' | undefined {
  if (type === undefined || type === 'Exact') return 'Exact';
  if (type === 'RegularExpression') return 'RegularExpression';
  return undefined;
}

export function normalizeHttpMatch(raw: unknown): Result<NormalMatch> {
  const match = (isObj(raw) ? raw : {}) as HTTPRouteMatch;
  const path = isObj(match.path) ? match.path : {};
  const pathType = path.type ?? 'PathPrefix';
  const pathValue = asString(path.value) ?? '/';
  let normal: NormalMatch;
  if (pathType === 'Exact') normal = { pathType, path: pathValue, headers: [], query: [] };
  else if (pathType === 'PathPrefix')
    normal = { pathType, path: normalizePrefix(pathValue), headers: [], query: [] };
  else if (pathType === 'RegularExpression') {
    const error = re2Error(pathValue);
    if (error) return fail(`path: ${error}`);
    normal = { pathType, path: pathValue, headers: [], query: [] };
  } else
    return fail(
      `path type ${JSON.stringify(pathType)} is not supported (Exact, PathPrefix, RegularExpression)`,
    );
  if (!pathValue.startsWith('/') && pathType !== 'RegularExpression')
    return fail(`path ${JSON.stringify(pathValue)} must start with "/"`);

  const seenHeaders = new Set<string>();
  for (const header of asArray(match.headers)) {
    if (!isObj(header) || typeof header.name !== 'string' || typeof header.value !== 'string') {
      return fail('header match needs a string name and value');
    }
    const name = header.name.toLowerCase();
    if (seenHeaders.has(name)) continue;
    seenHeaders.add(name);
    const type = valueType(header.type);
    if (!type)
      return fail(
        `header match type ${JSON.stringify(header.type)} is not supported (Exact, RegularExpression)`,
      );
    if (type === 'RegularExpression') {
      const error = re2Error(header.value);
      if (error) return fail(`header ${header.name}: ${error}`);
    }
    normal.headers.push({ name, type, value: header.value });
  }
  const seenQuery = new Set<string>();
  for (const param of asArray(match.queryParams)) {
    if (!isObj(param) || typeof param.name !== 'string' || typeof param.value !== 'string') {
      return fail('query parameter match needs a string name and value');
    }
    if (seenQuery.has(param.name)) continue;
    seenQuery.add(param.name);
    const type = valueType(param.type);
    if (!type)
      return fail(
        `query parameter match type ${JSON.stringify(param.type)} is not supported (Exact, RegularExpression)`,
      );
    if (type === 'RegularExpression') {
      const error = re2Error(param.value);
      if (error) return fail(`query parameter ${param.name}: ${error}`);
    }
    normal.query.push({ name: param.name, type, value: param.value });
  }
  if (match.method !== undefined) {
    if (typeof match.method !== 'string' || !HTTP_METHODS.includes(match.method)) {
      return fail(`method ${JSON.stringify(match.method)} is not supported (${HTTP_METHODS.join(', ')})`);
    }
    normal.method = match.method;
  }
  return ok(normal);
}

/** Header and query conditions shared by every arm of one match. */
function conditions(normal: NormalMatch): Pick<NsHttpMatch, 'headers' | 'queryParameters'> {
  const headers = normal.headers.map((h) =>
    h.type === 'Exact' ? { header: h.name, exactMatch: h.value } : { header: h.name, regexMatch: h.value },
  );
  if (normal.method) headers.push({ header: ':method', exactMatch: normal.method });
  const queryParameters = normal.query.map((q) =>
    q.type === 'Exact'
      ? { queryParameter: q.name, exactMatch: q.value }
      : { queryParameter: q.name, regexMatch: q.value },
  );
  const out: Pick<NsHttpMatch, 'headers' | 'queryParameters'> = {};
  if (headers.length) out.headers = headers;
  if (queryParameters.length) out.queryParameters = queryParameters;
  return out;
}

/** The Network Services matches (arms, ORed) equivalent to one Gateway API match. */
export function httpMatchArms(normal: NormalMatch, splitRoot = false): MatchArm[] {
  const rest = conditions(normal);
  if (normal.pathType === 'Exact') return [{ match: { fullPathMatch: normal.path, ...rest }, kind: 'full' }];
  if (normal.pathType === 'RegularExpression')
    return [{ match: { regexMatch: normal.path, ...rest }, kind: 'other' }];
  if (normal.path === '/') {
    if (!splitRoot) return [{ match: { prefixMatch: '/', ...rest }, kind: 'prefix' }];
    return [
      { match: { fullPathMatch: '/', ...rest }, kind: 'full' },
      { match: { prefixMatch: '/', ...rest }, kind: 'prefix' },
    ];
  }
  return [
    { match: { fullPathMatch: normal.path, ...rest }, kind: 'full' },
    { match: { prefixMatch: `${normal.path}/`, ...rest }, kind: 'prefix' },
  ];
}

/** True when every request `inner` matches is also matched by `outer` (conservative: may say false). */
export function httpMatchCovers(outer: NormalMatch, inner: NormalMatch): boolean {
  if (!pathCovers(outer, inner)) return false;
  if (outer.method && outer.method !== inner.method) return false;
  const sameCondition = (a: NormalMatch['headers'][number], list: NormalMatch['headers']) =>
    list.some((b) => b.name === a.name && b.type === a.type && b.value === a.value);
  return (
    outer.headers.every((h) => sameCondition(h, inner.headers)) &&
    outer.query.every((q) => sameCondition(q, inner.query))
  );
}

function pathCovers(outer: NormalMatch, inner: NormalMatch): boolean {
  if (outer.pathType === 'PathPrefix') {
    if (outer.path === '/') return true;
    if (inner.pathType === 'RegularExpression') return false;
    return inner.path === outer.path || inner.path.startsWith(`${outer.path}/`);
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
