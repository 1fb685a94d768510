// Gateway API precedence across every rule of every route merged onto one Service port (gamma-spec
// §1.6). HTTP: Exact path, then RegularExpression (implementation-specific; we rank it after Exact and
// before prefixes, longer pattern first), then the longest PathPrefix, then a method match, then most
// header matches, then most query matches. gRPC: an Exact service, then an Exact method (two Exact
// matches overlap only when equal, so the spec's character counts reduce to presence), then regex
// characters, then most header matches. Ties: oldest creationTimestamp
// (missing timestamps sort last), then "namespace/name", then rule index, then match index.
import type { NormalMatch } from './match.ts';
import { compareStrings } from './util.ts';

export interface RouteOrder {
  creationTimestamp?: string;
  namespace: string;
  name: string;
  ruleIndex: number;
  matchIndex: number;
}

export function timestampMs(value: string | undefined): number {
  const ms = typeof value === 'string' ? Date.parse(value) : NaN;
  return Number.isNaN(ms) ? Number.POSITIVE_INFINITY : ms;
}

export function compareRouteOrder(a: RouteOrder, b: RouteOrder): number {
  return compareOrderKeys(routeOrderKey(a), routeOrderKey(b));
}

/** compareRouteOrder's inputs computed once per entry, so sorts do not re-parse them per comparison. */
export interface RouteOrderKey {
  createdMs: number;
  ref: string; // "namespace/name"
  ruleIndex: number;
  matchIndex: number;
}

export function routeOrderKey(order: RouteOrder): RouteOrderKey {
  return {
    createdMs: timestampMs(order.creationTimestamp),
    ref: `${order.namespace}/${order.name}`,
    ruleIndex: order.ruleIndex,
    matchIndex: order.matchIndex,
  };
}

export function compareOrderKeys(a: RouteOrderKey, b: RouteOrderKey): number {
  if (a.createdMs !== b.createdMs) return a.createdMs < b.createdMs ? -1 : 1;
  return compareStrings(a.ref, b.ref) || a.ruleIndex - b.ruleIndex || a.matchIndex - b.matchIndex;
}

const PATH_RANK = { Exact: 0, RegularExpression: 1, PathPrefix: 2 } as const;

/** Negative when `a` takes precedence over `b`. */
export function compareHttpMatches(a: NormalMatch, b: NormalMatch): number {
  if (a.pathType !== b.pathType) return PATH_RANK[a.pathType] - PATH_RANK[b.pathType];
  if (a.pathType !== 'Exact' && a.path.length !== b.path.length) return b.path.length - a.path.length;
  if (Boolean(a.method) !== Boolean(b.method)) return a.method ? -1 : 1;
  if (a.headers.length !== b.headers.length) return b.headers.length - a.headers.length;
  return b.query.length - a.query.length;
}

export interface GrpcPrecedence {
  exactService: number;
  exactMethod: number;
  regexChars: number;
  headers: number;
}

export function compareGrpcMatches(a: GrpcPrecedence, b: GrpcPrecedence): number {
  return (
    b.exactService - a.exactService ||
    b.exactMethod - a.exactMethod ||
    b.regexChars - a.regexChars ||
    b.headers - a.headers
  );
}
