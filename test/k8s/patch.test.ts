// Pure patch and selector semantics of the stand-in (no server).
import test from 'ava';
import { applyParents, jsonPatch, mergePatch, strategicMergePatch } from '../../infra/local/k8s/patch.ts';
import { matches, parseSelector } from '../../infra/local/k8s/selectors.ts';

test('merge patch: null deletes, objects merge, lists replace', (t) => {
  t.deepEqual(mergePatch({ a: 1, b: { c: 2, d: 3 }, l: [1, 2] }, { a: null, b: { c: 9 }, l: [3] }), {
    b: { c: 9, d: 3 },
    l: [3],
  });
});

test('strategic merge (light): lists with $setElementOrder merge by key and follow the order', (t) => {
  const current = {
    spec: {
      ports: [
        { port: 80, name: 'http' },
        { port: 9090, name: 'grpc' },
      ],
    },
  };
  const patch = {
    spec: {
      $setElementOrder: undefined,
      '$setElementOrder/ports': [{ port: 80 }, { port: 9091 }],
      ports: [
        { port: 9091, name: 'grpc' },
        { port: 9090, $patch: 'delete' },
      ],
    },
  };
  t.deepEqual(strategicMergePatch(current, JSON.parse(JSON.stringify(patch))), {
    spec: {
      ports: [
        { port: 80, name: 'http' },
        { port: 9091, name: 'grpc' },
      ],
    },
  });
});

test('JSON patch: add, replace, remove, test, move; failures are errors', (t) => {
  const doc = { metadata: { labels: { a: '1' } }, spec: { l: [1, 2] } };
  const out = jsonPatch(doc, [
    { op: 'add', path: '/metadata/labels/b', value: '2' },
    { op: 'replace', path: '/metadata/labels/a', value: 'x' },
    { op: 'add', path: '/spec/l/-', value: 3 },
    { op: 'remove', path: '/spec/l/0' },
    { op: 'test', path: '/spec/l/0', value: 2 },
    { op: 'move', from: '/metadata/labels/b', path: '/metadata/labels/c' },
  ]);
  t.deepEqual(out, { metadata: { labels: { a: 'x', c: '2' } }, spec: { l: [2, 3] } });
  t.throws(() => jsonPatch(doc, [{ op: 'test', path: '/spec/l/0', value: 9 }]), { message: /test failed/ });
  t.throws(() => jsonPatch(doc, [{ op: 'replace', path: '/nope/x', value: 1 }]), {
    message: /does not exist/,
  });
  t.throws(() => jsonPatch(doc, { op: 'add' }), { message: /array/ });
});

test('applyParents: a manager owns its entries, removes what it stops applying, and conflicts without force', (t) => {
  const e = (ctl: string, name = 'svc', reason = 'R') => ({
    parentRef: { kind: 'Service', group: '', name },
    controllerName: ctl,
    conditions: [{ reason }],
  });
  let state = applyParents([], [e('a')], new Map(), 'ma', false);
  state = applyParents(state.parents, [e('b')], state.owners, 'mb', false);
  t.deepEqual(state.parents, [e('a'), e('b')]);
  const moved = applyParents(state.parents, [e('a', 'other')], state.owners, 'ma', false);
  t.deepEqual(moved.parents, [e('b'), e('a', 'other')]);
  const clash = applyParents(state.parents, [e('b', 'svc', 'X')], state.owners, 'ma', false);
  t.is(clash.conflicts.length, 1);
  const forced = applyParents(state.parents, [e('a'), e('b', 'svc', 'X')], state.owners, 'ma', true);
  t.deepEqual(forced.conflicts, []);
  t.deepEqual(forced.parents, [e('a'), e('b', 'svc', 'X')]);
  t.false(forced.owners.has('mb'), 'force took the entry over');
});

test('label selector parsing and matching', (t) => {
  const m = (s: string, l: Record<string, string>) => matches(parseSelector(s), l);
  t.true(m('a=1,b!=2', { a: '1', b: '3' }));
  t.false(m('a in (1, 2)', { a: '3' }));
  t.true(m('a notin (1),!c', { b: 'x' }));
  t.true(m('', {}));
  t.throws(() => parseSelector('a in b'));
});
