// HTTPRoute rules -> ordered Network Services HttpRoute rules for one Service port (DESIGN §4.1).
// Each rule compiles into one entry per Gateway API match; entries of every route attached to the
// port are sorted by precedence, emitted arm by arm, and adjacent rules with equal actions merged.
// Requests matching no rule get 404 through a final match-less directResponse rule (added only when no
// entry already matches everything, so it never shadows anything).
import type { HTTPBackendRef, HTTPRoute, HTTPRouteFilter, HTTPRouteRule } from '../gamma/types.ts';
import type { BackendMapping, TranslateOptions } from './types.ts';
import type {
  NsHeaderModifier,
  NsHttpAction,
  NsHttpDestination,
  NsHttpMatch,
  NsHttpRule,
  Problem,
} from './model.ts';
import { droppedRule, normalizeMatches } from './model.ts';
import type { MatchArm, NormalMatch } from './match.ts';
import { httpMatchArms, httpMatchCovers, isCatchAll, normalizeHttpMatch } from './match.ts';
import type { ServiceIndex, WeightedBackend } from './backends.ts';
import { backendWeight, resolveBackendRef, splitBackends } from './backends.ts';
import { convertHeaderModifier, modifiedHeaderNames } from './filters/header-modifier.ts';
import { convertRedirect } from './filters/redirect.ts';
import { convertRewrite } from './filters/rewrite.ts';
import { mirrorPercent } from './filters/mirror.ts';
import { convertCors } from './filters/cors.ts';
import { convertTimeoutsAndRetry } from './timeouts-retry.ts';
import { convertSessionPersistence } from './session.ts';
import type { RouteOrder } from './precedence.ts';
import { compareHttpMatches, compareOrderKeys, routeOrderKey } from './precedence.ts';
import { asArray, isObj, sameCanonicalJson } from './util.ts';

export interface HttpEntry {
  normal: NormalMatch;
  arms: { match: NsHttpMatch; action: NsHttpAction }[];
  order: RouteOrder;
  ruleKey: string; // "HTTPRoute ns/name rule N"
  backends: string[];
}

export interface CompiledRule {
  entries: HttpEntry[];
  /** Set when the rule is dropped; failClosed rules still answer their matches with an error. */
  dropped?: Problem & { failClosed?: boolean };
  warnings: string[];
  mappings: BackendMapping[];
}

export interface CompileContext {
  options: TranslateOptions;
  services: ServiceIndex;
  servicePort: number;
}

export interface RouteIdentity {
  namespace: string;
  name: string;
  creationTimestamp?: string;
}

/** Filter types that must fail closed: skipping them would serve requests without auth/extension logic. */
function failClosedFilter(type: unknown): string | undefined {
  if (type === 'ExtensionRef') return 'ExtensionRef filters are not supported';
  if (type === 'ExternalAuth') return 'ExternalAuth filters are not supported';
  if (!KNOWN_FILTERS.has(String(type))) return `filter type ${JSON.stringify(type)} is not supported`;
  return undefined;
}

const KNOWN_FILTERS = new Set([
  'RequestHeaderModifier',
  'ResponseHeaderModifier',
  'RequestRedirect',
  'URLRewrite',
  'RequestMirror',
  'CORS',
  'ExtensionRef',
  'ExternalAuth',
]);

/** Built field by field (not spread): one per match of every rule, on the hot path. */
export function routeOrder(route: RouteIdentity, ruleIndex: number, matchIndex: number): RouteOrder {
  const order: RouteOrder = { namespace: route.namespace, name: route.name, ruleIndex, matchIndex };
  if ('creationTimestamp' in route) order.creationTimestamp = route.creationTimestamp;
  return order;
}

