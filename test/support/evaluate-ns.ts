// What Cloud Service Mesh's data plane does with a request, given translate's output: route by
// Host/authority, first matching rule wins, then the action (docs/conformance.md).
import type { networkservices_v1 as ns } from 'googleapis/build/src/apis/networkservices/v1.js';
import type { Desired } from '../../shared/translate/types.ts';
import {
  applyHeaderOps,
  lowerHeaders,
  queryValue,
  re2FullMatch,
  redirectLocation,
  requestAuthority,
  requestMethod,
  requestPath,
  queryString,
  type BackendTarget,
  type HeaderOps,
  type MeshRequest,
  type MirrorTarget,
  type Outcome,
  type OutcomeBranch,
} from './request.ts';

type Route = { kind: 'http'; route: ns.Schema$HttpRoute } | { kind: 'grpc'; route: ns.Schema$GrpcRoute };

const REDIRECT_CODES: Record<string, number> = {
  RESPONSE_CODE_UNSPECIFIED: 301,
  MOVED_PERMANENTLY_DEFAULT: 301,
  FOUND: 302,
  SEE_OTHER: 303,
  TEMPORARY_REDIRECT: 307,
  PERMANENT_REDIRECT: 308,
};

export function evaluateNs(desired: Desired, req: MeshRequest): Outcome {
  const route = selectRoute(desired, req);
  if (!route) return { kind: 'passthrough' };
  const backendOf = backendResolver(desired);
  if (route.kind === 'grpc') {
    const rule = (route.route.rules ?? []).find((r) => grpcRuleMatches(r, req));
    if (!rule) return notFound();
    return grpcAction(rule.action ?? {}, req, backendOf);
  }
  for (const rule of route.route.rules ?? []) {
    const matched = httpRuleMatch(rule, req);
    if (matched !== undefined) return httpAction(rule.action ?? {}, req, matched, backendOf);
  }
  return notFound();
}

function notFound(): Outcome {
  return { kind: 'response', outcomes: [{ weight: 1, status: 404 }] };
}

// ---------- route selection by hostname ----------

/** Exact hostname first, then the longest matching `*.` wildcard. gRPC prefers a GrpcRoute. */
export function selectRoute(desired: Desired, req: MeshRequest): Route | undefined {
  const authority = requestAuthority(req).toLowerCase();
  const meshName = desired.mesh?.name;
  const onMesh = (r: { meshes?: string[] | null }) => !meshName || (r.meshes ?? []).includes(meshName);
  const candidates: Route[] = [
    ...desired.grpcRoutes.filter(onMesh).map((route) => ({ kind: 'grpc' as const, route })),
    ...desired.httpRoutes.filter(onMesh).map((route) => ({ kind: 'http' as const, route })),
  ];
  if (req.protocol === 'http') candidates.reverse();
  let best: { route: Route; score: number } | undefined;
  for (const c of candidates) {
    for (const h of c.route.hostnames ?? []) {
      const score = hostnameScore(h.toLowerCase(), authority);
      if (score > (best?.score ?? 0)) best = { route: c, score };
    }
  }
  return best?.route;
}

function hostnameScore(hostname: string, authority: string): number {
  if (hostname === authority) return Number.MAX_SAFE_INTEGER;
  if (
    hostname.startsWith('*.') &&
    authority.endsWith(hostname.slice(1)) &&
    authority.length > hostname.length - 1
  ) {
    return hostname.length;
  }
  return 0;
}

// ---------- HTTP matching ----------

/** Returns the matched RouteMatch (or null when the rule has no matches), undefined when it does not match. */
function httpRuleMatch(
  rule: ns.Schema$HttpRouteRouteRule,
  req: MeshRequest,
): ns.Schema$HttpRouteRouteMatch | null | undefined {
  const matches = rule.matches ?? [];
  if (matches.length === 0) return null;
  return matches.find((m) => httpMatch(m, req));
}

function httpMatch(m: ns.Schema$HttpRouteRouteMatch, req: MeshRequest): boolean {
  const path = requestPath(req);
  const fold = (s: string) => (m.ignoreCase ? s.toLowerCase() : s);
  if (m.fullPathMatch != null && fold(path) !== fold(m.fullPathMatch)) return false;
  if (m.prefixMatch != null && !fold(path).startsWith(fold(m.prefixMatch))) return false;
  if (m.regexMatch != null && !re2FullMatch(m.regexMatch, path)) return false;
  const headers = lowerHeaders(req.headers);
  if (!(m.headers ?? []).every((h) => headerMatch(h, headerValue(h.header ?? '', headers, req))))
    return false;
  return (m.queryParameters ?? []).every((q) => queryMatch(q, queryValue(req, q.queryParameter ?? '')));
}

