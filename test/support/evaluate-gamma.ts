// What the Gateway API spec says a mesh does with a request (docs/conformance.md): the
// frontend is the Service the client addresses, routes of that Service port are merged and
// ordered by Gateway API precedence, and the winning rule's filters and backendRefs apply.
import type {
  BackendObjectReference,
  GRPCRoute,
  GRPCRouteMatch,
  HTTPRoute,
  HTTPRouteFilter,
  HTTPRouteMatch,
  HTTPBackendRef,
  HeaderMatch,
  HeaderModifier,
  HTTPPathModifier,
  ParentReference,
  Service,
  ServicePort,
} from '../../shared/gamma/types.ts';
import {
  applyHeaderOps,
  lowerHeaders,
  queryValue,
  re2FullMatch,
  redirectLocation,
  requestAuthority,
  requestMethod,
  requestPath,
  type HeaderOps,
  type MeshRequest,
  type MirrorTarget,
  type Outcome,
  type OutcomeBranch,
} from './request.ts';

export interface GammaObjects {
  services: Service[];
  httpRoutes: HTTPRoute[];
  grpcRoutes: GRPCRoute[];
}

export interface GammaOptions {
  clusterDomain?: string; // default cluster.local
}

const GATEWAY_GROUP = 'gateway.networking.k8s.io';

export function evaluateGamma(objects: GammaObjects, req: MeshRequest, options: GammaOptions = {}): Outcome {
  const frontend = resolveFrontend(objects.services, req, options.clusterDomain ?? 'cluster.local');
  if (!frontend) return { kind: 'passthrough' };
  const port = (frontend.spec.ports ?? []).find((p) => p.port === req.port);
  if (!port) return { kind: 'passthrough' };
  const attached = <R extends HTTPRoute | GRPCRoute>(routes: R[]) =>
    routeSet(routes, frontend, port, req.clientNamespace);
  const grpc = attached(objects.grpcRoutes);
  if (grpc.length > 0) return evaluateGrpc(grpc, objects.services, req); // GRPCRoute beats HTTPRoute (docs/architecture.md §4.2)
  const http = attached(objects.httpRoutes);
  if (http.length > 0) return evaluateHttp(http, objects.services, req);
  return { kind: 'passthrough' };
}

// ---------- frontend and route set ----------

/** The Service the client addresses: a cluster IP, or a DNS name resolved from the client's namespace. */
export function resolveFrontend(
  services: Service[],
  req: MeshRequest,
  clusterDomain: string,
): Service | undefined {
  const host = req.host.toLowerCase();
  if (/^[\d.]+$/.test(host) || host.includes(':')) {
    return services.find((s) => s.spec.clusterIP === host || (s.spec.clusterIPs ?? []).includes(host));
  }
  const labels = host.split('.');
  const [name, ns = req.clientNamespace, svc, ...domain] = labels;
  if (svc !== undefined && svc !== 'svc') return undefined;
  if (domain.length > 0 && domain.join('.') !== clusterDomain) return undefined;
  return services.find((s) => s.metadata.name === name && (s.metadata.namespace ?? 'default') === ns);
}

function refersTo(ref: ParentReference, routeNs: string, svc: Service, port: ServicePort): boolean {
  return (
    (ref.group ?? GATEWAY_GROUP) === '' &&
    (ref.kind ?? 'Gateway') === 'Service' &&
    ref.name === svc.metadata.name &&
    (ref.namespace ?? routeNs) === (svc.metadata.namespace ?? 'default') &&
    (ref.port === undefined || ref.port === port.port) &&
    (ref.sectionName === undefined || ref.sectionName === port.name)
  );
}

/** A route as routeSet reads it (every route kind). */
export type AttachedRoute = { metadata: { namespace?: string; name: string; creationTimestamp?: string } } & {
  spec: { parentRefs?: ParentReference[] };
};

/** Consumer routes of the client's namespace replace the producer routes (GEP-1294). */
export function routeSet<R extends AttachedRoute>(
  routes: R[],
  svc: Service,
  port: ServicePort,
  clientNs: string,
): R[] {
  const svcNs = svc.metadata.namespace ?? 'default';
  const attached = routes.filter((r) =>
    (r.spec.parentRefs ?? []).some((p) => refersTo(p, r.metadata.namespace ?? 'default', svc, port)),
  );
  const consumer = attached.filter(
    (r) => (r.metadata.namespace ?? 'default') === clientNs && clientNs !== svcNs,
  );
  if (consumer.length > 0) return consumer;
  return attached.filter((r) => (r.metadata.namespace ?? 'default') === svcNs);
}

