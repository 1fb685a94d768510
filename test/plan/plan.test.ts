import test from 'ava';
import { LABEL_SEQUENCE, LABEL_SNAPSHOT, isEmptyPlan, plan, planPhases } from '../../shared/plan/index.ts';
import { formatPlanText } from '../../shared/plan/format.ts';
import { LABEL_CLUSTER } from '../../shared/translate/types.ts';
import { OPTS, actual, asListed, desired, grpcRoute, httpRoute, mesh, ourLabels } from './builders.ts';

test('steady state: the listed form of the desired resources gives an empty plan', (t) => {
  const d = desired({ httpRoutes: [httpRoute('a'), httpRoute('b')], grpcRoutes: [grpcRoute('g')] });
  const a = actual({
    httpRoutes: d.httpRoutes.map((r) => asListed(r, 'httpRoutes')),
    grpcRoutes: d.grpcRoutes.map((r) => asListed(r, 'grpcRoutes')),
  });
  const p = plan(d, a, OPTS);
  t.true(isEmptyPlan(p));
  t.deepEqual(p.refused, []);
  t.is(p.unchanged, 3);
  t.is(formatPlanText(p), 'No changes.\n');
});

test('missing routes are created, changed ones updated with a mask of the changed fields', (t) => {
  const d = desired({ httpRoutes: [httpRoute('a'), httpRoute('b', { description: 'new' })] });
  const a = actual({ httpRoutes: [asListed(httpRoute('b'), 'httpRoutes')] });
  const p = plan(d, a, OPTS);
  t.deepEqual(
    p.creates.map((c) => `${c.kind}/${c.id}`),
    ['httpRoutes/a'],
  );
  t.is(p.updates.length, 1);
  t.deepEqual(p.updates[0].updateMask, ['description']);
  t.deepEqual(p.updates[0].diff, [
    { field: 'description', before: httpRoute('b').description, after: 'new' },
  ]);
  const text = formatPlanText(p);
  t.regex(text, /^\+ create httpRoutes\/a$/m);
  t.regex(text, /^~ update httpRoutes\/b$/m);
  t.regex(text, /^ {4}description: "HTTPRoute ns\/b -> Service ns\/b:80" -> "new"$/m);
  t.regex(text, /^Plan: 1 to create, 1 to update, 0 to delete, 0 refused\.$/m);
});

test('owned routes no longer desired are deleted; unowned and other-cluster ones never are', (t) => {
  const foreign = httpRoute('foreign', { labels: { team: 'x' } });
  const other = httpRoute('other', { labels: { 'managed-by': 'gamma-csm', [LABEL_CLUSTER]: 'c2' } });
  const a = actual({
    httpRoutes: [httpRoute('a'), httpRoute('gone'), foreign, other],
    grpcRoutes: [grpcRoute('g')],
  });
  const p = plan(desired({ httpRoutes: [httpRoute('a')], grpcRoutes: [grpcRoute('g')] }), a, OPTS);
  t.deepEqual(
    p.deletes.map((x) => x.id),
    ['gone'],
  );
  t.deepEqual(p.updates, []);
  t.regex(formatPlanText(p), /^- delete httpRoutes\/gone$/m);
});

test('a desired name held by an unlabelled resource is refused, and adopted with --adopt', (t) => {
  const d = desired({ httpRoutes: [httpRoute('a')] });
  const a = actual({ httpRoutes: [httpRoute('a', { labels: { team: 'x' } })] });
  const refused = plan(d, a, OPTS);
  t.deepEqual(refused.updates, []);
  t.deepEqual(refused.creates, []);
  t.is(refused.refused.length, 1);
  t.regex(refused.refused[0].reason, /--adopt/);
  const adopted = plan(d, a, { ...OPTS, adopt: true });
  t.deepEqual(adopted.updates[0].updateMask, ['labels']);
  t.deepEqual(adopted.updates[0].body.labels, httpRoute('a').labels);
});

test('another cluster’s resource is never adopted', (t) => {
  const d = desired({ httpRoutes: [httpRoute('a')] });
  const a = actual({
    httpRoutes: [httpRoute('a', { labels: { 'managed-by': 'gamma-csm', [LABEL_CLUSTER]: 'c2' } })],
  });
  const p = plan(d, a, { ...OPTS, adopt: true });
  t.deepEqual(p.updates, []);
  t.regex(p.refused[0].reason, /another cluster \("c2"\)/);
});

test('a missing mesh is an error unless the mesh is managed', (t) => {
  const d = desired({ httpRoutes: [httpRoute('a')] });
  const p = plan(d, actual({ meshes: [] }), OPTS);
  t.deepEqual(p.errors, ['mesh m not found; create it or pass --manage-mesh']);
  t.true(isEmptyPlan(p));
  const managed = plan(d, actual({ meshes: [] }), { ...OPTS, manageMesh: true });
  t.deepEqual(
    managed.creates.map((c) => `${c.kind}/${c.id}`),
    ['meshes/m', 'httpRoutes/a'],
  );
  const phases = planPhases(managed);
  t.deepEqual(
    phases.map((ph) => ph.map((s) => `${s.action} ${s.item.kind}`)),
    [['create meshes'], ['create httpRoutes']],
  );
});

