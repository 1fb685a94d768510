// HTTPRoute rules -> ordered Network Services HttpRoute rules for one Service port (docs/architecture.md §4.2).
// Each rule compiles into one entry per Gateway API match; entries of every route attached to the
// port are sorted by precedence, emitted arm by arm, and adjacent rules with equal actions merged.
// Requests matching no rule get 404 through a final match-less directResponse rule (added only when no
// entry already matches everything, so it never shadows anything).
import type { HTTPBackendRef, HTTPRoute, HTTPRouteRule } from '../gamma/types.ts';
import type { BackendMapping } from './types.ts';
import type { NsHttpAction, NsHttpDestination, NsHttpMatch, NsHttpRule } from './model.ts';
import { extraMirrorsWarning, noBackendWarning, sameAction } from './model.ts';
import type { ArmKind, NormalMatch } from './match.ts';
import { httpMatchArms, isCatchAll, normalHttpMatch } from './match.ts';
import { backendWeight, errorPercent } from './backends.ts';
import { convertHeaderModifier } from './filters/header-modifier.ts';
import { mirrorPercent } from './filters/mirror.ts';
import { convertTimeoutsAndRetry, faultIgnoresTimingWarning } from './timeouts-retry.ts';
import { convertSessionPersistence } from './session.ts';
import type { ActionParts } from './http-action.ts';
import { DIRECT_500, NO_EXTRA, buildAction, destinationExtra, ruleFilters } from './http-action.ts';
import type { RouteOrderKey } from './precedence.ts';
import type { CompileContext, CompiledRule, HttpArm, HttpEntry, RouteIdentity, RuleRef } from './state.ts';
import { compareHttpMatches, timestampMs } from './precedence.ts';
import { NONE, Scratch, compareStrings, deepFreeze, isObj, sortList } from './util.ts';

export function routeIdentity(namespace: string, name: string, creationTimestamp?: string): RouteIdentity {
  return { namespace, name, createdMs: timestampMs(creationTimestamp), ref: `${namespace}/${name}` };
}

/** Built field by field (not spread): one per match of every rule, on the hot path. */
export function routeOrder(route: RouteIdentity, ruleIndex: number, matchIndex: number): RouteOrderKey {
  return { createdMs: route.createdMs, ref: route.ref, ruleIndex, matchIndex };
}

/** Every NS route without a catch-all ends with it; output objects are never mutated, so one is shared. */
const NOT_FOUND_RULE: NsHttpRule = deepFreeze({ action: { directResponse: { status: 404 } } });

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

function droppedHttpRule(
  entries: HttpEntry[],
  warnings: string[],
  mappings: BackendMapping[],
  message: string,
  failClosed = false,
): CompiledRule<HttpEntry> {
  return { entries, warnings, mappings, dropped: { reason: 'UnsupportedValue', message, failClosed } };
}

/** The path part of a redirect or rewrite filter, whose conversion depends on the arm's kind. */
function pathModifierOf(spec: unknown): unknown {
  return isObj(spec) ? spec.path : undefined;
}

/**
 * Compiles one rule. Written for the common case (few matches, plain backends): results are built
 * directly, without intermediate wrappers, and a rule whose action does not depend on the arm (no
 * path redirect or rewrite) shares one action object across all its arms.
 */