// ---------- precedence (docs/architecture.md §4.2) ----------

interface Candidate<M> {
  route: HTTPRoute | GRPCRoute;
  ruleIndex: number;
  matchIndex: number;
  match: M;
  key: Array<number | string>;
}

export function routeTieBreak(route: AttachedRoute): Array<number | string> {
  const ts = route.metadata.creationTimestamp
    ? Date.parse(route.metadata.creationTimestamp)
    : Number.MAX_SAFE_INTEGER;
  return [ts, `${route.metadata.namespace ?? 'default'}/${route.metadata.name}`];
}

export function compareKeys(a: Array<number | string>, b: Array<number | string>): number {
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue;
    if (typeof a[i] === 'number') return (a[i] as number) - (b[i] as number);
    return String(a[i]) < String(b[i]) ? -1 : 1;
  }
  return 0;
}

function firstMatch<M>(candidates: Candidate<M>[], test: (m: M) => boolean): Candidate<M> | undefined {
  return [...candidates].sort((a, b) => compareKeys(a.key, b.key)).find((c) => test(c.match));
}

/**
 * Exact first; RegularExpression precedence is implementation-specific: we follow gamma-csm's
 * documented choice (after Exact, before prefixes, longer pattern first); then the longest PathPrefix
 * (trailing slash ignored).
 */
function pathRank(m: HTTPRouteMatch): [number, number] {
  const type = m.path?.type ?? 'PathPrefix';
  const value = m.path?.value ?? '/';
  if (type === 'Exact') return [0, 0];
  if (type === 'RegularExpression') return [1, -value.length];
  return [2, -(value.replace(/\/+$/, '') || '/').length];
}

function httpCandidates(routes: HTTPRoute[]): Candidate<HTTPRouteMatch>[] {
  const out: Candidate<HTTPRouteMatch>[] = [];
  for (const route of routes) {
    const rules = route.spec.rules ?? [{}];
    rules.forEach((rule, ruleIndex) => {
      const matches = rule.matches && rule.matches.length > 0 ? rule.matches : [{}];
      matches.forEach((match, matchIndex) => {
        const [rank, len] = pathRank(match);
        const key = [
          rank,
          len,
          match.method ? 0 : 1,
          -uniqueByName(match.headers, true).length,
          -uniqueByName(match.queryParams, false).length,
          ...routeTieBreak(route),
          ruleIndex,
          matchIndex,
        ];
        out.push({ route, ruleIndex, matchIndex, match, key });
      });
    });
  }
  return out;
}

