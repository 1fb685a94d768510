// HTTPRoute rules -> compiled entries for one Service port (docs/architecture.md §4.2).
// Each rule compiles into one entry per Gateway API match, each with its HttpRoute arms (match.ts)
// and their actions (http-action.ts); rules.ts sorts and emits the entries of every route attached
// to the port. Requests matching no rule get 404 through a final match-less directResponse rule
// (added only when no entry already matches everything, so it never shadows anything).
import type { HTTPBackendRef, HTTPRouteRule } from '../gamma/types.ts';
import type { BackendMapping } from './types.ts';
import type { NsHeaderModifier, NsHttpAction, NsHttpRule } from './model.ts';
import { extraMirrorsWarning, noBackendWarning } from './model.ts';
import type { ArmKind, NormalMatch } from './match.ts';
import { httpMatchArms, isCatchAll, normalHttpMatch } from './match.ts';
import { backendWeight, errorPercent } from './backends.ts';
import { convertHeaderModifier } from './filters/header-modifier.ts';
import { firstMirror } from './filters/mirror.ts';
import { convertTimeoutsAndRetry, faultIgnoresTimingWarning } from './timeouts-retry.ts';
import { convertSessionPersistence } from './session.ts';
import type { ActionParts, RuleFilters } from './http-action.ts';
import { buildAction, destinationExtra, direct500, ruleFilters } from './http-action.ts';
import type {
  CompileContext,
  CompiledRule,
  Entry,
  HttpArm,
  RouteIdentity,
  RuleRef,
  RuleSemantics,
} from './state.ts';
import { compareHttpMatches } from './precedence.ts';
import { ruleRef } from './rules.ts';
import { httpFirstCovering } from './shadow.ts';
import { isObj } from './util.ts';

type HttpEntry = Entry<NormalMatch>;

/** How HTTPRoute rules compile, take precedence, shadow each other, end and are written (RuleSemantics). */
export const HTTP_RULES: RuleSemantics<NormalMatch> = {
  compile: compileHttpRule,
  compare: compareHttpMatches,
  firstCovering: httpFirstCovering,
  form: () => 'HttpRoute',
  fallback: (sorted) => (sorted.some((e) => isCatchAll(e.normal)) ? undefined : notFoundRule()),
};

function notFoundRule(): NsHttpRule {
  return { action: { directResponse: { status: 404 } } };
}

/** The rule's matches normalized (no matches = one empty match), or why the rule must be dropped. */
function normalMatches(raw: unknown): NormalMatch[] | string {
  if (!Array.isArray(raw) || raw.length === 0) {
    const normal = normalHttpMatch({});
    return typeof normal === 'string' ? `matches[0]: ${normal}` : [normal];
  }
  const normals = new Array<NormalMatch>(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const normal = normalHttpMatch(raw[i]);
    if (typeof normal === 'string') return `matches[${i}]: ${normal}`;
    normals[i] = normal;
  }
  return normals;
}

/** A dropped rule; one that keeps entries fails closed (they answer its matches with an error). */
function dropped(
  message: string,
  warnings: string[] = [],
  mappings: BackendMapping[] = [],
  entries: HttpEntry[] = [],
): CompiledRule<NormalMatch> {
  const failClosed = entries.length > 0;
  return { entries, warnings, mappings, dropped: { reason: 'UnsupportedValue', message, failClosed } };
}

/** One entry per match of the rule, or why the rule is dropped, with its warnings and backends. */
function compileHttpRule(
  route: RouteIdentity,
  ruleIndex: number,
  rule: HTTPRouteRule,
  ctx: CompileContext,
): CompiledRule<NormalMatch> {
  const normals = normalMatches(rule.matches);
  if (typeof normals === 'string') return dropped(normals);
  const filters = ruleFilters(rule.filters);
  const ref = ruleRef('HTTPRoute', route, ruleIndex);
  if (filters.closed) return failClosedRule(normals, ref, filters.closed);
  const warnings: string[] = [];
  const read = readRule(route, ruleIndex, rule, filters, ctx, warnings);
  if (typeof read === 'string') return dropped(read, warnings);
  const entries = httpEntries(normals, ref, read, filters);
  if (typeof entries === 'string') return dropped(entries, warnings, read.mappings);
  return { entries, warnings, mappings: read.mappings };
}

/**
 * Fail closed: the rule's own matches answer 500 so traffic neither bypasses the filter nor falls
 * through to a broader rule.
 */
function failClosedRule(normals: NormalMatch[], ref: RuleRef, why: string): CompiledRule<NormalMatch> {
  const action = direct500();
  const entries = normals.map((normal, i): HttpEntry => {
    const arms = httpMatchArms(normal) as HttpArm[];
    for (const arm of arms) arm.action = action;
    return { normal, matchIndex: i, rule: ref, backends: [], http: arms, grpc: undefined };
  });
  return dropped(`${why}; requests matching this rule are answered with HTTP 500`, [], [], entries);
}

/** What a rule's entries are built from: its action's parts, the backends it needs, their labels. */
interface ReadRule {
  parts: ActionParts;
  mappings: BackendMapping[];
  backends: string[];
}

