// Shadowed rules (reported as warnings): a rule every match of which is covered by an earlier entry
// of another rule on the same Service port can never match.
import type { HttpEntry, RuleRef, Shadowed } from './state.ts';
import type { NormalMatch } from './match.ts';
import { httpMatchCovers } from './match.ts';
import { NONE, append } from './util.ts';

/** "HTTPRoute ns/name spec.rules[N]", as status messages name a rule (see ruleLabel). */
export function ruleText(rule: RuleRef): string {
  return `${rule.kind} ${rule.route} spec.rules[${rule.index}]`;
}

/** The first entry before index `i` of another rule that covers entry i (no copies: this is O(n^2)). */
export function firstCovering<E extends { rule: RuleRef; normal: N }, N>(
  sorted: E[],
  i: number,
  covers: (outer: N, inner: N) => boolean,
): E | undefined {
  const entry = sorted[i];
  for (let j = 0; j < i; j++) {
    const candidate = sorted[j];
    if (candidate.rule !== entry.rule && covers(candidate.normal, entry.normal)) return candidate;
  }
  return undefined;
}

/**
 * The paths whose PathPrefix match could cover `path` besides "/": the path up to each '/' after the
 * first one, then the whole path when it has a '/' (the segment prefixes, joined back).
 */
function segmentPrefixes(path: string, into: string[]): void {
  let slash = path.indexOf('/');
  if (slash < 0) return;
  while ((slash = path.indexOf('/', slash + 1)) >= 0) into.push(path.slice(0, slash));
  into.push(path);
}

/** Bound on cover checks per entry, so hostile inputs (thousands of matches on one path) stay fast. */
const MAX_COVER_CHECKS = 2000;

/** Indices of earlier entries by path, one map per path type. */
type PathIndex = Record<NormalMatch['pathType'], Map<string, number[]>>;

/**
 * The first earlier entry of another rule that covers entry i, checking only those whose path can
 * cover it. Each candidate list is in index order, so the first covering one overall is the smallest
 * first covering one of each list; past MAX_COVER_CHECKS candidates the bounded merge decides.
 */
function firstCoveringByPath(sorted: HttpEntry[], i: number, index: PathIndex, scratch: string[]): number {
  const entry = sorted[i];
  const lists: (number[] | undefined)[] = [index[entry.normal.pathType].get(entry.normal.path)];
  const prefixes = index.PathPrefix;
  lists.push(prefixes.get('/'));
  scratch.length = 0;
  if (entry.normal.pathType !== 'RegularExpression') segmentPrefixes(entry.normal.path, scratch);
  for (const prefix of scratch) lists.push(prefixes.get(prefix));
  let total = 0;
  for (const list of lists) if (list) total += list.length;
  if (total > MAX_COVER_CHECKS) return boundedFirstCovering(sorted, entry, lists);
  let best = -1;
  for (const list of lists) {
    if (!list) continue;
    for (const c of list) {
      if (best >= 0 && c >= best) break;
      if (sorted[c].rule !== entry.rule && httpMatchCovers(sorted[c].normal, entry.normal)) {
        best = c;
        break;
      }
    }
  }
  return best;
}

function boundedFirstCovering(
  sorted: HttpEntry[],
  entry: HttpEntry,
  lists: (number[] | undefined)[],
): number {
  const candidates = lists
    .flatMap((list) => list ?? [])
    .sort((a, b) => a - b)
    .slice(0, MAX_COVER_CHECKS);
  const j = candidates.find(
    (c) => sorted[c].rule !== entry.rule && httpMatchCovers(sorted[c].normal, entry.normal),
  );
  return j ?? -1;
}

/**
 * Rules every match of which is covered by an earlier entry of another rule: they can never match.
 * Earlier entries are indexed by path so only those whose path can cover are checked.
 */
export function findShadowedRules(sorted: HttpEntry[]): Shadowed[] {
  return sorted.length <= SMALL_GROUP ? findShadowedSmall(sorted) : findShadowedIndexed(sorted);
}

/** Up to this many entries a port's rules are compared pairwise (at most 496 checks), without indexes. */
const SMALL_GROUP = 32;

// findShadowedSmall's per-rule slots, reused by every call (it does not recurse) and filled up to
// its own count: three fresh lists per Service port cost more than the search. Entries past the
// count are stale and never read.
const slotRules: RuleRef[] = [];
const slotBy: (RuleRef | null | undefined)[] = [];
const slotBackends: string[][] = [];

/** findShadowedRules by scanning every earlier entry (the definition). */
function findShadowedSmall(sorted: HttpEntry[]): Shadowed[] {
  // Per distinct rule, in order of first appearance: its first coverer, null once an entry of it is
  // not covered, undefined before its first entry; and its backends.
  const rules = slotRules;
  const by = slotBy;
  const backends = slotBackends;
  let count = 0;
  for (let i = 0; i < sorted.length; i++) {
    const entry = sorted[i];
    let slot = -1;
    for (let s = 0; s < count; s++)
      if (rules[s] === entry.rule) {
        slot = s;
        break;
      }
    if (slot < 0) {
      slot = count++;
      rules[slot] = entry.rule;
      by[slot] = undefined;
    }
    backends[slot] = entry.backends;
    let j = -1;
    for (let c = 0; c < i; c++) {
      const candidate = sorted[c];
      if (candidate.rule !== entry.rule && httpMatchCovers(candidate.normal, entry.normal)) {
        j = c;
        break;
      }
    }
    if (j < 0) by[slot] = null;
    else if (by[slot] === undefined) by[slot] = sorted[j].rule;
  }
  let out: Shadowed[] = NONE;
  for (let slot = 0; slot < count; slot++) {
    const coverer = by[slot];
    if (coverer) out = append(out, { rule: rules[slot], by: coverer, backends: backends[slot] });
  }
  return out;
}

function findShadowedIndexed(sorted: HttpEntry[]): Shadowed[] {
  const shadowedBy = new Map<RuleRef, RuleRef | null>();
  const backends = new Map<RuleRef, string[]>();
  const index: PathIndex = { Exact: new Map(), PathPrefix: new Map(), RegularExpression: new Map() };
  const scratch: string[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const entry = sorted[i];
    const j = firstCoveringByPath(sorted, i, index, scratch);
    const previous = shadowedBy.get(entry.rule);
    backends.set(entry.rule, entry.backends);
    if (j < 0) shadowedBy.set(entry.rule, null);
    else if (previous === undefined) shadowedBy.set(entry.rule, sorted[j].rule);
    const byPath = index[entry.normal.pathType];
    const list = byPath.get(entry.normal.path);
    if (list) list.push(i);
    else byPath.set(entry.normal.path, [i]);
  }
  const out: Shadowed[] = [];
  for (const [rule, by] of shadowedBy)
    if (by !== null) out.push({ rule, by, backends: backends.get(rule) ?? [] });
  return out;
}
