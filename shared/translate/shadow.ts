// Shadowed rules (reported as warnings): a rule every match of which is covered by an earlier entry
// of another rule on the same Service port can never match. One search for HTTP and gRPC; only how
// the first covering entry is found differs (HTTP indexes large ports by path).
import type { Entry, FirstCovering, RuleRef, Shadowed } from './state.ts';
import type { NormalMatch } from './match.ts';
import { httpMatchCovers } from './match.ts';

/** "HTTPRoute ns/name spec.rules[N]", as status messages name a rule (see ruleLabel). */
export function ruleText(rule: RuleRef): string {
  return `${rule.kind} ${rule.route} spec.rules[${rule.index}]`;
}

/** Rules every entry of which is covered by an earlier entry of another rule: they can never match. */
export function findShadowedRules(sorted: Entry[], firstCovering: FirstCovering): Shadowed[] {
  // Per rule, in order of first appearance: the rule covering its first entry, or null once one of
  // its entries is not covered; and the backends it would send to.
  const coveredBy = new Map<RuleRef, RuleRef | null>();
  const backends = new Map<RuleRef, string[]>();
  for (let i = 0; i < sorted.length; i++) {
    const { rule } = sorted[i];
    const j = firstCovering(i);
    backends.set(rule, sorted[i].backends);
    if (j < 0) coveredBy.set(rule, null);
    else if (!coveredBy.has(rule)) coveredBy.set(rule, sorted[j].rule);
  }
  const shadowed: Shadowed[] = [];
  for (const [rule, by] of coveredBy)
    if (by !== null) shadowed.push({ rule, by, backends: backends.get(rule) ?? [] });
  return shadowed;
}

/** The definition: every earlier entry is checked (O(n^2), fine for the few entries of most ports). */
export function scanCovering<N>(sorted: Entry<N>[], covers: (outer: N, inner: N) => boolean): FirstCovering {
  return (i) => {
    const entry = sorted[i];
    for (let j = 0; j < i; j++)
      if (sorted[j].rule !== entry.rule && covers(sorted[j].normal, entry.normal)) return j;
    return -1;
  };
}

/** Up to this many entries a port's HTTP rules are compared pairwise (at most 496 checks). */
const SMALL_GROUP = 32;

/** Bound on cover checks per entry, so hostile inputs (thousands of matches on one path) stay fast. */
const MAX_COVER_CHECKS = 2000;

/** Indices of earlier entries by path, one map per path type. */
type PathIndex = Record<NormalMatch['pathType'], Map<string, number[]>>;

/**
 * FirstCovering for HTTP entries. Past SMALL_GROUP entries, earlier entries are indexed by path, so
 * only those whose path can cover entry i are checked: its own path, "/" and its segment prefixes.
 */
export function httpFirstCovering(sorted: Entry<NormalMatch>[]): FirstCovering {
  if (sorted.length <= SMALL_GROUP) return scanCovering(sorted, httpMatchCovers);
  const index: PathIndex = { Exact: new Map(), PathPrefix: new Map(), RegularExpression: new Map() };
  return (i) => {
    const { normal } = sorted[i];
    const j = firstCoveringByPath(sorted, i, candidateLists(index, normal));
    const byPath = index[normal.pathType];
    const list = byPath.get(normal.path);
    if (list) list.push(i);
    else byPath.set(normal.path, [i]);
    return j;
  };
}

/** The index lists holding every earlier entry whose path can cover `normal`'s. */
function candidateLists(index: PathIndex, normal: NormalMatch): (number[] | undefined)[] {
  const lists = [index[normal.pathType].get(normal.path), index.PathPrefix.get('/')];
  if (normal.pathType !== 'RegularExpression')
    for (const prefix of segmentPrefixes(normal.path)) lists.push(index.PathPrefix.get(prefix));
  return lists;
}

/**
 * The paths whose PathPrefix match could cover `path` besides "/": the path up to each '/' after the
 * first one, then the whole path when it has a '/' (the segment prefixes, joined back).
 */
function segmentPrefixes(path: string): string[] {
  const prefixes: string[] = [];
  let slash = path.indexOf('/');
  if (slash < 0) return prefixes;
  while ((slash = path.indexOf('/', slash + 1)) >= 0) prefixes.push(path.slice(0, slash));
  prefixes.push(path);
  return prefixes;
}

/**
 * The first candidate of another rule that covers entry i. Each list is in index order, so the
 * first covering one overall is the smallest first covering one of each list; past
 * MAX_COVER_CHECKS candidates only the first MAX_COVER_CHECKS (in index order) are checked.
 */
function firstCoveringByPath(
  sorted: Entry<NormalMatch>[],
  i: number,
  lists: (number[] | undefined)[],
): number {
  const entry = sorted[i];
  const covering = (c: number) =>
    sorted[c].rule !== entry.rule && httpMatchCovers(sorted[c].normal, entry.normal);
  let total = 0;
  for (const list of lists) if (list) total += list.length;
  if (total > MAX_COVER_CHECKS) {
    const candidates = lists.flatMap((list) => list ?? []).sort((a, b) => a - b);
    return candidates.slice(0, MAX_COVER_CHECKS).find(covering) ?? -1;
  }
  let best = -1;
  for (const list of lists) {
    if (!list) continue;
    for (const c of list) {
      if (best >= 0 && c >= best) break;
      if (covering(c)) {
        best = c;
        break;
      }
    }
  }
  return best;
}
