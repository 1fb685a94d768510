// The sync decision as a pure function (docs/architecture.md §5.2): what is known so far about one
// event (the event, then the cluster's answer, the instance's memo, then the applied labels) ->
// skip it, read more, or apply. sync.ts is the executor: it reads what the verdict asks for and calls
// decide again, so every rule lives here, once, and test/pipeline/decide.test.ts tables them.
//
// Trust: a sequence comes from whoever published the event, so it is bounded by what the cluster
// itself has issued (its current resourceVersion). A label above that bound cannot have come from
// this cluster's history (a forged event applied by an older version, or an etcd restore that moved
// revisions back): it counts as unknown, and the write re-stamps it (`restamp`).
import { MAX_SEQUENCE, isDecimalSequence, isStale, withinCluster } from '../events/index.ts';
import type { Freshness } from './liveness.ts';
import { mayApplyStale } from './liveness.ts';

export type SyncSkip =
  'other-cluster' | 'oversized' | 'sequence-beyond-cluster' | 'stale-sequence' | 'stale-snapshot';

export interface DecideInput {
  event: { cluster: string; sequence: string };
  /** The cluster id this function serves. */
  serves: string;
  /** Why the snapshot is over a cap (limits.ts), if it is. */
  oversized?: string;
  /** Absent until the cluster was read. */
  cluster?: { freshness: Freshness; resourceVersion?: string };
  /** The instance's own memory of the parent. */
  memo?: { appliedSequence?: string; appliedAgoMs?: number };
  /** Absent until the parent's routes were read (or recalled); `sequence` is their highest label. */
  applied?: { sequence?: string };
}

export type Verdict =
  | { verdict: 'skip'; skip: SyncSkip; detail: string; advanceMemo?: true }
  | { verdict: 'read-cluster' }
  | { verdict: 'read-applied' }
  | { verdict: 'apply'; snapshot: 'fresh' | 'stale'; staleBecause?: string; restamp: boolean };

const skip = (s: SyncSkip, detail: string, advanceMemo?: true): Verdict => ({
  verdict: 'skip',
  skip: s,
  detail,
  ...(advanceMemo ? { advanceMemo } : {}),
});

function beforeRead(input: DecideInput): Verdict | undefined {
  const { event, serves } = input;
  if (event.cluster !== serves)
    return skip('other-cluster', `event for cluster ${event.cluster}, this function serves ${serves}`);
  if (input.oversized) return skip('oversized', input.oversized);
  if (!input.cluster) return { verdict: 'read-cluster' };
  const rv = input.cluster.resourceVersion;
  if (isDecimalSequence(event.sequence) && withinCluster(event.sequence, rv) === undefined)
    return skip(
      'sequence-beyond-cluster',
      `sequence ${event.sequence} is beyond what the cluster has issued (resourceVersion ${rv ?? 'unknown'}, at most ${MAX_SEQUENCE}): forged, or from before an etcd restore`,
    );
  return undefined;
}

/** A stale snapshot against the instance's own memory, before any Network Services request. */
function staleAgainstMemo(input: DecideInput, why: string): Verdict | undefined {
  const own = withinCluster(input.memo?.appliedSequence, input.cluster?.resourceVersion);
  if (own !== undefined) {
    const v = mayApplyStale(own, input.event.sequence);
    if (!v.apply) return skip('stale-snapshot', `${why}; ${v.why}`);
  }
  const ago = input.memo?.appliedAgoMs;
  if (ago !== undefined)
    return skip('stale-snapshot', `${why}; this instance applied the parent ${ago} ms ago`, true);
  return undefined;
}

export function decide(input: DecideInput): Verdict {
  const early = beforeRead(input);
  if (early) return early;
  const { freshness, resourceVersion } = input.cluster as NonNullable<DecideInput['cluster']>;
  if (!freshness.fresh) {
    const memo = staleAgainstMemo(input, freshness.why);
    if (memo) return memo;
  }
  if (!input.applied) return { verdict: 'read-applied' };
  const raw = input.applied.sequence;
  const applied = withinCluster(raw, resourceVersion);
  const restamp = isDecimalSequence(raw) && applied === undefined;
  const { sequence } = input.event;
  if (isStale(applied, sequence))
    return skip('stale-sequence', `sequence ${sequence} is older than the applied ${applied}`);
  if (freshness.fresh) return { verdict: 'apply', snapshot: 'fresh', restamp };
  const v = mayApplyStale(applied, sequence);
  if (!v.apply) return skip('stale-snapshot', `${freshness.why}; ${v.why}`);
  return { verdict: 'apply', snapshot: 'stale', staleBecause: freshness.why, restamp };
}