/** The rule's filters, timing, session and backends read into the parts of its action, or why not. */
function readRule(
  route: RouteIdentity,
  ruleIndex: number,
  rule: HTTPRouteRule,
  filters: RuleFilters,
  ctx: CompileContext,
  warnings: string[],
): ReadRule | string {
  const { redirect, rewrite, mirrors } = filters;
  const backendRefs: unknown[] = Array.isArray(rule.backendRefs) ? rule.backendRefs : [];
  if (redirect && rewrite) return 'RequestRedirect and URLRewrite cannot be combined';
  if (redirect && backendRefs.some(isObj)) return 'RequestRedirect cannot be combined with backendRefs';
  if (mirrors.length > 1) warnings.push(extraMirrorsWarning(mirrors.length));
  const timing = convertTimeoutsAndRetry(rule);
  if (!timing.ok) return timing.problem.message;
  warnings.push(...timing.value.warnings);
  const session = convertSessionPersistence(rule.sessionPersistence);
  if (!session.ok) return session.problem.message;
  if (session.value) warnings.push(...session.value.warnings);

  const requestMod = convertHeaderModifier(filters.requestHeaderModifier?.requestHeaderModifier);
  const responseMod = convertHeaderModifier(filters.responseHeaderModifier?.responseHeaderModifier);
  const split = collectDestinations(backendRefs, requestMod, responseMod, route.namespace, ctx, warnings);
  if (typeof split === 'string') return split;
  const { validWeight, invalidWeight } = split;
  if (!redirect && validWeight === 0 && invalidWeight === 0)
    warnings.push(noBackendWarning(backendRefs.some(isObj), 'HTTP 500'));
  const { destinations, labels, mappings } = ctx.scratch;
  const mirror = firstMirror(mirrors, route.namespace, 'HTTPRoute', ctx, warnings);
  if (mirror) mappings.add(mirror.mapping);
  const abortPercent = errorPercent(validWeight, invalidWeight);
  if (abortPercent > 0 && validWeight > 0 && !redirect) {
    const lost = faultIgnoresTimingWarning(ruleIndex, rule.name, timing.value);
    if (lost) warnings.push(lost);
  }
  const parts: ActionParts = {
    redirect,
    rewrite,
    cors: filters.cors,
    requestMod,
    responseMod,
    destinations: destinations.take(),
    abortPercent,
    timing: timing.value,
    mirrorPolicy: mirror?.policy,
    session: session.value?.cookieTtl !== undefined ? session.value : undefined,
    servicePort: ctx.servicePort,
  };
  return { parts, mappings: mappings.take(), backends: labels.take() };
}

/**
 * Backends with their per-destination header modifiers, into the call's scratch lists (copied at
 * their final size by the caller). Weight 0 is dropped; unresolved weight becomes the share of
 * requests answered with an error (see backends.ts). A string: why the rule cannot be translated
 * (the warnings of the refs before the failing one are kept, not its own).
 */
function collectDestinations(
  backendRefs: unknown[],
  requestMod: NsHeaderModifier | undefined,
  responseMod: NsHeaderModifier | undefined,
  namespace: string,
  ctx: CompileContext,
  warnings: string[],
): { validWeight: number; invalidWeight: number } | string {
  const { destinations, labels, mappings } = ctx.scratch;
  destinations.clear();
  labels.clear();
  mappings.clear();
  let validWeight = 0;
  let invalidWeight = 0;
  for (let r = 0; r < backendRefs.length; r++) {
    const raw = backendRefs[r];
    if (!isObj(raw)) continue;
    const ref = raw as unknown as HTTPBackendRef;
    const before = warnings.length;
    const extra = destinationExtra(ref, requestMod, responseMod, warnings);
    if (typeof extra === 'string') {
      warnings.length = before;
      return extra;
    }
    const weight = backendWeight(ref);
    const resolved = ctx.resolve(ref, namespace, 'HTTPRoute');
    if (!(weight > 0)) continue;
    if (!resolved.ok) {
      invalidWeight += weight;
      continue;
    }
    validWeight += weight;
    const { serviceName } = resolved;
    destinations.add(extra ? { serviceName, weight, ...extra } : { serviceName, weight });
    mappings.add(resolved.mapping);
    labels.add(resolved.label);
  }
  return { validWeight, invalidWeight };
}

/** The path part of a redirect or rewrite filter, whose conversion depends on the arm's kind. */
function pathModifierOf(spec: unknown): unknown {
  return isObj(spec) ? spec.path : undefined;
}

/**
 * One entry per match, its arms with their actions, or why an action cannot be built. Only a path
 * redirect or rewrite makes the action depend on the arm's kind: otherwise every arm shares one.
 */
function httpEntries(
  normals: NormalMatch[],
  ref: RuleRef,
  read: ReadRule,
  filters: RuleFilters,
): HttpEntry[] | string {
  const redirectPath = filters.redirect ? pathModifierOf(filters.redirect.requestRedirect) : undefined;
  const rewritePath = filters.rewrite ? pathModifierOf(filters.rewrite.urlRewrite) : undefined;
  const perKind = redirectPath !== undefined || rewritePath !== undefined;
  // ReplacePrefixMatch needs the root prefix split into its two arms; a full-path rewrite needs the
  // whole path matched, so prefixes become one regexMatch (match.ts).
  const splitRoot =
    (isObj(redirectPath) && redirectPath.type === 'ReplacePrefixMatch') ||
    (isObj(rewritePath) && rewritePath.type === 'ReplacePrefixMatch');
  const wholePath = isObj(rewritePath) && rewritePath.type === 'ReplaceFullPath';
  const actions: Partial<Record<ArmKind, NsHttpAction | string>> = {};
  const entries = new Array<HttpEntry>(normals.length);
  for (let i = 0; i < normals.length; i++) {
    const arms = httpMatchArms(normals[i], splitRoot, wholePath) as HttpArm[];
    for (let a = 0; a < arms.length; a++) {
      const kind = perKind ? arms[a].kind : 'other';
      const action = (actions[kind] ??= buildAction(read.parts, arms[a].kind));
      if (typeof action === 'string') return `matches[${i}]: ${action}`;
      arms[a].action = action;
    }
    entries[i] = {
      normal: normals[i],
      matchIndex: i,
      rule: ref,
      backends: read.backends,
      http: arms,
      grpc: undefined,
    };
  }
  return entries;
}