/** Header values as Envoy sees them, including the pseudo-headers a translator may match on. */
function headerValue(name: string, headers: Record<string, string>, req: MeshRequest): string | undefined {
  switch (name.toLowerCase()) {
    case ':method':
      return requestMethod(req);
    case ':path':
      return requestPath(req) + queryString(req);
    case ':authority':
    case 'host':
      return requestAuthority(req);
    case ':scheme':
      return 'http';
    default:
      return headers[name.toLowerCase()];
  }
}

function headerMatch(h: ns.Schema$HttpRouteHeaderMatch, value: string | undefined): boolean {
  const invert = h.invertMatch === true;
  if (value === undefined) {
    // Envoy: a missing header fails every matcher except an (inverted) presence check.
    if (h.presentMatch != null) return (h.presentMatch === false) !== invert;
    return false;
  }
  let ok: boolean;
  if (h.exactMatch != null) ok = value === h.exactMatch;
  else if (h.regexMatch != null) ok = re2FullMatch(h.regexMatch, value);
  else if (h.prefixMatch != null) ok = value.startsWith(h.prefixMatch);
  else if (h.suffixMatch != null) ok = value.endsWith(h.suffixMatch);
  else if (h.presentMatch != null) ok = h.presentMatch === true;
  else if (h.rangeMatch) ok = inRange(value, h.rangeMatch.start ?? 0, h.rangeMatch.end ?? 0);
  else ok = true;
  return ok !== invert;
}

function inRange(value: string, start: number, end: number): boolean {
  if (!/^-?\d+$/.test(value)) return false;
  const n = Number(value);
  return n >= start && n < end;
}

function queryMatch(q: ns.Schema$HttpRouteQueryParameterMatch, value: string | undefined): boolean {
  if (q.presentMatch != null) return (value !== undefined) === q.presentMatch;
  if (value === undefined) return false;
  if (q.exactMatch != null) return value === q.exactMatch;
  if (q.regexMatch != null) return re2FullMatch(q.regexMatch, value);
  return true;
}

// ---------- gRPC matching ----------

function grpcRuleMatches(rule: ns.Schema$GrpcRouteRouteRule, req: MeshRequest): boolean {
  const matches = rule.matches ?? [];
  return matches.length === 0 || matches.some((m) => grpcMatch(m, req));
}

function grpcMatch(m: ns.Schema$GrpcRouteRouteMatch, req: MeshRequest): boolean {
  if (m.method) {
    const call = req.grpc ?? splitGrpcPath(requestPath(req));
    if (!call) return false;
    const mm = m.method;
    if (mm.type === 'REGULAR_EXPRESSION') {
      if (mm.grpcService && !re2FullMatch(mm.grpcService, call.service)) return false;
      if (mm.grpcMethod && !re2FullMatch(mm.grpcMethod, call.method)) return false;
    } else {
      const fold = (s: string) => (mm.caseSensitive === false ? s.toLowerCase() : s);
      if (mm.grpcService && fold(mm.grpcService) !== fold(call.service)) return false;
      if (mm.grpcMethod && fold(mm.grpcMethod) !== fold(call.method)) return false;
    }
  }
  const headers = lowerHeaders(req.headers);
  return (m.headers ?? []).every((h) => {
    const value = headers[(h.key ?? '').toLowerCase()];
    if (value === undefined) return false;
    return h.type === 'REGULAR_EXPRESSION' ? re2FullMatch(h.value ?? '', value) : value === h.value;
  });
}

function splitGrpcPath(path: string): { service: string; method: string } | undefined {
  const m = /^\/([^/]+)\/([^/]+)$/.exec(path);
  return m ? { service: m[1], method: m[2] } : undefined;
}

// ---------- actions ----------

type BackendResolver = (serviceName: string) => BackendTarget;

function backendResolver(desired: Desired): BackendResolver {
  const map = new Map(desired.backends.map((b) => [b.serviceName, b]));
  return (serviceName) => {
    const b = map.get(serviceName);
    if (!b) throw new Error(`destination ${serviceName} is not listed in desired.backends`);
    return { namespace: b.namespace, service: b.service, port: b.port };
  };
}

function toOps(m: ns.Schema$HttpRouteHeaderModifier | null | undefined): HeaderOps | undefined {
  if (!m) return undefined;
  return { set: m.set ?? undefined, add: m.add ?? undefined, remove: m.remove ?? undefined };
}

/** Fault abort first (the fault filter runs before the router), then the remaining share. */
function withAbort(
  fault: ns.Schema$HttpRouteFaultInjectionPolicy | ns.Schema$GrpcRouteFaultInjectionPolicy | null | undefined,
  rest: () => OutcomeBranch[],
): Outcome {
  const pct = fault?.abort?.percentage ?? 0;
  const share = Math.min(Math.max(pct, 0), 100) / 100;
  const outcomes: OutcomeBranch[] = [];
  if (share > 0) outcomes.push({ weight: share, status: fault?.abort?.httpStatus ?? 500 });
  if (share < 1) for (const b of rest()) outcomes.push({ ...b, weight: b.weight * (1 - share) });
  return { kind: 'response', outcomes };
}