/** Only the first entry per name counts. */
function uniqueByName(list: HeaderMatch[] | undefined, caseInsensitive: boolean): HeaderMatch[] {
  const seen = new Set<string>();
  return (list ?? []).filter((h) => {
    const k = caseInsensitive ? h.name.toLowerCase() : h.name;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

// ---------- HTTP matching ----------

export function gatewayPathMatches(type: string, value: string, path: string): boolean {
  if (type === 'Exact') return path === value;
  if (type === 'PathPrefix') {
    const prefix = value.replace(/\/+$/, '');
    return prefix === '' || path === prefix || path.startsWith(prefix + '/');
  }
  if (type === 'RegularExpression') return re2FullMatch(value, path);
  return false;
}

function valueMatches(m: HeaderMatch, value: string | undefined): boolean {
  if (value === undefined) return false;
  return (m.type ?? 'Exact') === 'RegularExpression' ? re2FullMatch(m.value, value) : value === m.value;
}

function httpMatches(m: HTTPRouteMatch, req: MeshRequest): boolean {
  if (!gatewayPathMatches(m.path?.type ?? 'PathPrefix', m.path?.value ?? '/', requestPath(req))) return false;
  if (m.method && m.method !== requestMethod(req)) return false;
  const headers = lowerHeaders(req.headers);
  if (!uniqueByName(m.headers, true).every((h) => valueMatches(h, headers[h.name.toLowerCase()])))
    return false;
  return uniqueByName(m.queryParams, false).every((q) => valueMatches(q, queryValue(req, q.name)));
}

function evaluateHttp(routes: HTTPRoute[], services: Service[], req: MeshRequest): Outcome {
  const hit = firstMatch(httpCandidates(routes), (m) => httpMatches(m, req));
  if (!hit) return { kind: 'response', outcomes: [{ weight: 1, status: 404 }] };
  const rule = (hit.route as HTTPRoute).spec.rules?.[hit.ruleIndex] ?? {};
  const ctx: RuleContext = {
    errorStatus: 500,
    req,
    services,
    routeNs: hit.route.metadata.namespace ?? 'default',
    match: hit.match,
  };
  return ruleOutcome(ctx, rule.filters ?? [], rule.backendRefs ?? []);
}

// ---------- gRPC matching ----------

function grpcCandidates(routes: GRPCRoute[]): Candidate<GRPCRouteMatch>[] {
  const out: Candidate<GRPCRouteMatch>[] = [];
  for (const route of routes) {
    (route.spec.rules ?? [{}]).forEach((rule, ruleIndex) => {
      const matches = rule.matches && rule.matches.length > 0 ? rule.matches : [{}];
      matches.forEach((match, matchIndex) => {
        const regex = (match.method?.type ?? 'Exact') === 'RegularExpression';
        const chars = (v: string | undefined) => v?.length ?? 0;
        const key = [
          regex ? 0 : -chars(match.method?.service),
          regex ? 0 : -chars(match.method?.method),
          regex ? -(chars(match.method?.service) + chars(match.method?.method)) : 0,
          -uniqueByName(match.headers, true).length,
          ...routeTieBreak(route),
          ruleIndex,
          matchIndex,
        ];
        out.push({ route, ruleIndex, matchIndex, match, key });
      });
    });
  }
  return out;
}

function grpcMatches(m: GRPCRouteMatch, req: MeshRequest): boolean {
  if (m.method) {
    const call = req.grpc ?? /^\/(?<service>[^/]+)\/(?<method>[^/]+)$/.exec(requestPath(req))?.groups;
    if (!call) return false;
    const regex = (m.method.type ?? 'Exact') === 'RegularExpression';
    const test = (want: string | undefined, got: string) =>
      want === undefined || (regex ? re2FullMatch(want, got) : want === got);
    if (!test(m.method.service, call.service) || !test(m.method.method, call.method)) return false;
  }
  const headers = lowerHeaders(req.headers);
  return uniqueByName(m.headers, true).every((h) => valueMatches(h, headers[h.name.toLowerCase()]));
}

function evaluateGrpc(routes: GRPCRoute[], services: Service[], req: MeshRequest): Outcome {
  const hit = firstMatch(grpcCandidates(routes), (m) => grpcMatches(m, req));
  if (!hit) return { kind: 'response', outcomes: [{ weight: 1, status: 404 }] };
  const rule = (hit.route as GRPCRoute).spec.rules?.[hit.ruleIndex] ?? {};
  const ctx: RuleContext = {
    errorStatus: 503,
    req,
    services,
    routeNs: hit.route.metadata.namespace ?? 'default',
    match: {},
  };
  return ruleOutcome(ctx, rule.filters ?? [], rule.backendRefs ?? []);
}

// ---------- filters and backends (docs/support-matrix.md) ----------

interface RuleContext {
  /** 500 for HTTP; gRPC UNAVAILABLE (HTTP 503 in the gRPC/HTTP status mapping) for GRPCRoute. */
  errorStatus: number;
  req: MeshRequest;
  services: Service[];
  routeNs: string;
  match: HTTPRouteMatch;
}

function toOps(m: HeaderModifier | undefined): HeaderOps | undefined {
  if (!m) return undefined;
  const record = (list: { name: string; value: string }[] | undefined) =>
    Object.fromEntries((list ?? []).map((h) => [h.name, h.value]));
  return { set: record(m.set), add: record(m.add), remove: m.remove };
}

/** ReplacePrefixMatch per the Gateway API table; trailing slashes of prefix and replacement are ignored. */
export function replacePrefixMatch(path: string, prefix: string, replacement: string): string {
  const p = prefix.replace(/\/+$/, '');
  // The spec's table has no row for prefix "/"; we read "/" as zero segments (so "/" -> replacement).
  const rest = p === '' && path === '/' ? '' : path.slice(p.length);
  const out = replacement.replace(/\/+$/, '') + rest;
  return out === '' ? '/' : out.startsWith('/') ? out : '/' + out;
}

function modifyPath(ctx: RuleContext, modifier: HTTPPathModifier | undefined): string {
  const path = requestPath(ctx.req);
  if (!modifier) return path;
  if (modifier.type === 'ReplaceFullPath') return modifier.replaceFullPath ?? '/';
  return replacePrefixMatch(path, ctx.match.path?.value ?? '/', modifier.replacePrefixMatch ?? '');
}

export function serviceHasPort(
  services: Service[],
  ns: string,
  name: string,
  port: number | undefined,
): boolean {
  const svc = services.find((s) => s.metadata.name === name && (s.metadata.namespace ?? 'default') === ns);
  return !!svc && port !== undefined && (svc.spec.ports ?? []).some((p) => p.port === port);
}

function resolveRef(
  ctx: RuleContext,
  ref: BackendObjectReference,
): { namespace: string; service: string; port: number } | undefined {
  if ((ref.group ?? '') !== '' || (ref.kind ?? 'Service') !== 'Service') return undefined;
  const ns = ref.namespace ?? ctx.routeNs;
  if (!serviceHasPort(ctx.services, ns, ref.name, ref.port)) return undefined;
  return { namespace: ns, service: ref.name, port: ref.port as number };
}

function mirrorsOf(ctx: RuleContext, filters: HTTPRouteFilter[]): MirrorTarget[] {
  const out: MirrorTarget[] = [];
  for (const f of filters) {
    if (f.type !== 'RequestMirror' || !f.requestMirror) continue;
    const target = resolveRef(ctx, f.requestMirror.backendRef);
    if (!target) continue; // ResolvedRefs=False; nothing is mirrored
    const fr = f.requestMirror.fraction;
    const percent = f.requestMirror.percent ?? (fr ? (fr.numerator / (fr.denominator ?? 100)) * 100 : 100);
    out.push({ ...target, percent });
  }
  return out;
}

const UNSKIPPABLE = new Set(['ExtensionRef', 'ExternalAuth']);

function ruleOutcome(ctx: RuleContext, filters: HTTPRouteFilter[], backendRefs: HTTPBackendRef[]): Outcome {
  const one = (b: OutcomeBranch): Outcome => ({ kind: 'response', outcomes: [b] });
  if (filters.some((f) => UNSKIPPABLE.has(f.type))) return one({ weight: 1, status: ctx.errorStatus });
  const byType = (t: string) => filters.find((f) => f.type === t);
  const redirect = byType('RequestRedirect')?.requestRedirect;
  if (redirect) {
    const location = redirectLocation(ctx.req, {
      scheme: redirect.scheme,
      host: redirect.hostname,
      port: redirect.port,
      path: modifyPath(ctx, redirect.path),
    });
    return one({ weight: 1, status: redirect.statusCode ?? 302, location });
  }
  const rewrite = byType('URLRewrite')?.urlRewrite;
  const path = modifyPath(ctx, rewrite?.path);
  const host = rewrite?.hostname ?? requestAuthority(ctx.req);
  const reqHeaders = applyHeaderOps(
    lowerHeaders(ctx.req.headers),
    toOps(byType('RequestHeaderModifier')?.requestHeaderModifier),
  );
  const respHeaders = applyHeaderOps({}, toOps(byType('ResponseHeaderModifier')?.responseHeaderModifier));
  const ruleMirrors = mirrorsOf(ctx, filters);

  const refs = backendRefs.map((ref) => ({ ref, weight: ref.weight ?? 1 })).filter((r) => r.weight > 0);
  const total = refs.reduce((a, r) => a + r.weight, 0);
  if (total === 0) return one({ weight: 1, status: ctx.errorStatus });
  const outcomes = refs.map(({ ref, weight }): OutcomeBranch => {
    const share = weight / total;
    const backend = resolveRef(ctx, ref);
    if (!backend) return { weight: share, status: ctx.errorStatus };
    const bf = ref.filters ?? [];
    const find = (t: string) => bf.find((f) => f.type === t);
    const mirrors = [...ruleMirrors, ...mirrorsOf(ctx, bf)];
    return {
      weight: share,
      status: 200,
      backend,
      requestHeaders: applyHeaderOps(reqHeaders, toOps(find('RequestHeaderModifier')?.requestHeaderModifier)),
      responseHeaders: applyHeaderOps(
        respHeaders,
        toOps(find('ResponseHeaderModifier')?.responseHeaderModifier),
      ),
      path,
      host,
      ...(mirrors.length > 0 ? { mirrors } : {}),
    };
  });
  return { kind: 'response', outcomes };
}
