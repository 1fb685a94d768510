// Size limits on what translate emits (docs/support-matrix.md, "Sizes"). Network Services documents no
// limit on rules, matches, destinations, header matches or hostnames of one route, nor on a route's
// request size; Google's URL-map API for the same data planes caps match rules per route rule at 50
// ("cannot be increased", Cloud Service Mesh quotas) and a URL map's size at 1 MB (Envoy-based load
// balancers, "URL map size and quota units"). Each cap is an option with a conservative
// default: matches beyond the cap are split into consecutive rules with the same action (the same
// behaviour); a route over any other cap is not written, and its parents say which limit and what
// to do, instead of the API refusing the write.
import type { NsGrpcRoute, NsHttpRoute, NsTcpRoute, NsTlsRoute, RouteLimits } from './types.ts';

/** Any Network Services route body translate emits. */
type NsRouteBody = NsHttpRoute | NsGrpcRoute | NsTcpRoute | NsTlsRoute;

/**
 * SNI names of one TlsRoute, across all its matches: a documented Network Services limit
 * (TlsRouteRouteMatch.sniHost, "Up to 100 sni hosts across all matches"), so not configurable.
 */
export const TLS_ROUTE_MAX_SNI_HOSTS = 100;

export type { RouteLimits } from './types.ts';

/** Each limit's configuration variable (shared/config) and whether Google documents it. */
export const ROUTE_LIMIT_INFO: Record<keyof RouteLimits, { env: string; what: string; documented: string }> =
  {
    rulesPerRoute: {
      env: 'GAMMA_MAX_RULES_PER_ROUTE',
      what: 'rules per route',
      documented: 'no documented Network Services limit',
    },
    matchesPerRule: {
      env: 'GAMMA_MAX_MATCHES_PER_RULE',
      what: 'matches per rule',
      documented: "the URL-map API's documented 50 match rules per route rule",
    },
    destinationsPerRule: {
      env: 'GAMMA_MAX_DESTINATIONS_PER_RULE',
      what: 'destinations per rule',
      documented: 'no documented Network Services limit',
    },
    headerMatchesPerMatch: {
      env: 'GAMMA_MAX_HEADER_MATCHES',
      what: 'header matches per match',
      documented: 'no documented Network Services limit',
    },
    hostnamesPerRoute: {
      env: 'GAMMA_MAX_HOSTNAMES_PER_ROUTE',
      what: 'hostnames per route',
      documented: 'no documented Network Services limit',
    },
    routeBytes: {
      env: 'GAMMA_MAX_ROUTE_BYTES',
      what: 'bytes per route body',
      documented: "no documented Network Services limit; the URL-map API's documented 1 MB per URL map",
    },
  };

export const DEFAULT_ROUTE_LIMITS: Readonly<RouteLimits> = Object.freeze({
  rulesPerRoute: 256,
  matchesPerRule: 50,
  destinationsPerRule: 64,
  headerMatchesPerMatch: 32,
  hostnamesPerRoute: 32,
  routeBytes: 1024 * 1024,
});

/** The limits in force: the defaults, with the options' own where set. */
export function routeLimits(given: Partial<RouteLimits> | undefined): RouteLimits {
  if (!given) return DEFAULT_ROUTE_LIMITS;
  const out = { ...DEFAULT_ROUTE_LIMITS };
  for (const key of Object.keys(out) as (keyof RouteLimits)[]) {
    const v = given[key];
    if (typeof v === 'number' && Number.isInteger(v) && v > 0) out[key] = v;
  }
  return out;
}

interface RuleLike {
  matches?: unknown[] | null;
}

/**
 * Rules whose matches exceed `max` split into consecutive rules with the same action: the first rule
 * whose any match matches wins, so the split routes exactly as the original. The input array is
 * returned as is when nothing is over.
 */
