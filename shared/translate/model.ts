// Internal shapes shared by the converters (not part of the public contract in types.ts).
import type { networkservices_v1 } from 'googleapis/build/src/apis/networkservices/v1.js';
import { isObj, sameCanonicalJson } from './util.ts';

export type NsHttpMatch = networkservices_v1.Schema$HttpRouteRouteMatch;
export type NsHttpAction = networkservices_v1.Schema$HttpRouteRouteAction;
export type NsHttpRule = networkservices_v1.Schema$HttpRouteRouteRule;
export type NsHttpDestination = networkservices_v1.Schema$HttpRouteDestination;
export type NsHeaderModifier = networkservices_v1.Schema$HttpRouteHeaderModifier;
export type NsRedirect = networkservices_v1.Schema$HttpRouteRedirect;
export type NsCorsPolicy = networkservices_v1.Schema$HttpRouteCorsPolicy;
export type NsRetryPolicy = networkservices_v1.Schema$HttpRouteRetryPolicy;
export type NsGrpcMatch = networkservices_v1.Schema$GrpcRouteRouteMatch;
export type NsGrpcAction = networkservices_v1.Schema$GrpcRouteRouteAction;
export type NsGrpcRule = networkservices_v1.Schema$GrpcRouteRouteRule;

/** Why a rule (or one of its parts) cannot be translated; becomes a status condition message. */
export interface Problem {
  reason: string; // Gateway API condition reason, e.g. UnsupportedValue, BackendNotFound
  message: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; problem: Problem };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail<T>(message: string, reason = 'UnsupportedValue'): Result<T> {
  return { ok: false, problem: { reason, message } };
}

/**
 * Normalizes every match of a rule (no matches = one empty match, which matches everything); the
 * first match that cannot be translated fails the whole rule, since dropping a match would widen it.
 */
export function normalizeMatches<T>(matches: unknown, normalize: (raw: unknown) => Result<T>): Result<T[]> {
  const raws: unknown[] = Array.isArray(matches) && matches.length > 0 ? matches : [{}];
  const normals: T[] = [];
  for (let i = 0; i < raws.length; i++) {
    const normal = normalize(raws[i]);
    if (!normal.ok) return fail(`matches[${i}]: ${normal.problem.message}`, normal.problem.reason);
    normals.push(normal.value);
  }
  return ok(normals);
}

/** Finite numbers that differ also print differently (0 and -0 are equal here and in JSON). */
function differentFiniteNumbers(a: unknown, b: unknown): boolean {
  return (
    typeof a === 'number' && typeof b === 'number' && Number.isFinite(a) && Number.isFinite(b) && a !== b
  );
}

type RuleAction = { destinations?: { serviceName?: string | null; weight?: number | null }[] };

/**
 * Whether two rule actions serialize alike (the emitters merge adjacent rules with equal actions).
 * Adjacent actions mostly send to different first destinations, which settles it without a walk.
 */
export function sameAction(a: RuleAction, b: RuleAction): boolean {
  if (a === b) return true;
  const x = Array.isArray(a.destinations) ? a.destinations[0] : undefined;
  const y = Array.isArray(b.destinations) ? b.destinations[0] : undefined;
  if (
    isObj(x) &&
    isObj(y) &&
    typeof x.serviceName === 'string' &&
    typeof y.serviceName === 'string' &&
    (x.serviceName !== y.serviceName || differentFiniteNumbers(x.weight, y.weight))
  )
    return false;
  return sameCanonicalJson(a, b);
}

/**
 * The warning for a rule with no backend to send to (Gateway API: such a rule answers every request
 * it matches with an error). It stays Accepted, as the spec asks, but must not look healthy.
 */
export function noBackendWarning(hasRefs: boolean, answer: string): string {
  const why = hasRefs ? 'every backendRef has weight 0' : 'it has no backendRefs';
  return `${why}, so every request it matches is answered with ${answer}; add a backendRef (or a RequestRedirect) to route it`;
}

/** Mirrors copy traffic and never change where requests go: extra ones are left out, not the rule. */
export function extraMirrorsWarning(count: number): string {
  return `only the first of its ${count} RequestMirror filters is applied (Network Services mirrors to one destination); the others get no copies`;
}
