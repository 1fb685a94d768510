// Gateway API precedence across every rule of every route merged onto one Service port
// (docs/architecture.md §4.2). HTTP: Exact path, then RegularExpression (implementation-specific; we
// rank it after Exact and before prefixes, longer pattern first), then the longest PathPrefix, then a
// method match, then most header matches, then most query matches. gRPC: an Exact service, then an
// Exact method (two Exact matches overlap only when equal, so the spec's character counts reduce to
// presence), then regex characters, then most header matches. Ties: oldest creationTimestamp
// (missing timestamps sort last), then "namespace/name", then rule index, then match index.
import type { NormalMatch } from './match.ts';
import type { NormalGrpcMatch } from './grpc-match.ts';
import type { Entry } from './state.ts';
import { compareStrings } from './util.ts';

export interface RouteOrder {
  creationTimestamp?: string;
  namespace: string;
  name: string;
  ruleIndex: number;
  matchIndex: number;
}

export function timestampMs(value: string | undefined): number {
  if (typeof value !== 'string') return Number.POSITIVE_INFINITY;
  const ms = value.length === 20 || value.length === 24 ? rfc3339Ms(value) : NaN;
  const parsed = Number.isNaN(ms) ? Date.parse(value) : ms;
  return Number.isNaN(parsed) ? Number.POSITIVE_INFINITY : parsed;
}

/**
 * `YYYY-MM-DDTHH:MM:SSZ`, the form the API server writes every creationTimestamp in, or with
 * milliseconds (`.sssZ`, as JavaScript's toISOString writes), read digit by digit (Date.parse is
 * slow, and runs once per route). NaN for anything else, including days past the 28th, which
 * Date.parse then judges.
 */
function rfc3339Ms(v: string): number {
  if (v.charCodeAt(4) !== 45 || v.charCodeAt(7) !== 45 || v.charCodeAt(10) !== 84) return NaN;
  if (v.charCodeAt(13) !== 58 || v.charCodeAt(16) !== 58) return NaN;
  let ms = 0;
  if (v.length === 20) {
    if (v.charCodeAt(19) !== 90) return NaN;
  } else {
    if (v.charCodeAt(19) !== 46 || v.charCodeAt(23) !== 90) return NaN;
    ms = digits(v, 20, 3);
  }
  const year = digits(v, 0, 4);
  const month = digits(v, 5, 2);
  const day = digits(v, 8, 2);
  const hour = digits(v, 11, 2);
  const minute = digits(v, 14, 2);
  const second = digits(v, 17, 2);
  if (!(year >= 1000 && month >= 1 && month <= 12 && day >= 1 && day <= 28)) return NaN;
  if (!(hour <= 23 && minute <= 59 && second <= 59 && ms >= 0)) return NaN;
  return Date.UTC(year, month - 1, day, hour, minute, second, ms);
}

/** The decimal number in v[start, start + count), or NaN when a character is not a digit. */
function digits(v: string, start: number, count: number): number {
  let n = 0;
  for (let i = start; i < start + count; i++) {
    const d = v.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return NaN;
    n = n * 10 + d;
  }
  return n;
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

/**
 * compareOrderKeys for compiled entries, without building their keys: an entry's rule holds the
 * (creation time, route, rule index) part, and entries of one rule share that object.
 */
export function compareEntryOrder(a: Entry, b: Entry): number {
  const x = a.rule;
  const y = b.rule;
  if (x !== y) {
    if (x.createdMs !== y.createdMs) return x.createdMs < y.createdMs ? -1 : 1;
    const byRule = compareStrings(x.route, y.route) || x.index - y.index;
    if (byRule !== 0) return byRule;
  }
  return a.matchIndex - b.matchIndex;
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

/** Negative when `a` takes precedence over `b`. */
export function compareGrpcMatches(a: NormalGrpcMatch, b: NormalGrpcMatch): number {
  return (
    exactPart(b, b.service) - exactPart(a, a.service) ||
    exactPart(b, b.method) - exactPart(a, a.method) ||
    regexChars(b) - regexChars(a) ||
    b.headers.length - a.headers.length
  );
}

/**
 * 1 when an Exact match sets this part. Two Exact matches overlap only when the parts both set are
 * equal, so lengths never decide between overlapping matches: presence alone ranks them.
 */
function exactPart(normal: NormalGrpcMatch, part: string | undefined): number {
  return normal.type === 'Exact' && part ? 1 : 0;
}

function regexChars(normal: NormalGrpcMatch): number {
  if (normal.type !== 'RegularExpression') return 0;
  return (normal.service?.length ?? 0) + (normal.method?.length ?? 0);
}
