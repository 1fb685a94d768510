// The delete budget shared by sync and reconcile (shared/pipeline/delete-budget.ts), on an injected clock.
import test from 'ava';
import { deleteBudget } from '../../shared/pipeline/delete-budget.ts';
import type { Plan, PlanItem } from '../../shared/plan/index.ts';

const del = (id: string): PlanItem => ({
  kind: 'httpRoutes',
  id,
  name: `projects/p/locations/global/httpRoutes/${id}`,
  body: { name: `projects/p/locations/global/httpRoutes/${id}` } as PlanItem['body'],
});
const planOf = (...ids: string[]): Plan => ({
  creates: [],
  updates: [],
  deletes: ids.map(del),
  refused: [],
  unchanged: 0,
  errors: [],
});

test('deletes beyond the budget are refused with the reason and the override; the window slides', (t) => {
  let now = 0;
  const budget = deleteBudget({ limit: 3, windowMs: 60_000, now: () => now });
  t.is(budget.limit(planOf('a', 'b')).deletes.length, 2);
  const second = budget.limit(planOf('c', 'd'));
  t.deepEqual(
    second.deletes.map((d) => d.id),
    ['c'],
  );
  t.is(second.refused.length, 1);
  t.regex(second.refused[0].reason, /delete budget spent: at most 3 deletes per 60 s/);
  t.regex(second.refused[0].reason, /GAMMA_FORCE_DELETE/);
  t.is(budget.remaining(), 0);
  now = 59_999;
  t.is(budget.limit(planOf('e')).deletes.length, 0, 'still inside the window');
  now = 60_001;
  t.is(budget.remaining(), 3, 'the window slid past the first deletes');
  t.is(budget.limit(planOf('e')).deletes.length, 1);
});

test('forced, or a plan without deletes: untouched', (t) => {
  const forced = deleteBudget({ limit: 0, windowMs: 1000, force: true, now: () => 0 });
  const p = planOf('a', 'b');
  t.is(forced.limit(p), p);
  const none = deleteBudget({ limit: 0, windowMs: 1000, now: () => 0 });
  const empty = planOf();
  t.is(none.limit(empty), empty);
});