export function compileHttpRule(
  route: RouteIdentity,
  ruleIndex: number,
  rule: HTTPRouteRule,
  ctx: CompileContext,
): CompiledRule<HttpEntry> {
  const normals = normalMatches(rule.matches);
  if (typeof normals === 'string') return droppedHttpRule([], NONE, NONE, normals);
  const filters = ruleFilters(rule.filters);
  const ruleRef: RuleRef = {
    kind: 'HTTPRoute',
    route: route.ref,
    index: ruleIndex,
    createdMs: route.createdMs,
  };

  if (filters.closed) return failClosedRule(normals, ruleRef, filters.closed);

  let warnings: string[] = NONE;
  const requestMod = convertHeaderModifier(filters.requestHeaderModifier?.requestHeaderModifier);
  const responseMod = convertHeaderModifier(filters.responseHeaderModifier?.responseHeaderModifier);
  const { redirect, rewrite, mirrors, cors } = filters;
  const backendRefs: unknown[] = Array.isArray(rule.backendRefs) ? rule.backendRefs : NONE;
  if (redirect && rewrite)
    return droppedHttpRule([], warnings, NONE, 'RequestRedirect and URLRewrite cannot be combined');
  if (redirect && backendRefs.some(isObj))
    return droppedHttpRule([], warnings, NONE, 'RequestRedirect cannot be combined with backendRefs');
  if (mirrors.length > 1) warnings = [...warnings, extraMirrorsWarning(mirrors.length)];

  const timing = convertTimeoutsAndRetry(rule);
  if (!timing.ok) return droppedHttpRule([], warnings, NONE, timing.problem.message);
  if (timing.value.warnings.length) warnings = [...timing.value.warnings];
  const session = convertSessionPersistence(rule.sessionPersistence);
  if (!session.ok) return droppedHttpRule([], warnings, NONE, session.problem.message);
  if (session.value?.warnings.length) warnings = [...warnings, ...session.value.warnings];

  const split = collectDestinations(backendRefs, requestMod, responseMod, route.namespace, ctx);
  if (split.warnings.length) warnings = [...warnings, ...split.warnings];
  if (split.dropped !== undefined) return droppedHttpRule([], warnings, NONE, split.dropped);
  const { validWeight, invalidWeight } = split;
  const { destinations, labels, mappings } = SCRATCH;

  if (!redirect && validWeight === 0 && invalidWeight === 0)
    warnings = [...warnings, noBackendWarning(backendRefs.some(isObj), 'HTTP 500')];

  let mirrorPolicy: NsHttpAction['requestMirrorPolicy'];
  if (mirrors.length >= 1 && isObj(mirrors[0].requestMirror)) {
    const target = ctx.resolve(mirrors[0].requestMirror.backendRef, route.namespace, 'HTTPRoute');
    if (target.ok) {
      mirrorPolicy = {
        destination: { serviceName: target.serviceName },
        mirrorPercent: mirrorPercent(mirrors[0].requestMirror),
      };
      mappings.add(target.mapping);
    } else warnings = [...warnings, `its RequestMirror is not applied: ${target.problem.message}`];
  }
  const abortPercent = errorPercent(validWeight, invalidWeight);
  if (abortPercent > 0 && validWeight > 0 && !redirect) {
    const lost = faultIgnoresTimingWarning(ruleIndex, rule.name, timing.value);
    if (lost) warnings = [...warnings, lost];
  }
  const parts: ActionParts = {
    redirect,
    rewrite,
    cors,
    requestMod,
    responseMod,
    destinations: destinations.take(),
    abortPercent,
    timing: timing.value,
    mirrorPolicy,
    session: session.value?.cookieTtl !== undefined ? session.value : undefined,
    servicePort: ctx.servicePort,
  };
  const ruleMappings = mappings.take();
  const backendsLabel = labels.take();

  const redirectPath = redirect ? pathModifierOf(redirect.requestRedirect) : undefined;
  const rewritePath = rewrite ? pathModifierOf(rewrite.urlRewrite) : undefined;
  // Only a path redirect or rewrite makes the action depend on the arm; ReplacePrefixMatch also
  // needs the root prefix split into its two arms.
  const perKind = redirectPath !== undefined || rewritePath !== undefined;
  const splitRoot =
    (isObj(redirectPath) && redirectPath.type === 'ReplacePrefixMatch') ||
    (isObj(rewritePath) && rewritePath.type === 'ReplacePrefixMatch');
  // A full-path rewrite needs the whole path matched: prefixes become one regexMatch (match.ts).
  const wholePath = isObj(rewritePath) && rewritePath.type === 'ReplaceFullPath';
  // Actions are immutable once built: one per arm kind (or one for all), shared by the arms.
  let shared: NsHttpAction | string | undefined;
  let byKind: Partial<Record<ArmKind, NsHttpAction | string>> | undefined;
  const entries: HttpEntry[] = new Array<HttpEntry>(normals.length);
  for (let i = 0; i < normals.length; i++) {
    const arms = httpMatchArms(normals[i], splitRoot, wholePath) as HttpArm[];
    for (let a = 0; a < arms.length; a++) {
      const arm = arms[a];
      let action: NsHttpAction | string;
      if (!perKind) action = shared ??= buildAction(parts, arm.kind);
      else action = (byKind ??= {})[arm.kind] ??= buildAction(parts, arm.kind);
      if (typeof action === 'string')
        return droppedHttpRule([], warnings, ruleMappings, `matches[${i}]: ${action}`);
      arm.action = action;
    }
    entries[i] = { normal: normals[i], arms, matchIndex: i, rule: ruleRef, backends: backendsLabel };
  }
  return { entries, warnings, mappings: ruleMappings };
}

/**
 * Fail closed: the rule's own matches answer 500 so traffic neither bypasses the filter nor falls
 * through to a broader rule.
 */
function failClosedRule(normals: NormalMatch[], ruleRef: RuleRef, why: string): CompiledRule<HttpEntry> {
  const entries: HttpEntry[] = [];
  for (let i = 0; i < normals.length; i++) {
    const arms = httpMatchArms(normals[i]) as HttpArm[];
    for (const arm of arms) arm.action = DIRECT_500;
    entries.push({ normal: normals[i], arms, matchIndex: i, rule: ruleRef, backends: [] });
  }
  return droppedHttpRule(
    entries,
    NONE,
    NONE,
    `${why}; requests matching this rule are answered with HTTP 500`,
    true,
  );
}

