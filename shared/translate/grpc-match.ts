// GRPCRouteMatch -> GrpcRoute RouteMatch (docs/support-matrix.md).
// Exact service+method -> MethodMatch EXACT. Network Services marks grpcService and grpcMethod
// REQUIRED, so the service-only and method-only forms become REGULAR_EXPRESSION with the given part
// escaped literally and the missing part `.*` (RE2 full match of the same set of calls).
// RegularExpression -> REGULAR_EXPRESSION, each part validated as RE2 (missing part `.*`).
// headers -> HeaderMatch {type EXACT|REGULAR_EXPRESSION, key (lowercased), value}; first per name wins.
import type { GRPCRouteMatch } from '../gamma/types.ts';
import type { NsGrpcMatch, NsHttpMatch, Result } from './model.ts';
import { fail, ok } from './model.ts';
import { escapeRe2, re2Error } from './regex.ts';
import { asArray, isObj } from './util.ts';

export interface NormalGrpcMatch {
  type?: 'Exact' | 'RegularExpression'; // undefined: no method match
  service?: string;
  method?: string;
  headers: { name: string; type: 'Exact' | 'RegularExpression'; value: string }[];
}

export { escapeRe2 };

export function normalizeGrpcMatch(raw: unknown): Result<NormalGrpcMatch> {
  const match = (isObj(raw) ? raw : {}) as GRPCRouteMatch;
  const normal: NormalGrpcMatch = { headers: [] };
  if (isObj(match.method)) {
    const { type = 'Exact', service, method } = match.method;
    if (type !== 'Exact' && type !== 'RegularExpression')
      return fail(`method match type ${JSON.stringify(type)} is not supported (Exact, RegularExpression)`);
    if (
      (service !== undefined && typeof service !== 'string') ||
      (method !== undefined && typeof method !== 'string')
    ) {
      return fail('method match service and method must be strings');
    }
    if (service || method) {
      if (type === 'RegularExpression') {
        for (const part of [service, method]) {
          const error = part ? re2Error(part) : undefined;
          if (error) return fail(`method match: ${error}`);
        }
      } else if ((service && service.includes('/')) || (method && method.includes('/'))) {
        return fail('exact method match values may not contain "/"');
      }
      normal.type = type;
      if (service) normal.service = service;
      if (method) normal.method = method;
    }
  }
  const seen = new Set<string>();
  for (const header of asArray(match.headers)) {
    if (!isObj(header) || typeof header.name !== 'string' || typeof header.value !== 'string')
      return fail('header match needs a string name and value');
    const name = header.name.toLowerCase();
    if (seen.has(name)) continue;
    seen.add(name);
    const type = header.type ?? 'Exact';
    if (type !== 'Exact' && type !== 'RegularExpression')
      return fail(`header match type ${JSON.stringify(type)} is not supported (Exact, RegularExpression)`);
    if (type === 'RegularExpression') {
      const error = re2Error(header.value);
      if (error) return fail(`header ${header.name}: ${error}`);
    }
    normal.headers.push({ name, type, value: header.value });
  }
  return ok(normal);
}

export function grpcNsMatch(normal: NormalGrpcMatch): NsGrpcMatch {
  const out: NsGrpcMatch = {};
  if (normal.type === 'Exact' && normal.service && normal.method) {
    out.method = { type: 'EXACT', grpcService: normal.service, grpcMethod: normal.method };
  } else if (normal.type === 'Exact') {
    out.method = {
      type: 'REGULAR_EXPRESSION',
      grpcService: normal.service ? escapeRe2(normal.service) : '.*',
      grpcMethod: normal.method ? escapeRe2(normal.method) : '.*',
    };
  } else if (normal.type === 'RegularExpression') {
    out.method = {
      type: 'REGULAR_EXPRESSION',
      grpcService: normal.service ?? '.*',
      grpcMethod: normal.method ?? '.*',
    };
  }
  if (normal.headers.length) {
    out.headers = normal.headers.map((h) => ({
      type: h.type === 'Exact' ? 'EXACT' : 'REGULAR_EXPRESSION',
      key: h.name,
      value: h.value,
    }));
  }
  return out;
}

/** True when every call `inner` matches is also matched by `outer` (conservative). */
export function grpcMatchCovers(outer: NormalGrpcMatch, inner: NormalGrpcMatch): boolean {
  if (outer.type !== undefined) {
    if (outer.type !== inner.type) return false;
    if (outer.service !== undefined && outer.service !== inner.service) return false;
    if (outer.method !== undefined && outer.method !== inner.method) return false;
    if (
      outer.type === 'RegularExpression' &&
      (outer.service !== inner.service || outer.method !== inner.method)
    )
      return false;
  }
  return outer.headers.every((h) =>
    inner.headers.some((i) => i.name === h.name && i.type === h.type && i.value === h.value),
  );
}

/**
 * The HttpRoute match for a gRPC call (HTTP/2 POST to /<service>/<method>): Exact service+method ->
 * fullPathMatch; service only -> prefixMatch "/<service>/"; method only -> regexMatch
 * "/[^/]+/<method>"; RegularExpression -> regexMatch "/(?:svc)/(?:method)" (a missing part "[^/]+").
 */
export function grpcHttpMatch(normal: NormalGrpcMatch): NsHttpMatch {
  const out: NsHttpMatch = {};
  if (normal.type === 'Exact' && normal.service && normal.method)
    out.fullPathMatch = `/${normal.service}/${normal.method}`;
  else if (normal.type === 'Exact' && normal.service) out.prefixMatch = `/${normal.service}/`;
  else if (normal.type === 'Exact' && normal.method) out.regexMatch = `/[^/]+/${escapeRe2(normal.method)}`;
  else if (normal.type === 'RegularExpression')
    out.regexMatch = `/(?:${normal.service ?? '[^/]+'})/(?:${normal.method ?? '[^/]+'})`;
  else out.prefixMatch = '/';
  if (normal.headers.length) {
    out.headers = normal.headers.map((h) =>
      h.type === 'Exact' ? { header: h.name, exactMatch: h.value } : { header: h.name, regexMatch: h.value },
    );
  }
  return out;
}
