// GRPCRoute rules -> compiled entries for one Service port, each in both forms: the GrpcRoute one and
// the HttpRoute one. GrpcRoute has no header modifiers or mirror. When any GRPCRoute rule on a
// Service port uses RequestHeaderModifier, ResponseHeaderModifier or RequestMirror, the whole port is
// written as an HttpRoute instead (gRPC is HTTP/2 POST /service/method; Envoy sidecars apply every
// HttpRoute field to it): methods become path matches (see grpcHttpMatch), gRPC precedence still
// orders the rules, and the route status says so. Proxyless gRPC clients do not apply header
// modifiers or mirroring at all, so those filters only take effect for Envoy sidecars. ExtensionRef
// and unknown filters fail closed (UNAVAILABLE via abort 503).
// Unresolved backends get their share answered with HTTP 503, which gRPC clients see as UNAVAILABLE
// (Gateway API asks for UNAVAILABLE on GRPCRoute). No catch-all rule is added: an RPC matching no rule
// fails with UNAVAILABLE at proxyless clients (gRPC A28) - Network Services has no direct response here.
import type { GRPCRouteRule, HTTPBackendRef, HTTPRouteFilter } from '../gamma/types.ts';
import type { NsGrpcAction, NsHttpAction, NsHttpDestination } from './model.ts';
import { extraMirrorsWarning, noBackendWarning, normalizeMatches } from './model.ts';
import type { NormalGrpcMatch } from './grpc-match.ts';
import { grpcHttpMatch, grpcMatchCovers, grpcNsMatch, normalizeGrpcMatch } from './grpc-match.ts';
import { convertHeaderModifier } from './filters/header-modifier.ts';
import { firstMirror } from './filters/mirror.ts';
import { backendWeight, splitBackends } from './backends.ts';
import type { Split } from './backends.ts';
import { convertSessionPersistence } from './session.ts';
import { compareGrpcMatches } from './precedence.ts';
import type {
  CompileContext,
  CompiledRule,
  Entry,
  Member,
  RouteIdentity,
  RuleRef,
  RuleSemantics,
} from './state.ts';
import { ruleRef } from './rules.ts';
import { scanCovering } from './shadow.ts';
import { asArray, isObj } from './util.ts';

type GrpcEntry = Entry<NormalGrpcMatch>;

/** How GRPCRoute rules compile, take precedence, shadow each other and are written (RuleSemantics). */
export const GRPC_RULES: RuleSemantics<NormalGrpcMatch> = {
  compile: compileGrpcRule,
  compare: compareGrpcMatches,
  firstCovering: (sorted) => scanCovering(sorted, grpcMatchCovers),
  form: (members) => (grpcPortNeedsHttp(members) ? 'HttpRoute' : 'GrpcRoute'),
};

const HTTP_ONLY_FILTERS = ['RequestHeaderModifier', 'ResponseHeaderModifier', 'RequestMirror'];

/** True when the rule needs HttpRoute features (header modifiers, mirror) GrpcRoute lacks. */
function grpcRuleNeedsHttp(rule: unknown): boolean {
  if (!isObj(rule)) return false;
  const filters = [
    ...asArray(rule.filters),
    ...asArray(rule.backendRefs).flatMap((r) => (isObj(r) ? asArray(r.filters) : [])),
  ];
  return filters.some((f) => isObj(f) && HTTP_ONLY_FILTERS.includes(String(f.type)));
}

/** Whether a port served by these GRPCRoute members is written as an HttpRoute (see the header). */
function grpcPortNeedsHttp(members: Member[]): boolean {
  return members.some(({ state }) =>
    state.rules.some((rule, i) => !state.ruleErrors?.has(i) && grpcRuleNeedsHttp(rule)),
  );
}

/** Every call answered UNAVAILABLE. */
function unavailable(): NsGrpcAction {
  return { faultInjectionPolicy: { abort: { httpStatus: 503, percentage: 100 } } };
}

function grpcEntries(
  normals: NormalGrpcMatch[],
  ref: RuleRef,
  backends: string[],
  action: NsGrpcAction,
  httpAction: NsHttpAction,
): GrpcEntry[] {
  return normals.map((normal, i) => ({
    normal,
    matchIndex: i,
    rule: ref,
    backends,
    http: [{ match: grpcHttpMatch(normal), kind: 'other', action: httpAction }],
    grpc: { match: grpcNsMatch(normal), action },
  }));
}

/**
 * One entry per match of the rule, in both forms, or why the rule is dropped, with its warnings and
 * backends. Which form is written is decided per port, after compiling (grpcPortNeedsHttp).
 */