export function compileHttpRule(
  route: RouteIdentity,
  ruleIndex: number,
  rule: HTTPRouteRule,
  ctx: CompileContext,
): CompiledRule {
  const out: CompiledRule = { entries: [], warnings: [], mappings: [] };
  const drop = (message: string, failClosed = false): CompiledRule => droppedRule(out, message, failClosed);
  const matches = normalizeMatches(rule.matches, normalizeHttpMatch);
  if (!matches.ok) return drop(matches.problem.message);
  const normals: NormalMatch[] = matches.value;
  const filters = asArray<HTTPRouteFilter>(rule.filters).filter(isObj);
  const order = (matchIndex: number): RouteOrder => routeOrder(route, ruleIndex, matchIndex);
  const ruleKey = `HTTPRoute ${route.namespace}/${route.name} rule ${ruleIndex}`;

  const closed = filters.map((f) => failClosedFilter(f.type)).find(Boolean);
  if (closed) {
    // Fail closed: the rule's own matches answer 500 so traffic neither bypasses the filter nor falls
    // through to a broader rule.
    out.entries = normals.map((normal, i) => ({
      normal,
      arms: httpMatchArms(normal).map((arm) => ({
        match: arm.match,
        action: { directResponse: { status: 500 } },
      })),
      order: order(i),
      ruleKey,
      backends: [],
    }));
    return drop(`${closed}; requests matching this rule are answered with HTTP 500`, true);
  }

  const byType = (type: string) => filters.filter((f) => f.type === type);
  const requestMod = convertHeaderModifier(byType('RequestHeaderModifier')[0]?.requestHeaderModifier);
  const responseMod = convertHeaderModifier(byType('ResponseHeaderModifier')[0]?.responseHeaderModifier);
  const redirect = byType('RequestRedirect')[0];
  const rewrite = byType('URLRewrite')[0];
  const mirrors = byType('RequestMirror');
  const cors = byType('CORS')[0];
  const backendRefs = asArray<HTTPBackendRef>(rule.backendRefs).filter(isObj);
  if (redirect && rewrite) return drop('RequestRedirect and URLRewrite cannot be combined');
  if (redirect && backendRefs.length) return drop('RequestRedirect cannot be combined with backendRefs');
  if (mirrors.length > 1)
    return drop(
      'only one RequestMirror filter per rule can be expressed (Network Services mirrors to one destination)',
    );

  const timing = convertTimeoutsAndRetry(rule);
  if (!timing.ok) return drop(timing.problem.message);
  out.warnings.push(...timing.value.warnings);
  const session = convertSessionPersistence(rule.sessionPersistence);
  if (!session.ok) return drop(session.problem.message);
  if (session.value) out.warnings.push(...session.value.warnings);

  // Backends with their per-destination header modifiers.
  const weighted: WeightedBackend<
    Pick<NsHttpDestination, 'requestHeaderModifier' | 'responseHeaderModifier'>
  >[] = [];
  const ruleNames = modifiedHeaderNames(requestMod);
  const ruleResponseNames = modifiedHeaderNames(responseMod);
  for (const ref of backendRefs) {
    const extra: Pick<NsHttpDestination, 'requestHeaderModifier' | 'responseHeaderModifier'> = {};
    for (const filter of asArray<HTTPRouteFilter>(ref.filters).filter(isObj)) {
      if (filter.type === 'RequestHeaderModifier')
        extra.requestHeaderModifier = convertHeaderModifier(filter.requestHeaderModifier);
      else if (filter.type === 'ResponseHeaderModifier')
        extra.responseHeaderModifier = convertHeaderModifier(filter.responseHeaderModifier);
      else
        return drop(
          `backendRef filter ${JSON.stringify(filter.type)} cannot be expressed per destination (only header modifiers)`,
        );
    }
    const clash = [
      ...[...modifiedHeaderNames(extra.requestHeaderModifier)].filter((n) => ruleNames.has(n)),
      ...[...modifiedHeaderNames(extra.responseHeaderModifier)].filter((n) => ruleResponseNames.has(n)),
    ];
    if (clash.length) {
      return drop(
        `header ${clash[0]} is modified both by the rule and by a backendRef; Network Services does not define which wins`,
      );
    }
    if (!extra.requestHeaderModifier) delete extra.requestHeaderModifier;
    if (!extra.responseHeaderModifier) delete extra.responseHeaderModifier;
    weighted.push({
      ref,
      weight: backendWeight(ref),
      resolved: resolveBackendRef(ref, route.namespace, ctx.services, ctx.options),
      extra,
    });
  }
  const split = splitBackends(weighted);
  const destinations: NsHttpDestination[] = split.valid.map((b) => ({
    serviceName: b.resolved.serviceName,
    weight: b.weight,
    ...b.extra,
  }));
  out.mappings.push(...split.valid.map((b) => b.resolved.mapping));

  let mirrorPolicy: NsHttpAction['requestMirrorPolicy'];
  if (mirrors.length === 1 && isObj(mirrors[0].requestMirror)) {
    const target = resolveBackendRef(
      mirrors[0].requestMirror.backendRef,
      route.namespace,
      ctx.services,
      ctx.options,
    );
    if (target.ok) {
      mirrorPolicy = {
        destination: { serviceName: target.serviceName },
        mirrorPercent: mirrorPercent(mirrors[0].requestMirror),
      };
      out.mappings.push(target.mapping);
    } else out.warnings.push(`RequestMirror in rule ${ruleIndex} is not applied: ${target.problem.message}`);
  }

  const needsArmKind = [redirect?.requestRedirect?.path, rewrite?.urlRewrite?.path].some(
    (p) => isObj(p) && p.type === 'ReplacePrefixMatch',
  );
  const actionFor = (arm: MatchArm): { action?: NsHttpAction; error?: string } => {
    const action: NsHttpAction = {};
    if (redirect) {
      const converted = convertRedirect(redirect.requestRedirect, arm.kind, ctx.servicePort);
      if (!converted.ok) return { error: converted.problem.message };
      action.redirect = converted.value;
    } else if (destinations.length === 0) {
      return { action: { directResponse: { status: 500 } } };
    } else {
      action.destinations = destinations;
      if (split.errorPercent > 0)
        action.faultInjectionPolicy = { abort: { httpStatus: 500, percentage: split.errorPercent } };
    }
    if (requestMod) action.requestHeaderModifier = requestMod as NsHeaderModifier;
    if (responseMod) action.responseHeaderModifier = responseMod as NsHeaderModifier;
    if (rewrite) {
      const converted = convertRewrite(rewrite.urlRewrite, arm.kind);
      if (!converted.ok) return { error: converted.problem.message };
      if (Object.keys(converted.value).length) action.urlRewrite = converted.value;
    }
    if (!redirect) {
      if (timing.value.timeout) action.timeout = timing.value.timeout;
      if (timing.value.retryPolicy) action.retryPolicy = timing.value.retryPolicy;
      if (mirrorPolicy) action.requestMirrorPolicy = mirrorPolicy;
      if (session.value) action.statefulSessionAffinity = { cookieTtl: session.value.cookieTtl };
    }
    if (cors) action.corsPolicy = convertCors(cors.cors);
    return { action };
  };

  const backendsLabel = split.valid.map(
    (b) => `${b.resolved.mapping.namespace}/${b.resolved.mapping.service}:${b.resolved.mapping.port}`,
  );
  for (const [i, normal] of normals.entries()) {
    const arms: HttpEntry['arms'] = [];
    for (const arm of httpMatchArms(normal, needsArmKind)) {
      const built = actionFor(arm);
      if (built.error) return drop(`match ${i}: ${built.error}`);
      arms.push({ match: arm.match, action: built.action as NsHttpAction });
    }
    out.entries.push({ normal, arms, order: order(i), ruleKey, backends: backendsLabel });
  }
  return out;
}

