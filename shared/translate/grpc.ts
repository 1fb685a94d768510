// GRPCRoute rules -> ordered GrpcRoute rules for one Service port.
// GrpcRoute has no header modifiers or mirror. When any GRPCRoute rule on a Service port uses
// RequestHeaderModifier, ResponseHeaderModifier or RequestMirror, the whole port is emitted as an
// HttpRoute instead (gRPC is HTTP/2 POST /service/method; Envoy sidecars apply every HttpRoute field to
// it): methods become path matches (see grpcHttpMatch), gRPC precedence still orders the rules, and the
// route status says so. Proxyless gRPC clients do not apply header modifiers or mirroring at all, so
// those filters only take effect for Envoy sidecars. ExtensionRef and unknown filters fail closed
// (UNAVAILABLE via abort 503).
// Unresolved backends get their share answered with HTTP 503, which gRPC clients see as UNAVAILABLE
// (Gateway API asks for UNAVAILABLE on GRPCRoute). No catch-all rule is added: an RPC matching no rule
// fails with UNAVAILABLE at proxyless clients (gRPC A28) - Network Services has no direct response here.
import type { GRPCRouteRule, HTTPBackendRef, HTTPRouteFilter } from '../gamma/types.ts';
import type { NsGrpcAction, NsGrpcRule, NsHttpAction, NsHttpDestination, NsHttpRule } from './model.ts';
import { droppedRule, extraMirrorsWarning, noBackendWarning, normalizeMatches, sameAction } from './model.ts';
import type { NormalGrpcMatch } from './grpc-match.ts';
import {
  grpcHttpMatch,
  grpcMatchCovers,
  grpcNsMatch,
  grpcPrecedence,
  normalizeGrpcMatch,
} from './grpc-match.ts';
import { convertHeaderModifier } from './filters/header-modifier.ts';
import { mirrorPercent } from './filters/mirror.ts';
import { backendWeight, splitBackends } from './backends.ts';
import type { Split } from './backends.ts';
import { convertSessionPersistence } from './session.ts';
import { compareGrpcMatches, compareOrderKeys } from './precedence.ts';
import type { CompileContext, CompiledRule, GrpcEntry, RouteIdentity, RuleRef, Shadowed } from './state.ts';
import { routeOrder } from './http.ts';
import { firstCovering } from './shadow.ts';
import { asArray, isObj, sortList } from './util.ts';

const HTTP_ONLY_FILTERS = ['RequestHeaderModifier', 'ResponseHeaderModifier', 'RequestMirror'];

/** True when the rule needs HttpRoute features (header modifiers, mirror) GrpcRoute lacks. */
export function grpcRuleNeedsHttp(rule: unknown): boolean {
  if (!isObj(rule)) return false;
  const filters = [
    ...asArray(rule.filters),
    ...asArray(rule.backendRefs).flatMap((r) => (isObj(r) ? asArray(r.filters) : [])),
  ];
  return filters.some((f) => isObj(f) && HTTP_ONLY_FILTERS.includes(String(f.type)));
}

type CompiledGrpcRule = CompiledRule<GrpcEntry>;

const UNAVAILABLE_ALL: NsGrpcAction = {
  faultInjectionPolicy: { abort: { httpStatus: 503, percentage: 100 } },
};