/** Shares by weight; no weights (or all 0, indistinguishable on the wire) means an equal split. */
function shares(weights: Array<number | null | undefined>): number[] {
  const ws = weights.map((w) => w ?? 0);
  const total = ws.reduce((a, b) => a + b, 0);
  if (total === 0) return ws.map(() => 1 / ws.length);
  return ws.map((w) => w / total);
}

function httpAction(
  action: ns.Schema$HttpRouteRouteAction,
  req: MeshRequest,
  matched: ns.Schema$HttpRouteRouteMatch | null,
  backendOf: BackendResolver,
): Outcome {
  return withAbort(action.faultInjectionPolicy, () => {
    if (action.redirect) return [redirectBranch(action.redirect, req, matched)];
    if (action.directResponse) return [{ weight: 1, status: action.directResponse.status ?? 200 }];
    const dests = action.destinations ?? [];
    if (dests.length === 0) return [{ weight: 1, status: 503 }]; // nothing to forward to
    const path = rewritePath(requestPath(req), matched, action.urlRewrite?.pathPrefixRewrite ?? undefined);
    const host = action.urlRewrite?.hostRewrite ?? requestAuthority(req);
    const reqHeaders = applyHeaderOps(lowerHeaders(req.headers), toOps(action.requestHeaderModifier));
    const respHeaders = applyHeaderOps({}, toOps(action.responseHeaderModifier));
    const mirrors = mirrorTargets(action.requestMirrorPolicy, backendOf);
    const split = shares(dests.map((d) => d.weight));
    return dests.map((d, i) => ({
      weight: split[i],
      status: 200,
      backend: backendOf(d.serviceName ?? ''),
      requestHeaders: applyHeaderOps(reqHeaders, toOps(d.requestHeaderModifier)),
      responseHeaders: applyHeaderOps(respHeaders, toOps(d.responseHeaderModifier)),
      path,
      host,
      ...(mirrors ? { mirrors } : {}),
    }));
  });
}

function mirrorTargets(
  policy: ns.Schema$HttpRouteRequestMirrorPolicy | null | undefined,
  backendOf: BackendResolver,
): MirrorTarget[] | undefined {
  if (!policy?.destination?.serviceName) return undefined;
  return [{ ...backendOf(policy.destination.serviceName), percent: policy.mirrorPercent ?? 100 }];
}

/** The part of the path the rule matched: a prefix, the whole path, or nothing. */
function matchedPrefix(path: string, matched: ns.Schema$HttpRouteRouteMatch | null): string {
  if (!matched) return '';
  if (matched.prefixMatch != null) return path.slice(0, matched.prefixMatch.length);
  if (matched.fullPathMatch != null) return path;
  // "The matching portion of the request's path": a regexMatch matches the whole path, so all of it
  // is replaced (as Envoy's prefix_rewrite on regex routes; docs/api-fidelity.md).
  if (matched.regexMatch != null) return path;
  return '';
}

function rewritePath(
  path: string,
  matched: ns.Schema$HttpRouteRouteMatch | null,
  prefixRewrite: string | undefined,
): string {
  if (prefixRewrite === undefined) return path;
  const prefix = matchedPrefix(path, matched);
  return prefixRewrite + path.slice(prefix.length);
}

function redirectBranch(
  r: ns.Schema$HttpRouteRedirect,
  req: MeshRequest,
  matched: ns.Schema$HttpRouteRouteMatch | null,
): OutcomeBranch {
  const original = requestPath(req);
  let path = original;
  if (r.pathRedirect != null) path = r.pathRedirect;
  else if (r.prefixRewrite != null) path = rewritePath(original, matched, r.prefixRewrite);
  const location = redirectLocation(r.stripQuery ? { ...req, query: [] } : req, {
    scheme: r.httpsRedirect ? 'https' : undefined,
    host: r.hostRedirect ?? undefined,
    port: r.portRedirect ?? undefined,
    path,
  });
  return {
    weight: 1,
    status: REDIRECT_CODES[r.responseCode ?? 'RESPONSE_CODE_UNSPECIFIED'] ?? 301,
    location,
  };
}

function grpcAction(
  action: ns.Schema$GrpcRouteRouteAction,
  req: MeshRequest,
  backendOf: BackendResolver,
): Outcome {
  return withAbort(action.faultInjectionPolicy, () => {
    const dests = action.destinations ?? [];
    if (dests.length === 0) return [{ weight: 1, status: 503 }];
    const split = shares(dests.map((d) => d.weight));
    const headers = lowerHeaders(req.headers);
    return dests.map((d, i) => ({
      weight: split[i],
      status: 200,
      backend: backendOf(d.serviceName ?? ''),
      requestHeaders: headers,
      responseHeaders: {},
      path: requestPath(req),
      host: requestAuthority(req),
    }));
  });
}