export function sortHttpEntries(entries: HttpEntry[]): HttpEntry[] {
  return entries
    .map((entry) => ({ entry, key: routeOrderKey(entry.order) }))
    .sort((a, b) => compareHttpMatches(a.entry.normal, b.entry.normal) || compareOrderKeys(a.key, b.key))
    .map((keyed) => keyed.entry);
}

export interface Shadowed {
  ruleKey: string;
  by: string;
  backends: string[];
}

/** The first entry before index `i` of another rule that covers entry i (no copies: this is O(n^2)). */
export function firstCovering<E extends { ruleKey: string; normal: N }, N>(
  sorted: E[],
  i: number,
  covers: (outer: N, inner: N) => boolean,
): E | undefined {
  const entry = sorted[i];
  for (let j = 0; j < i; j++) {
    const candidate = sorted[j];
    if (candidate.ruleKey !== entry.ruleKey && covers(candidate.normal, entry.normal)) return candidate;
  }
  return undefined;
}

/** Keys of the earlier matches that could cover `n`: same path, the root prefix, or a segment prefix. */
function coveringPathKeys(n: NormalMatch): string[] {
  const keys = [`${n.pathType} ${n.path}`, 'PathPrefix /'];
  if (n.pathType !== 'RegularExpression') {
    const segments = n.path.split('/');
    for (let k = 2; k <= segments.length; k++) keys.push(`PathPrefix ${segments.slice(0, k).join('/')}`);
  }
  return keys;
}