test('an unmanaged existing mesh is referenced, not modified, when managing meshes without --adopt', (t) => {
  const d = desired({ mesh: mesh({ description: 'ours' }), httpRoutes: [httpRoute('a')] });
  const p = plan(d, actual({ meshes: [mesh({ labels: {} })] }), { ...OPTS, manageMesh: true });
  t.deepEqual(
    p.refused.map((r) => `${r.kind}/${r.id}`),
    ['meshes/m'],
  );
  t.deepEqual(
    p.creates.map((c) => c.id),
    ['a'],
  );
});

test('an incomplete actual state plans nothing', (t) => {
  const p = plan(
    desired({ httpRoutes: [] }),
    actual({ httpRoutes: [httpRoute('a')], complete: false }),
    OPTS,
  );
  t.true(isEmptyPlan(p));
  t.is(p.errors.length, 1);
  t.regex(p.errors[0], /incomplete/);
});

test('the delete guard trips only when both the share and the number are exceeded', (t) => {
  const owned = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((id) => httpRoute(id));
  const keep = (n: number) => desired({ httpRoutes: owned.slice(0, n) });
  // 6 of 8 deleted: > 50% and > 5 -> refused.
  const tripped = plan(keep(2), actual({ httpRoutes: owned }), OPTS);
  t.deepEqual(tripped.deletes, []);
  t.is(tripped.refused.length, 6);
  t.regex(tripped.refused[0].reason, /would delete 6 of 8 owned.*--force-delete/);
  // 5 of 8: > 50% but not > 5 -> allowed.
  t.is(plan(keep(3), actual({ httpRoutes: owned }), OPTS).deletes.length, 5);
  // forced
  t.is(plan(keep(2), actual({ httpRoutes: owned }), { ...OPTS, forceDelete: true }).deletes.length, 6);
  // 6 of 8 with a larger allowed share -> allowed.
  t.is(plan(keep(2), actual({ httpRoutes: owned }), { ...OPTS, maxDeleteFraction: 0.8 }).deletes.length, 6);
  // absolute lowered -> 2 of 8 is still under 50%.
  t.is(plan(keep(6), actual({ httpRoutes: owned }), { ...OPTS, maxDeleteAbsolute: 0 }).deletes.length, 2);
});

test('scope limits deletes to the given parents', (t) => {
  const a = actual({ httpRoutes: [httpRoute('a'), httpRoute('b')] });
  const p = plan(desired(), a, { ...OPTS, scope: { parentKeys: ['ns-a'] } });
  t.deepEqual(
    p.deletes.map((x) => x.id),
    ['a'],
  );
});

test('duplicate desired ids are an error', (t) => {
  const p = plan(desired({ httpRoutes: [httpRoute('a'), httpRoute('a')] }), actual(), OPTS);
  t.deepEqual(p.errors, ['desired httpRoutes/a appears twice']);
});

test('phases: route deletes before route writes, mesh deletes last', (t) => {
  const p = plan(
    desired({ httpRoutes: [httpRoute('new')] }),
    actual({ httpRoutes: [httpRoute('old')] }),
    OPTS,
  );
  p.deletes.push({ kind: 'meshes', id: 'm', name: 'x', body: mesh() });
  t.deepEqual(
    planPhases(p).map((ph) => ph.map((s) => `${s.action} ${s.item.id}`)),
    [['delete old'], ['create new'], ['delete m']],
  );
});

test("the sync function's bookkeeping labels are carried over, never stripped", (t) => {
  const bookkeeping = { [LABEL_SEQUENCE]: '42', [LABEL_SNAPSHOT]: 'abc' };
  const live = asListed(
    httpRoute('a', { labels: { ...ourLabels('c1', 'ns-a'), ...bookkeeping } }),
    'httpRoutes',
  );
  t.true(isEmptyPlan(plan(desired({ httpRoutes: [httpRoute('a')] }), actual({ httpRoutes: [live] }), OPTS)));

  const changed = plan(
    desired({ httpRoutes: [httpRoute('a', { description: 'new' })] }),
    actual({ httpRoutes: [live] }),
    OPTS,
  );
  t.deepEqual(changed.updates[0].updateMask, ['description']);
  t.like(changed.updates[0].body.labels, bookkeeping, 'an update keeps the live sequence');

  const restamped = plan(
    desired({
      httpRoutes: [httpRoute('a', { labels: { ...ourLabels('c1', 'ns-a'), [LABEL_SEQUENCE]: '43' } })],
    }),
    actual({ httpRoutes: [live] }),
    OPTS,
  );
  t.deepEqual(restamped.updates[0].updateMask, ['labels'], 'a desired sequence still wins');
  t.like(restamped.updates[0].body.labels, { [LABEL_SEQUENCE]: '43', [LABEL_SNAPSHOT]: 'abc' });
});