function compileGrpcRule(
  route: RouteIdentity,
  ruleIndex: number,
  rule: GRPCRouteRule,
  ctx: CompileContext,
): CompiledRule<NormalGrpcMatch> {
  const warnings: string[] = [];
  const dropped = (message: string, entries: GrpcEntry[] = []): CompiledRule<NormalGrpcMatch> => ({
    entries,
    warnings,
    mappings: [],
    dropped: { reason: 'UnsupportedValue', message, failClosed: entries.length > 0 },
  });
  const matches = normalizeMatches(rule.matches, normalizeGrpcMatch);
  if (!matches.ok) return dropped(matches.problem.message);
  const ref = ruleRef('GRPCRoute', route, ruleIndex);
  const filters = asArray<HTTPRouteFilter>(rule.filters).filter(isObj);
  const unsupported = filters.find((f) => !HTTP_ONLY_FILTERS.includes(String(f.type)));
  if (unsupported) {
    // Fail closed: the rule's own matches answer UNAVAILABLE.
    const action = unavailable();
    return dropped(
      `filter type ${JSON.stringify(unsupported.type)} is not supported; calls matching this rule fail with UNAVAILABLE`,
      grpcEntries(matches.value, ref, [], action, action),
    );
  }
  const mirrors = filters.filter((f) => f.type === 'RequestMirror');
  if (mirrors.length > 1) warnings.push(extraMirrorsWarning(mirrors.length));
  const backendRefs = asArray<HTTPBackendRef>(rule.backendRefs).filter(isObj);
  const extras = destinationExtras(backendRefs, warnings);
  if (typeof extras === 'string') return dropped(extras);
  const session = convertSessionPersistence(rule.sessionPersistence);
  if (!session.ok) return dropped(session.problem.message);
  if (session.value) warnings.push(...session.value.warnings);

  const split = splitBackends(
    backendRefs.map((ref, i) => ({
      ref,
      weight: backendWeight(ref),
      resolved: ctx.resolve(ref, route.namespace, 'GRPCRoute'),
      extra: extras[i],
    })),
  );
  const mappings = split.valid.map((b) => b.resolved.mapping);
  if (split.valid.length === 0 && split.problems.length === 0)
    warnings.push(noBackendWarning(backendRefs.length > 0, 'UNAVAILABLE (HTTP 503)'));
  const action = grpcAction(split, session.value?.cookieTtl);
  const httpAction = httpFormAction(action, split, filters);
  const mirror = firstMirror(mirrors, route.namespace, 'GRPCRoute', ctx, warnings);
  if (mirror) {
    httpAction.requestMirrorPolicy = mirror.policy;
    mappings.push(mirror.mapping);
  }
  const backends = split.valid.map((b) => b.resolved.label);
  return { entries: grpcEntries(matches.value, ref, backends, action, httpAction), warnings, mappings };
}

type DestinationExtra = Pick<NsHttpDestination, 'requestHeaderModifier' | 'responseHeaderModifier'>;

/** The GrpcRoute action: the resolved backends, the unresolved share answered UNAVAILABLE, affinity. */
function grpcAction(split: Split<DestinationExtra>, cookieTtl: string | undefined): NsGrpcAction {
  if (split.valid.length === 0) return unavailable();
  const action: NsGrpcAction = {
    destinations: split.valid.map((b) => ({ serviceName: b.resolved.serviceName, weight: b.weight })),
  };
  if (split.errorPercent > 0)
    action.faultInjectionPolicy = { abort: { httpStatus: 503, percentage: split.errorPercent } };
  if (cookieTtl !== undefined) action.statefulSessionAffinity = { cookieTtl };
  return action;
}

/**
 * Each backendRef's header modifiers (used when the port is written as an HttpRoute); a mirror on a
 * backendRef is left out with a warning, since mirrors never change where calls go. A string: the
 * filter that makes the rule untranslatable.
 */
function destinationExtras(backendRefs: HTTPBackendRef[], warnings: string[]): DestinationExtra[] | string {
  const extras: DestinationExtra[] = [];
  for (const ref of backendRefs) {
    const extra: DestinationExtra = {};
    for (const filter of asArray<HTTPRouteFilter>(ref.filters).filter(isObj)) {
      if (filter.type === 'RequestHeaderModifier')
        extra.requestHeaderModifier = convertHeaderModifier(filter.requestHeaderModifier);
      else if (filter.type === 'ResponseHeaderModifier')
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

/** The HttpRoute form of a gRPC rule's action: destinations with their modifiers, the rule's modifiers. */
function httpFormAction(
  action: NsGrpcAction,
  split: Split<DestinationExtra>,
  filters: HTTPRouteFilter[],
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
  return httpAction;
}
