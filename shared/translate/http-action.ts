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
import { isObj } from './util.ts';

/** The action of a rule that answers every request it matches with HTTP 500. */
export function direct500(): NsHttpAction {
  return { directResponse: { status: 500 } };
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

export function ruleFilters(raw: unknown): RuleFilters {
  const out: RuleFilters = { mirrors: [] };
  if (!Array.isArray(raw)) return out;
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

/**
 * A backendRef's own header modifiers (undefined: none), or the reason the rule must be dropped. What can be left out
 * without changing where requests go is left out with a warning pushed to `warnings` (dropping the
 * rule would 404 its traffic): a per-backendRef RequestMirror, and a backendRef's change to a header
 * the rule also changes (Network Services does not define which wins, so the rule's applies).
 */
export function destinationExtra(
  ref: HTTPBackendRef,
  requestMod: NsHeaderModifier | undefined,
  responseMod: NsHeaderModifier | undefined,
  warnings: string[],
): DestinationExtra | undefined | string {
  if (!Array.isArray(ref.filters) || ref.filters.length === 0) return undefined;
  const extra: DestinationExtra = {};
  const name = `backendRef ${typeof ref.name === 'string' ? ref.name : '?'}`;
  for (const filter of ref.filters as unknown[]) {
    if (!isObj(filter)) continue;
    if (filter.type === 'RequestHeaderModifier')
      extra.requestHeaderModifier = convertHeaderModifier(filter.requestHeaderModifier as never);
    else if (filter.type === 'ResponseHeaderModifier')
      extra.responseHeaderModifier = convertHeaderModifier(filter.responseHeaderModifier as never);
    else if (filter.type === 'RequestMirror')
      warnings.push(
        `the RequestMirror of ${name} is not applied (Network Services mirrors per rule, not per destination)`,
      );
    else
      return `backendRef filter ${JSON.stringify(filter.type)} cannot be expressed per destination (only header modifiers)`;
  }
  extra.requestHeaderModifier = withoutClashes(extra.requestHeaderModifier, requestMod, name, warnings);
  extra.responseHeaderModifier = withoutClashes(extra.responseHeaderModifier, responseMod, name, warnings);
  if (!extra.requestHeaderModifier) delete extra.requestHeaderModifier;
  if (!extra.responseHeaderModifier) delete extra.responseHeaderModifier;
  return extra;
}

/** `own` without the headers `rule` also modifies (those keep the rule's change), warning for each. */
function withoutClashes(
  own: NsHeaderModifier | undefined,
  rule: NsHeaderModifier | undefined,
  name: string,
  warnings: string[],
): NsHeaderModifier | undefined {
  if (!own || !rule) return own;
  const ruleNames = modifiedHeaderNames(rule);
  const clash = [...modifiedHeaderNames(own)].filter((n) => ruleNames.has(n));
  if (!clash.length) return own;
  warnings.push(
    `${name} changes header ${clash.join(', ')} that the rule also changes; Network Services does not define which wins, so only the rule's change is applied`,
  );
  const keep = (n: string) => !clash.includes(n.toLowerCase());
  const pick = (m: Record<string, string> | null | undefined) =>
    m ? Object.fromEntries(Object.entries(m).filter(([k]) => keep(k))) : undefined;
  const out: NsHeaderModifier = {};
  const set = pick(own.set);
  const add = pick(own.add);
  const remove = own.remove?.filter(keep);
  if (set && Object.keys(set).length) out.set = set;
  if (add && Object.keys(add).length) out.add = add;
  if (remove?.length) out.remove = remove;
  return Object.keys(out).length ? out : undefined;
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
  return plainAction(p) ?? anyAction(p, kind);
}

/** buildAction by its definition, for every action (fast-paths.test checks plainAction against it). */
export function anyAction(p: ActionParts, kind: ArmKind): NsHttpAction | string {
  const action: NsHttpAction = {};
  if (p.redirect) {
    const converted = convertRedirect(p.redirect.requestRedirect, kind, p.servicePort);
    if (!converted.ok) return converted.problem.message;
    action.redirect = converted.value;
  } else if (p.destinations.length === 0) {
    return direct500();
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