export function splitLongRules<R extends RuleLike>(rules: R[], max: number): R[] {
  let over = false;
  for (let i = 0; i < rules.length && !over; i++) over = (rules[i].matches?.length ?? 0) > max;
  if (!over) return rules;
  const out: R[] = [];
  for (const rule of rules) {
    const matches = rule.matches ?? [];
    if (matches.length <= max) {
      out.push(rule);
      continue;
    }
    for (let at = 0; at < matches.length; at += max)
      out.push({ ...rule, matches: matches.slice(at, at + max) });
  }
  return out;
}

interface Over {
  limit: keyof RouteLimits;
  count: number;
  where: string;
}

/** The first limit the route is over, if any. */
export function overLimit(route: NsRouteBody, limits: RouteLimits): Over | undefined {
  const rules = (route.rules ?? []) as NonNullable<NsHttpRoute['rules']>;
  if (rules.length > limits.rulesPerRoute) return { limit: 'rulesPerRoute', count: rules.length, where: '' };
  const hosts = (route as NsHttpRoute).hostnames?.length ?? 0;
  if (hosts > limits.hostnamesPerRoute) return { limit: 'hostnamesPerRoute', count: hosts, where: '' };
  for (let r = 0; r < rules.length; r++) {
    const rule = rules[r];
    const matches = rule.matches ?? [];
    if (matches.length > limits.matchesPerRule)
      return { limit: 'matchesPerRule', count: matches.length, where: ` (rule ${r})` };
    const destinations = rule.action?.destinations?.length ?? 0;
    if (destinations > limits.destinationsPerRule)
      return { limit: 'destinationsPerRule', count: destinations, where: ` (rule ${r})` };
    for (let m = 0; m < matches.length; m++) {
      const headers = matches[m].headers?.length ?? 0;
      if (headers > limits.headerMatchesPerMatch)
        return { limit: 'headerMatchesPerMatch', count: headers, where: ` (rule ${r}, match ${m})` };
    }
  }
  // Serializing every route costs more than the rest of translate's checks together: a cheap count of
  // its characters bounds the body (a character is at most 6 bytes in JSON, as a \uXXXX escape), and
  // only a route near the limit is measured exactly.
  const bytes = MAX_BYTES_PER_CHAR * jsonChars(route) > limits.routeBytes ? routeBytes(route) : 0;
  if (bytes > limits.routeBytes) return { limit: 'routeBytes', count: bytes, where: '' };
  return undefined;
}

const MAX_BYTES_PER_CHAR = 6;

/** The characters of a value's JSON, without escapes (so at most its byte length). */
function jsonChars(value: unknown): number {
  if (typeof value === 'string') return value.length + 2;
  if (typeof value !== 'object' || value === null) return 24;
  let n = 2;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) n += jsonChars(value[i]) + 1;
    return n;
  }
  for (const key in value) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined) n += key.length + 4 + jsonChars(v);
  }
  return n;
}

/** The route's JSON body size in bytes. */
export function routeBytes(route: NsRouteBody): number {
  return Buffer.byteLength(JSON.stringify(route));
}

/** A status message for a route over a limit: which, by how much, and what to do. */
export function overLimitMessage(
  kind: 'HttpRoute' | 'GrpcRoute' | 'TcpRoute' | 'TlsRoute',
  target: string,
  over: Over,
  limits: RouteLimits,
): string {
  const info = ROUTE_LIMIT_INFO[over.limit];
  const advice =
    over.limit === 'headerMatchesPerMatch'
      ? 'match on fewer headers in one match'
      : over.limit === 'destinationsPerRule'
        ? 'send the rule to fewer backends'
        : 'split the routes on this Service port (fewer rules or matches per port, e.g. move paths to another port or Service)';
  return (
    `${target}: its Network Services ${kind} would have ${over.count} ${info.what}${over.where}, over the limit of ` +
    `${limits[over.limit]} (${info.env}; ${info.documented}), so it is not written; ${advice}, or raise ${info.env}`
  );
}