export function compileGrpcRule(
  route: RouteIdentity,
  ruleIndex: number,
  rule: GRPCRouteRule,
  ctx: CompileContext,
  asHttp = false,
): CompiledGrpcRule {
  const out: CompiledGrpcRule = { entries: [], warnings: [], mappings: [] };
  const drop = (message: string, failClosed = false): CompiledGrpcRule =>
    droppedRule(out, message, failClosed);
  const matches = normalizeMatches(rule.matches, normalizeGrpcMatch);
  if (!matches.ok) return drop(matches.problem.message);
  const normals: NormalGrpcMatch[] = matches.value;
  const ruleRef: RuleRef = {
    kind: 'GRPCRoute',
    route: route.ref,
    index: ruleIndex,
    createdMs: route.createdMs,
  };
  const entry = (
    normal: NormalGrpcMatch,
    i: number,
    action: NsGrpcAction,
    backends: string[],
  ): GrpcEntry => ({
    normal,
    match: grpcNsMatch(normal),
    action,
    precedence: grpcPrecedence(normal),
    order: routeOrder(route, ruleIndex, i),
    rule: ruleRef,
    backends,
  });
  const filters = asArray<HTTPRouteFilter>(rule.filters).filter(isObj);
  const unsupported = filters.find((f) => !HTTP_ONLY_FILTERS.includes(String(f.type)));
  if (unsupported) {
    out.entries = normals.map((n, i) => withHttp(entry(n, i, UNAVAILABLE_ALL, []), UNAVAILABLE_ALL, asHttp));
    return drop(
      `filter type ${JSON.stringify(unsupported.type)} is not supported; calls matching this rule fail with UNAVAILABLE`,
      true,
    );
  }
  if (filters.length && !asHttp) {
    return drop(
      `${filters.map((f) => String(f.type)).join(', ')} cannot be expressed on a Network Services GrpcRoute (it has no header modifiers or mirroring)`,
    );
  }
  const mirrors = filters.filter((f) => f.type === 'RequestMirror');
  if (mirrors.length > 1) out.warnings.push(extraMirrorsWarning(mirrors.length));
  const backendRefs = asArray<HTTPBackendRef>(rule.backendRefs).filter(isObj);
  const destinationExtras = destinationExtrasOf(backendRefs, asHttp, out.warnings);
  if (typeof destinationExtras === 'string') return drop(destinationExtras);
  const session = convertSessionPersistence(rule.sessionPersistence);
  if (!session.ok) return drop(session.problem.message);
  if (session.value) out.warnings.push(...session.value.warnings);

  const split = splitBackends(
    backendRefs.map((ref, i) => ({
      ref,
      weight: backendWeight(ref),
      resolved: ctx.resolve(ref, route.namespace, 'GRPCRoute'),
      extra: destinationExtras[i],
    })),
  );
  out.mappings.push(...split.valid.map((b) => b.resolved.mapping));
  let action: NsGrpcAction;
  if (split.valid.length === 0 && split.problems.length === 0)
    out.warnings.push(noBackendWarning(backendRefs.length > 0, 'UNAVAILABLE (HTTP 503)'));
  if (split.valid.length === 0) action = UNAVAILABLE_ALL;
  else {
    action = {
      destinations: split.valid.map((b) => ({ serviceName: b.resolved.serviceName, weight: b.weight })),
    };
    if (split.errorPercent > 0)
      action.faultInjectionPolicy = { abort: { httpStatus: 503, percentage: split.errorPercent } };
    if (session.value?.cookieTtl !== undefined)
      action.statefulSessionAffinity = { cookieTtl: session.value.cookieTtl };
  }
  const httpAction = asHttp
    ? grpcAsHttpAction(action, split, filters, mirrors, { ctx, namespace: route.namespace, out })
    : (action as NsHttpAction);
  const backends = split.valid.map((b) => b.resolved.label);
  out.entries = normals.map((n, i) => withHttp(entry(n, i, action, backends), httpAction, asHttp));
  return out;
}

type DestinationExtra = Pick<NsHttpDestination, 'requestHeaderModifier' | 'responseHeaderModifier'>;

/**
 * Each backendRef's header modifiers (only when the port is served by an HttpRoute); a mirror on a
 * backendRef is left out with a warning, since mirrors never change where calls go. A string: the
 * filter that makes the rule untranslatable.
 */
function destinationExtrasOf(
  backendRefs: HTTPBackendRef[],
  asHttp: boolean,
  warnings: string[],
): DestinationExtra[] | string {
  const extras: DestinationExtra[] = [];
  for (const ref of backendRefs) {
    const extra: DestinationExtra = {};
    for (const filter of asArray<HTTPRouteFilter>(ref.filters).filter(isObj)) {
      if (asHttp && filter.type === 'RequestHeaderModifier')
        extra.requestHeaderModifier = convertHeaderModifier(filter.requestHeaderModifier);
      else if (asHttp && filter.type === 'ResponseHeaderModifier')
        extra.responseHeaderModifier = convertHeaderModifier(filter.responseHeaderModifier);
      else if (filter.type === 'RequestMirror')
        warnings.push(
          `the RequestMirror of backendRef ${String(ref.name)} is not applied (Network Services mirrors per rule, not per destination)`,
        );
      else return `backendRef filter ${JSON.stringify(filter.type)} cannot be expressed per destination`;
    }
    if (!extra.requestHeaderModifier) delete extra.requestHeaderModifier;
    if (!extra.responseHeaderModifier) delete extra.responseHeaderModifier;
    extras.push(extra);
  }
  return extras;
}

