// Event sequences and the freshness check (docs/architecture.md §3.3, §5.2).
//
// Rule: sequence(event) = max(listResourceVersion, max(metadata.resourceVersion of every object in the
// snapshot)), written as a decimal string without leading zeros.
//
// Why it is monotonic per parent: on etcd-backed API servers a resourceVersion is the etcd revision of
// the write that produced it, and revisions grow with every write anywhere in the cluster. The watcher's
// "list resourceVersion" is the revision its informers have caught up to (the list RV, then the RV of
// every watch event or BOOKMARK it has processed), which never goes down while a watch runs and is
// >= any previous one after a re-list. A newer state of a parent either contains an object written later
// (higher RV) or lacks an object that was deleted later; the deletion is only seen through a watch event
// whose RV the list resourceVersion then covers. So two snapshots of one parent built from the watcher's
// cache in order carry non-decreasing sequences, and a strictly lower sequence means an older cluster state.
// Equal sequences mean the same state, so re-applying it is harmless (and needed after a failed apply).
//
// Caveat: Kubernetes documents resourceVersions as opaque strings. They are decimal integers on every
// etcd-backed server we know of; when either side is not one, isStale cannot order them and answers
// "not stale" (process the event). Correctness then rests on the event carrying a full snapshot and on
// the scheduled reconcile, which ignores sequences and repairs any regression. An etcd restore from
// backup can also move revisions backwards: a label or sequence above the cluster's current
// resourceVersion is then impossible, and withinCluster treats it as unknown (docs/architecture.md §5.2).

const DECIMAL = /^(0|[1-9][0-9]*)$/;

/** True when s is a canonical non-negative decimal integer (the form etcd resourceVersions take). */
export function isDecimalSequence(s: string | undefined): s is string {
  return typeof s === 'string' && s.length <= 40 && DECIMAL.test(s);
}

/** Numeric comparison of two decimal sequences: -1, 0 or 1. */
export function compareSequences(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Whether an incoming event is older than what was last applied for its parent. Unknown or
 * non-decimal values are never stale (see the module comment for why that fallback is safe).
 */
export function isStale(lastApplied: string | undefined, incoming: string): boolean {
  if (!isDecimalSequence(lastApplied) || !isDecimalSequence(incoming)) return false;
  return compareSequences(incoming, lastApplied) < 0;
}

interface HasResourceVersion {
  metadata?: { resourceVersion?: string };
}

/**
 * The sequence of a snapshot: the maximum of the list resourceVersion and every object's
 * resourceVersion. Non-decimal values are ignored; "0" when nothing is decimal.
 */
export function sequenceOf(objects: Iterable<HasResourceVersion>, listResourceVersion?: string): string {
  let max = isDecimalSequence(listResourceVersion) ? BigInt(listResourceVersion) : 0n;
  for (const o of objects) {
    const rv = o.metadata?.resourceVersion;
    if (isDecimalSequence(rv) && BigInt(rv) > max) max = BigInt(rv);
  }
  return max.toString();
}

/** etcd revisions are int64: a larger sequence is absurd whatever the cluster says. */
export const MAX_SEQUENCE = (1n << 63n) - 1n;

/**
 * The value when the cluster could have issued it: decimal, at most MAX_SEQUENCE and not above the
 * cluster's current resourceVersion (when that is decimal); otherwise undefined (unknown). Events
 * and labels are bounded by it, so neither a forged sequence nor one from before an etcd restore
 * can order anything.
 */
export function withinCluster(
  value: string | undefined,
  resourceVersion: string | undefined,
): string | undefined {
  if (!isDecimalSequence(value) || BigInt(value) > MAX_SEQUENCE) return undefined;
  if (isDecimalSequence(resourceVersion) && compareSequences(value, resourceVersion) > 0) return undefined;
  return value;
}