/**
 * Backends with their per-destination header modifiers, into SCRATCH (copied at their final size by
 * the caller: a pushed list keeps ~16 spare slots). Weight 0 is dropped; unresolved weight becomes
 * the share of requests answered with an error (see backends.ts). `dropped`: why the rule cannot be
 * translated (the warnings of the refs before it are kept).
 */
function collectDestinations(
  backendRefs: unknown[],
  requestMod: NsHttpAction['requestHeaderModifier'],
  responseMod: NsHttpAction['responseHeaderModifier'],
  namespace: string,
  ctx: CompileContext,
): { validWeight: number; invalidWeight: number; warnings: string[]; dropped?: string } {
  const { destinations, labels, mappings } = SCRATCH;
  destinations.clear();
  labels.clear();
  mappings.clear();
  let warnings: string[] = NONE;
  let validWeight = 0;
  let invalidWeight = 0;
  for (let r = 0; r < backendRefs.length; r++) {
    const raw = backendRefs[r];
    if (!isObj(raw)) continue;
    const ref = raw as unknown as HTTPBackendRef;
    const extra = destinationExtra(ref, requestMod, responseMod, REF_WARNINGS);
    if (typeof extra === 'string') {
      REF_WARNINGS.length = 0;
      return { validWeight, invalidWeight, warnings, dropped: extra };
    }
    if (REF_WARNINGS.length) {
      warnings = [...warnings, ...REF_WARNINGS];
      REF_WARNINGS.length = 0;
    }
    const weight = backendWeight(ref);
    const resolved = ctx.resolve(ref, namespace, 'HTTPRoute');
    if (!(weight > 0)) continue;
    if (!resolved.ok) {
      invalidWeight += weight;
      continue;
    }
    validWeight += weight;
    destinations.add(
      extra === NO_EXTRA
        ? { serviceName: resolved.serviceName, weight }
        : { serviceName: resolved.serviceName, weight, ...extra },
    );
    mappings.add(resolved.mapping);
    labels.add(resolved.label);
  }
  return { validWeight, invalidWeight, warnings };
}
/** Warnings destinationExtra collects for one backendRef (moved to the rule's warnings at once). */
const REF_WARNINGS: string[] = [];

/** Lists compileHttpRule fills and copies at their final size (it does not recurse, so one set). */
const SCRATCH = {
  destinations: new Scratch<NsHttpDestination>(),
  labels: new Scratch<string>(),
  mappings: new Scratch<BackendMapping>(),
};

/** Sorts in place by precedence, then by the precomputed order keys. */
export function sortHttpEntries(entries: HttpEntry[]): HttpEntry[] {
  return sortList(entries, compareHttpEntries);
}

function compareHttpEntries(a: HttpEntry, b: HttpEntry): number {
  return compareHttpMatches(a.normal, b.normal) || compareEntryOrder(a, b);
}

/** compareOrderKeys for entries: entries of one rule share its part of the key. */
function compareEntryOrder(a: HttpEntry, b: HttpEntry): number {
  const x = a.rule;
  const y = b.rule;
  if (x !== y) {
    if (x.createdMs !== y.createdMs) return x.createdMs < y.createdMs ? -1 : 1;
    const byRule = compareStrings(x.route, y.route) || x.index - y.index;
    if (byRule !== 0) return byRule;
  }
  return a.matchIndex - b.matchIndex;
}

/** The matches of the current run of emitHttpRules (which does not recurse). */
const RUN = new Scratch<NsHttpMatch>();

/** Emits NS rules in precedence order, merging adjacent rules with identical actions, plus the 404 rule. */
export function emitHttpRules(sorted: HttpEntry[]): NsHttpRule[] {
  const rules: NsHttpRule[] = [];
  // A run of arms with equal actions becomes one rule; its matches array is built at the run's end,
  // at its final size.
  const run = RUN;
  run.clear();
  let runAction: NsHttpAction | undefined;
  for (let e = 0; e < sorted.length; e++) {
    const arms = sorted[e].arms;
    for (let a = 0; a < arms.length; a++) {
      const arm = arms[a];
      if (runAction !== undefined && !sameAction(arm.action, runAction)) {
        rules.push({ matches: run.take(), action: runAction });
        run.clear();
        runAction = undefined;
      }
      run.add(arm.match);
      runAction ??= arm.action;
    }
  }
  if (runAction !== undefined) rules.push({ matches: run.take(), action: runAction });
  if (!sorted.some((e) => isCatchAll(e.normal))) rules.push(NOT_FOUND_RULE);
  return rules;
}

export type { HTTPRoute };
