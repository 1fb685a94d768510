// decide() (shared/pipeline/decide.ts): one row per rule, from the event alone to the applied labels.
import test from 'ava';
import { decide } from '../../shared/pipeline/decide.ts';
import type { DecideInput, Verdict } from '../../shared/pipeline/decide.ts';

const fresh = { fresh: true } as const;
const stale = { fresh: false, why: 'HTTPRoute ns/r has changed since the snapshot' } as const;
const base = { event: { cluster: 'c1', sequence: '100' }, serves: 'c1' };

const rows: [string, DecideInput, Partial<Verdict>][] = [
  ['another cluster is skipped first', { ...base, serves: 'c2' }, { verdict: 'skip', skip: 'other-cluster' }],
  [
    'an oversized snapshot is refused before any read',
    { ...base, oversized: 'too many routes' },
    { verdict: 'skip', skip: 'oversized' },
  ],
  ['nothing read yet: read the cluster', base, { verdict: 'read-cluster' }],
  [
    'a sequence above the cluster resourceVersion is refused (forged, or from before a restore)',
    {
      ...base,
      event: { cluster: 'c1', sequence: '9'.repeat(40) },
      cluster: { freshness: fresh, resourceVersion: '500' },
    },
    { verdict: 'skip', skip: 'sequence-beyond-cluster' },
  ],
  [
    'an absurd sequence is refused even when the resourceVersion is not a number',
    {
      ...base,
      event: { cluster: 'c1', sequence: '9'.repeat(40) },
      cluster: { freshness: fresh, resourceVersion: 'abc' },
    },
    { verdict: 'skip', skip: 'sequence-beyond-cluster' },
  ],
  [
    'fresh, cluster read: read the applied state',
    { ...base, cluster: { freshness: fresh, resourceVersion: '500' } },
    { verdict: 'read-applied' },
  ],
  [
    'fresh and newer than applied: apply',
    { ...base, cluster: { freshness: fresh, resourceVersion: '500' }, applied: { sequence: '90' } },
    { verdict: 'apply', snapshot: 'fresh', restamp: false },
  ],
  [
    'fresh, nothing applied: apply',
    { ...base, cluster: { freshness: fresh, resourceVersion: '500' }, applied: {} },
    { verdict: 'apply', snapshot: 'fresh', restamp: false },
  ],
  [
    'older than applied: stale-sequence',
    { ...base, cluster: { freshness: fresh, resourceVersion: '500' }, applied: { sequence: '120' } },
    { verdict: 'skip', skip: 'stale-sequence' },
  ],
  [
    'an applied label above the cluster resourceVersion is unknown: apply and re-stamp',
    { ...base, cluster: { freshness: fresh, resourceVersion: '500' }, applied: { sequence: '9'.repeat(40) } },
    { verdict: 'apply', snapshot: 'fresh', restamp: true },
  ],
  [
    'after a restore (labels above the lowered resourceVersion): apply and re-stamp',
    { ...base, cluster: { freshness: fresh, resourceVersion: '150' }, applied: { sequence: '400' } },
    { verdict: 'apply', snapshot: 'fresh', restamp: true },
  ],
  [
    'stale and newer than applied: apply (routes only)',
    { ...base, cluster: { freshness: stale, resourceVersion: '500' }, applied: { sequence: '90' } },
    { verdict: 'apply', snapshot: 'stale', restamp: false },
  ],
  [
    'stale, nothing applied to prove it newer: skip',
    { ...base, cluster: { freshness: stale, resourceVersion: '500' }, applied: {} },
    { verdict: 'skip', skip: 'stale-snapshot' },
  ],
  [
    'stale and equal to applied (a duplicate): skip',
    { ...base, cluster: { freshness: stale, resourceVersion: '500' }, applied: { sequence: '100' } },
    { verdict: 'skip', skip: 'stale-snapshot' },
  ],
  [
    'stale, applied label impossible: nothing proves it newer, skip',
    { ...base, cluster: { freshness: stale, resourceVersion: '500' }, applied: { sequence: '600' } },
    { verdict: 'skip', skip: 'stale-snapshot' },
  ],
  [
    'stale, no newer than what this instance applied: skip before reading Network Services',
    { ...base, cluster: { freshness: stale, resourceVersion: '500' }, memo: { appliedSequence: '100' } },
    { verdict: 'skip', skip: 'stale-snapshot' },
  ],
  [
    'stale, within the stale-apply interval: pass over and advance the memo',
    { ...base, cluster: { freshness: stale, resourceVersion: '500' }, memo: { appliedAgoMs: 10 } },
    { verdict: 'skip', skip: 'stale-snapshot', advanceMemo: true },
  ],
  [
    "stale, the memo's label is impossible: it proves nothing, read",
    { ...base, cluster: { freshness: stale, resourceVersion: '500' }, memo: { appliedSequence: '900' } },
    { verdict: 'read-applied' },
  ],
  [
    'fresh ignores the memo',
    {
      ...base,
      cluster: { freshness: fresh, resourceVersion: '500' },
      memo: { appliedSequence: '200', appliedAgoMs: 1 },
    },
    { verdict: 'read-applied' },
  ],
  [
    'non-decimal resourceVersions: no bound, the labels still order',
    { ...base, cluster: { freshness: fresh, resourceVersion: 'x' }, applied: { sequence: '120' } },
    { verdict: 'skip', skip: 'stale-sequence' },
  ],
];

for (const [name, input, expected] of rows)
  test(`decide: ${name}`, (t) => {
    t.like(decide(input), expected);
  });

test('decide is pure: the same input, the same verdict, the input untouched', (t) => {
  const input: DecideInput = {
    ...base,
    cluster: { freshness: stale, resourceVersion: '500' },
    applied: { sequence: '90' },
  };
  const copy = structuredClone(input);
  t.deepEqual(decide(input), decide(input));
  t.deepEqual(input, copy);
});
