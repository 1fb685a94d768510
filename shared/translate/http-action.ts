// The parts of an HTTPRoute rule its Network Services action is built from: the rule's filters by
// type, each backendRef's own header modifiers, and the action itself for one arm kind.
import type { HTTPBackendRef, HTTPRouteFilter } from '../gamma/types.ts';
import type { ArmKind } from './match.ts';
import type { NsHeaderModifier, NsHttpAction, NsHttpDestination } from './model.ts';
import { convertHeaderModifier, modifiedHeaderNames } from './filters/header-modifier.ts';
import { convertRedirect } from './filters/redirect.ts';
import { convertRewrite } from './filters/rewrite.ts';
import { convertCors } from './filters/cors.ts';
import type { TimeoutRetry } from './timeouts-retry.ts';
import type { SessionAffinity } from './session.ts';
import { NONE, isObj } from './util.ts';

export const DIRECT_500: NsHttpAction = { directResponse: { status: 500 } };

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

/** A rule's filters by type: the first of each kind (later ones are ignored), every mirror. */
export interface RuleFilters {
  closed?: string;
  requestHeaderModifier?: HTTPRouteFilter;
  responseHeaderModifier?: HTTPRouteFilter;
  redirect?: HTTPRouteFilter;
  rewrite?: HTTPRouteFilter;
  cors?: HTTPRouteFilter;
  mirrors: HTTPRouteFilter[];
}

/** Shared by every rule without filters (read only). */
const NO_FILTERS: RuleFilters = Object.freeze({ mirrors: NONE });

export function ruleFilters(raw: unknown): RuleFilters {
  if (!Array.isArray(raw) || raw.length === 0) return NO_FILTERS;
  const out: RuleFilters = { mirrors: [] };
  for (const f of raw as unknown[]) {
    if (!isObj(f)) continue;
    const filter = f as HTTPRouteFilter;
    const type = filter.type;
    if (out.closed === undefined) out.closed = failClosedFilter(type);
    if (type === 'RequestHeaderModifier') out.requestHeaderModifier ??= filter;
    else if (type === 'ResponseHeaderModifier') out.responseHeaderModifier ??= filter;
    else if (type === 'RequestRedirect') out.redirect ??= filter;
    else if (type === 'URLRewrite') out.rewrite ??= filter;
    else if (type === 'RequestMirror') out.mirrors.push(filter);
    else if (type === 'CORS') out.cors ??= filter;
  }
  return out;
}

export type DestinationExtra = Pick<NsHttpDestination, 'requestHeaderModifier' | 'responseHeaderModifier'>;
export const NO_EXTRA: DestinationExtra = Object.freeze({});

/** A backendRef's own header modifiers, or the reason the rule must be dropped. */
export function destinationExtra(
  ref: HTTPBackendRef,
  requestMod: NsHeaderModifier | undefined,
  responseMod: NsHeaderModifier | undefined,
): DestinationExtra | string {
  if (!Array.isArray(ref.filters) || ref.filters.length === 0) return NO_EXTRA;
  const extra: DestinationExtra = {};
  for (const filter of ref.filters as unknown[]) {
    if (!isObj(filter)) continue;
    if (filter.type === 'RequestHeaderModifier')
      extra.requestHeaderModifier = convertHeaderModifier(filter.requestHeaderModifier as never);
    else if (filter.type === 'ResponseHeaderModifier')
      extra.responseHeaderModifier = convertHeaderModifier(filter.responseHeaderModifier as never);
    else
      return `backendRef filter ${JSON.stringify(filter.type)} cannot be expressed per destination (only header modifiers)`;
  }
  const ruleNames = modifiedHeaderNames(requestMod);
  const ruleResponseNames = modifiedHeaderNames(responseMod);
  const clash = [
    ...[...modifiedHeaderNames(extra.requestHeaderModifier)].filter((n) => ruleNames.has(n)),
    ...[...modifiedHeaderNames(extra.responseHeaderModifier)].filter((n) => ruleResponseNames.has(n)),
  ];
  if (clash.length)
    return `header ${clash[0]} is modified both by the rule and by a backendRef; Network Services does not define which wins`;
  if (!extra.requestHeaderModifier) delete extra.requestHeaderModifier;
  if (!extra.responseHeaderModifier) delete extra.responseHeaderModifier;
  return extra;
}

/** What a rule's action is built from (everything but the arm kind). */
export interface ActionParts {
  redirect?: HTTPRouteFilter;
  rewrite?: HTTPRouteFilter;
  cors?: HTTPRouteFilter;
  requestMod?: NsHeaderModifier;
  responseMod?: NsHeaderModifier;
  destinations: NsHttpDestination[];
  abortPercent: number;
  timing: TimeoutRetry;
  mirrorPolicy?: NsHttpAction['requestMirrorPolicy'];
  session?: SessionAffinity;
  servicePort: number;
}

/**
 * The common actions (backends, maybe a request header modifier and a timeout) as literals, keys in
 * the emitted order: V8 gives `{}` four property slots (56 bytes), a literal only what it holds
 * (32-48), and actions live as long as the output. Undefined for every other action.
 */
function plainAction(p: ActionParts): NsHttpAction | undefined {
  if (p.redirect || p.destinations.length === 0 || p.abortPercent > 0 || p.responseMod || p.rewrite)
    return undefined;
  if (p.timing.retryPolicy || p.mirrorPolicy || p.session || p.cors) return undefined;
  const { destinations, requestMod } = p;
  const timeout = p.timing.timeout;
  if (requestMod)
    return timeout
      ? { destinations, requestHeaderModifier: requestMod, timeout }
      : { destinations, requestHeaderModifier: requestMod };
  return timeout ? { destinations, timeout } : { destinations };
}

/** The action of an arm of `kind`, or why the rule cannot be translated. */
export function buildAction(p: ActionParts, kind: ArmKind): NsHttpAction | string {
  const plain = plainAction(p);
  if (plain) return plain;
  const action: NsHttpAction = {};
  if (p.redirect) {
    const converted = convertRedirect(p.redirect.requestRedirect, kind, p.servicePort);
    if (!converted.ok) return converted.problem.message;
    action.redirect = converted.value;
  } else if (p.destinations.length === 0) {
    return DIRECT_500;
  } else {
    action.destinations = p.destinations;
    if (p.abortPercent > 0)
      action.faultInjectionPolicy = { abort: { httpStatus: 500, percentage: p.abortPercent } };
  }
  if (p.requestMod) action.requestHeaderModifier = p.requestMod;
  if (p.responseMod) action.responseHeaderModifier = p.responseMod;
  if (p.rewrite) {
    const converted = convertRewrite(p.rewrite.urlRewrite, kind);
    if (!converted.ok) return converted.problem.message;
    if (Object.keys(converted.value).length) action.urlRewrite = converted.value;
  }
  if (!p.redirect) {
    if (p.timing.timeout) action.timeout = p.timing.timeout;
    if (p.timing.retryPolicy) action.retryPolicy = p.timing.retryPolicy;
    if (p.mirrorPolicy) action.requestMirrorPolicy = p.mirrorPolicy;
    if (p.session) action.statefulSessionAffinity = { cookieTtl: p.session.cookieTtl };
  }
  if (p.cors) action.corsPolicy = convertCors(p.cors.cors);
  return action;
}