/** Bound on cover checks per entry, so hostile inputs (thousands of matches on one path) stay fast. */
const MAX_COVER_CHECKS = 2000;

/**
 * Rules every match of which is covered by an earlier entry of another rule: they can never match.
 * Earlier entries are indexed by path so only those whose path can cover are checked.
 */
export function findShadowedRules(sorted: HttpEntry[]): Shadowed[] {
  const shadowedBy = new Map<string, string | null>();
  const backends = new Map<string, string[]>();
  const byPath = new Map<string, number[]>();
  sorted.forEach((entry, i) => {
    const candidates = coveringPathKeys(entry.normal)
      .flatMap((key) => byPath.get(key) ?? [])
      .sort((a, b) => a - b)
      .slice(0, MAX_COVER_CHECKS);
    const j = candidates.find(
      (c) => sorted[c].ruleKey !== entry.ruleKey && httpMatchCovers(sorted[c].normal, entry.normal),
    );
    const previous = shadowedBy.get(entry.ruleKey);
    backends.set(entry.ruleKey, entry.backends);
    if (j === undefined) shadowedBy.set(entry.ruleKey, null);
    else if (previous === undefined) shadowedBy.set(entry.ruleKey, sorted[j].ruleKey);
    const key = `${entry.normal.pathType} ${entry.normal.path}`;
    const list = byPath.get(key) ?? [];
    list.push(i);
    byPath.set(key, list);
  });
  return [...shadowedBy.entries()]
    .filter((e): e is [string, string] => e[1] !== null)
    .map(([ruleKey, by]) => ({ ruleKey, by, backends: backends.get(ruleKey) ?? [] }));
}

/** Emits NS rules in precedence order, merging adjacent rules with identical actions, plus the 404 rule. */
export function emitHttpRules(sorted: HttpEntry[]): NsHttpRule[] {
  const rules: NsHttpRule[] = [];
  let lastAction: NsHttpAction | undefined;
  for (const entry of sorted) {
    for (const arm of entry.arms) {
      const last = rules[rules.length - 1];
      if (last && lastAction !== undefined && sameCanonicalJson(arm.action, lastAction))
        last.matches?.push(arm.match);
      else rules.push({ matches: [arm.match], action: arm.action });
      lastAction = arm.action;
    }
  }
  if (!sorted.some((e) => isCatchAll(e.normal))) rules.push({ action: { directResponse: { status: 404 } } });
  return rules;
}

export type { HTTPRoute };