/** The HttpRoute form of a gRPC rule's action: destinations with their modifiers, rule filters, the mirror. */
function grpcAsHttpAction(
  action: NsGrpcAction,
  split: Split<DestinationExtra>,
  filters: HTTPRouteFilter[],
  mirrors: HTTPRouteFilter[],
  at: { ctx: CompileContext; namespace: string; out: CompiledGrpcRule },
): NsHttpAction {
  const httpAction: NsHttpAction = { ...(action as NsHttpAction) };
  if (split.valid.length)
    httpAction.destinations = split.valid.map((b) => ({
      serviceName: b.resolved.serviceName,
      weight: b.weight,
      ...b.extra,
    }));
  const requestMod = convertHeaderModifier(
    filters.find((f) => f.type === 'RequestHeaderModifier')?.requestHeaderModifier,
  );
  const responseMod = convertHeaderModifier(
    filters.find((f) => f.type === 'ResponseHeaderModifier')?.responseHeaderModifier,
  );
  if (requestMod) httpAction.requestHeaderModifier = requestMod;
  if (responseMod) httpAction.responseHeaderModifier = responseMod;
  if (mirrors.length >= 1 && isObj(mirrors[0].requestMirror)) {
    const target = at.ctx.resolve(mirrors[0].requestMirror.backendRef, at.namespace, 'GRPCRoute');
    if (target.ok) {
      httpAction.requestMirrorPolicy = {
        destination: { serviceName: target.serviceName },
        mirrorPercent: mirrorPercent(mirrors[0].requestMirror),
      };
      at.out.mappings.push(target.mapping);
    } else at.out.warnings.push(`its RequestMirror is not applied: ${target.problem.message}`);
  }
  return httpAction;
}

function withHttp(entry: GrpcEntry, action: NsHttpAction, asHttp: boolean): GrpcEntry {
  return asHttp ? { ...entry, http: { match: grpcHttpMatch(entry.normal), action } } : entry;
}

/** HttpRoute rules for a gRPC port served as an HttpRoute, in gRPC precedence order. */
export function emitGrpcAsHttpRules(sorted: GrpcEntry[]): NsHttpRule[] {
  const rules: NsHttpRule[] = [];
  let lastAction: NsHttpAction | undefined;
  for (const entry of sorted) {
    if (!entry.http) continue;
    const last = rules[rules.length - 1];
    if (last && lastAction !== undefined && sameAction(entry.http.action, lastAction))
      last.matches?.push(entry.http.match);
    else rules.push({ matches: [entry.http.match], action: entry.http.action });
    lastAction = entry.http.action;
  }
  return rules;
}

export function sortGrpcEntries(entries: GrpcEntry[]): GrpcEntry[] {
  return sortList(
    entries,
    (a, b) => compareGrpcMatches(a.precedence, b.precedence) || compareOrderKeys(a.order, b.order),
  );
}

export function findShadowedGrpcRules(sorted: GrpcEntry[]): Shadowed[] {
  const shadowedBy = new Map<RuleRef, RuleRef | null>();
  const backends = new Map<RuleRef, string[]>();
  sorted.forEach((entry, i) => {
    const earlier = firstCovering(sorted, i, grpcMatchCovers);
    backends.set(entry.rule, entry.backends);
    if (!earlier) shadowedBy.set(entry.rule, null);
    else if (shadowedBy.get(entry.rule) === undefined) shadowedBy.set(entry.rule, earlier.rule);
  });
  return [...shadowedBy.entries()]
    .filter((e): e is [RuleRef, RuleRef] => e[1] !== null)
    .map(([rule, by]) => ({ rule, by, backends: backends.get(rule) ?? [] }));
}

export function emitGrpcRules(sorted: GrpcEntry[]): NsGrpcRule[] {
  const rules: NsGrpcRule[] = [];
  let lastAction: unknown;
  for (const entry of sorted) {
    const last = rules[rules.length - 1];
    const hasMatch = Object.keys(entry.match).length > 0;
    if (
      last &&
      lastAction !== undefined &&
      last.matches &&
      hasMatch &&
      sameAction(entry.action, lastAction as NsGrpcAction)
    )
      last.matches.push(entry.match);
    else rules.push(hasMatch ? { matches: [entry.match], action: entry.action } : { action: entry.action });
    lastAction = hasMatch ? entry.action : undefined;
  }
  return rules;
}
