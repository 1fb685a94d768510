// The stale-event rule as pure functions: when a snapshot the cluster has moved past may still be
// applied (liveness.ts mayApplyStale), and the lower bound on the applied sequence an instance keeps
// from its own last write (parentMemo.appliedSequence), which lets it refuse without a request.
import test from 'ava';
import fc from 'fast-check';
import { LABEL_SEQUENCE, mayApplyStale, parentMemo } from '../../shared/pipeline/index.ts';
import type { RememberedRoute } from '../../shared/pipeline/index.ts';
import type { NsHttpRoute } from '../../shared/translate/types.ts';

const routeAt = (id: string, sequence?: string): NsHttpRoute =>
  ({
    name: `projects/p/locations/global/httpRoutes/${id}`,
    labels: sequence === undefined ? {} : { [LABEL_SEQUENCE]: sequence },
  }) as unknown as NsHttpRoute;

test('mayApplyStale: only a sequence strictly newer than the applied one', (t) => {
  t.deepEqual(mayApplyStale('100', '101'), { apply: true });
  t.deepEqual(mayApplyStale('99', '100000000000000000000000'), { apply: true }, 'compared as numbers');
  t.like(mayApplyStale('100', '100'), {
    apply: false,
    why: 'sequence 100 is not newer than the applied 100',
  });
  t.like(mayApplyStale('100', '99'), { apply: false });
  t.like(mayApplyStale(undefined, '5'), { apply: false, why: 'no applied sequence to prove it newer' });
  t.like(mayApplyStale('abc', '5'), { apply: false }, 'a non-decimal applied label proves nothing');
  t.like(mayApplyStale('5', 'x'), { apply: false }, 'nor a non-decimal event sequence');
});

test('mayApplyStale: applies exactly when incoming > applied', (t) => {
  fc.assert(
    fc.property(fc.bigInt({ min: 0n, max: 10n ** 30n }), fc.bigInt({ min: 0n, max: 10n ** 30n }), (a, b) => {
      t.is(mayApplyStale(String(a), String(b)).apply, b > a);
    }),
  );
});

test('parentMemo.appliedSequence: the highest label remembered, kept across the peek, gone with the entry', (t) => {
  const memo = parentMemo(1000, 10);
  t.is(memo.appliedSequence('k', 0), undefined, 'nothing remembered');
  const routes: RememberedRoute[] = [
    { kind: 'httpRoutes', id: 'a', body: routeAt('a', '90') },
    { kind: 'httpRoutes', id: 'b', body: routeAt('b', '120') },
    { kind: 'grpcRoutes', id: 'c', body: null },
    { kind: 'grpcRoutes', id: 'd', body: routeAt('d') },
  ];
  memo.remember('k', { run: 'r', count: 1 }, routes, 0);
  t.is(memo.appliedSequence('k', 10), '120');
  t.true(memo.recallSuccessor('k', { run: 'r', count: 2 }, 20).ok, 'the peek forgets nothing');
  t.is(memo.appliedSequence('other', 10), undefined, 'per parent');
  t.is(memo.appliedSequence('k', 1000), undefined, 'expired');
  memo.remember('k', { run: 'r', count: 1 }, [{ kind: 'httpRoutes', id: 'a', body: null }], 0);
  t.is(memo.appliedSequence('k', 10), undefined, 'no route left, no bound');
});
