// The per-instance memos (shared/pipeline memo.ts, parent-memo.ts) as pure data structures: expiry,
// the size bound, copies, and the one case in which a parent's routes may be recalled.
import test from 'ava';
import { emptyPlan } from '../../shared/plan/index.ts';
import type { ActualState } from '../../shared/plan/index.ts';
import { isDirectSuccessor, parentMemo, routesAfter, ttlMemo } from '../../shared/pipeline/index.ts';
import type { RememberedRoute } from '../../shared/pipeline/index.ts';
import type { NsHttpRoute } from '../../shared/translate/types.ts';

const route = (id: string, v: string): NsHttpRoute =>
  ({ name: `projects/p/locations/global/httpRoutes/${id}`, labels: { v } }) as unknown as NsHttpRoute;
const remembered: RememberedRoute[] = [
  { kind: 'httpRoutes', id: 'h', body: route('h', '1') },
  { kind: 'grpcRoutes', id: 'g', body: null },
];

test('ttlMemo: copies, expiry, forget, and the least recently remembered leave first', (t) => {
  const memo = ttlMemo<{ n: number }>({ ttlMs: 100, maxEntries: 2 });
  const value = { n: 1 };
  memo.remember('a', value, 0);
  value.n = 2;
  t.deepEqual(memo.recall('a', 50), { n: 1 }, 'a copy of what was remembered');
  t.is(memo.recall('a', 100), undefined, 'expired');
  t.is(memo.size(), 0, 'an expired entry is dropped');
  memo.remember('a', { n: 1 }, 200);
  memo.remember('b', { n: 2 }, 201);
  memo.remember('a', { n: 3 }, 202); // re-remembering makes 'a' the newest
  memo.remember('c', { n: 4 }, 203);
  t.is(memo.size(), 2);
  t.is(memo.recall('b', 204), undefined, 'the oldest went');
  t.deepEqual(memo.recall('a', 204), { n: 3 });
  memo.forget('a');
  t.is(memo.recall('a', 205), undefined);
  memo.forget();
  t.is(memo.size(), 0);
});

test('isDirectSuccessor: same run and count + 1 only', (t) => {
  t.true(isDirectSuccessor({ run: 'r', count: 4 }, { run: 'r', count: 5 }));
  t.false(isDirectSuccessor({ run: 'r', count: 4 }, { run: 'r', count: 4 }), 'a repeat');
  t.false(isDirectSuccessor({ run: 'r', count: 4 }, { run: 'r', count: 6 }), 'a gap');
  t.false(isDirectSuccessor({ run: 'r', count: 4 }, { run: 'r', count: 3 }), 'an older one');
  t.false(isDirectSuccessor({ run: 'r', count: 4 }, { run: 's', count: 5 }), 'another run');
});

test('parentMemo: recalls for the direct successor only, and forgets on every refusal', (t) => {
  const memo = parentMemo(1000, 10);
  t.deepEqual(memo.recallSuccessor('k', { run: 'r', count: 2 }, 0), { ok: false, why: 'none' });
  const refusals: [string, Parameters<typeof memo.recallSuccessor>[1], number, string][] = [
    ['no origin', undefined, 10, 'no-origin'],
    ['another run', { run: 's', count: 2 }, 10, 'other-run'],
    ['a gap', { run: 'r', count: 3 }, 10, 'not-next'],
    ['a repeat', { run: 'r', count: 1 }, 10, 'not-next'],
    ['an expired entry', { run: 'r', count: 2 }, 1000, 'none'],
  ];
  for (const [what, origin, now, why] of refusals) {
    memo.remember('k', { run: 'r', count: 1 }, remembered, 0);
    t.deepEqual(memo.recallSuccessor('k', origin, now), { ok: false, why }, what);
    t.deepEqual(
      memo.recallSuccessor('k', { run: 'r', count: 2 }, 11),
      { ok: false, why: 'none' },
      `${what}: forgotten`,
    );
  }
  memo.remember('k', { run: 'r', count: 1 }, remembered, 0);
  t.deepEqual(memo.recallSuccessor('k', { run: 'r', count: 2 }, 999), { ok: true, routes: remembered });
  t.is(memo.recallSuccessor('other', { run: 'r', count: 2 }, 999).ok, false, 'per parent');
});

test('parentMemo: bounded', (t) => {
  const memo = parentMemo(1000, 3);
  for (let i = 0; i < 10; i++) memo.remember(`k${i}`, { run: 'r', count: 1 }, remembered, i);
  t.is(memo.size(), 3);
  t.true(memo.recallSuccessor('k9', { run: 'r', count: 2 }, 20).ok);
  t.false(memo.recallSuccessor('k0', { run: 'r', count: 2 }, 20).ok);
});

test('routesAfter: written bodies, deleted ids null, the rest as read', (t) => {
  const ids = [
    { kind: 'httpRoutes' as const, id: 'h80', port: 80 },
    { kind: 'grpcRoutes' as const, id: 'g80', port: 80 },
    { kind: 'httpRoutes' as const, id: 'h81', port: 81 },
    { kind: 'grpcRoutes' as const, id: 'g81', port: 81 },
  ];
  const actual: ActualState = {
    meshes: [],
    httpRoutes: [route('h80', 'old'), route('h81', 'kept')],
    grpcRoutes: [route('g81', 'gone') as never],
    tcpRoutes: [],
    tlsRoutes: [],
    complete: true,
  };
  const p = emptyPlan();
  const body = route('h80', 'new');
  p.updates.push({ kind: 'httpRoutes', id: 'h80', name: body.name ?? '', body, updateMask: [], diff: [] });
  p.deletes.push({ kind: 'grpcRoutes', id: 'g81', name: 'g81', body: route('g81', 'gone') });
  p.unchanged = 1;
  t.deepEqual(routesAfter(ids, actual, p), [
    { kind: 'httpRoutes', id: 'h80', body },
    { kind: 'grpcRoutes', id: 'g80', body: null },
    { kind: 'httpRoutes', id: 'h81', body: route('h81', 'kept') },
    { kind: 'grpcRoutes', id: 'g81', body: null },
  ]);
});

test('parentMemo: the stale-apply interval runs from the apply; advance keeps routes for the direct successor only', (t) => {
  const memo = parentMemo(30_000, 10, 1000);
  t.is(memo.appliedWithinStaleInterval('p', 0), undefined, 'nothing applied');
  memo.remember('p', { run: 'r', count: 1 }, remembered, 10_000);
  t.is(memo.appliedWithinStaleInterval('p', 10_400), 400);
  t.is(memo.appliedWithinStaleInterval('p', 11_000), undefined, 'the interval is over');
  memo.advance('p', { run: 'r', count: 2 }, 10_500);
  t.is(memo.appliedWithinStaleInterval('p', 10_600), 600, 'advancing is not applying');
  t.deepEqual(memo.recallSuccessor('p', { run: 'r', count: 3 }, 10_700), { ok: true, routes: remembered });
  memo.advance('p', { run: 'r', count: 5 }, 10_800); // a gap: the routes may be stale
  t.deepEqual(memo.recallSuccessor('p', { run: 'r', count: 6 }, 10_900), { ok: false, why: 'none' });
  memo.remember('q', { run: 'r', count: 1 }, remembered, 0);
  memo.advance('q', undefined, 1);
  t.is(memo.size(), 0, 'no origin: forgotten');
});
