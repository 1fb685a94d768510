import test from 'ava';
import fc from 'fast-check';
import { compareSequences, isStale, sequenceOf, stripForTransport } from '../../shared/events/index.ts';
import {
  decodeReconcileTick,
  encodeReconcileTick,
  RECONCILE_TICK_SCHEMA,
} from '../../shared/events/index.ts';

const obj = (rv?: string) => ({ metadata: rv === undefined ? {} : { resourceVersion: rv } });

test('sequenceOf is the max of object resourceVersions and the list resourceVersion', (t) => {
  t.is(sequenceOf([obj('5'), obj('17'), obj('9')], '12'), '17');
  t.is(sequenceOf([obj('5')], '30'), '30');
  t.is(sequenceOf([], '30'), '30');
  t.is(sequenceOf([obj('opaque-v1'), obj(), obj('8')]), '8');
  t.is(sequenceOf([]), '0');
  // Larger than 2^53: compared exactly.
  t.is(sequenceOf([obj('9007199254740993'), obj('9007199254740992')]), '9007199254740993');
});

test('a deletion keeps the sequence growing through the list resourceVersion', (t) => {
  const before = sequenceOf([obj('100'), obj('120')], '120');
  // The object at 120 is deleted at revision 130: the snapshot shrinks, the list RV covers the delete.
  const after = sequenceOf([obj('100')], '130');
  t.true(isStale(after, before));
  t.false(isStale(before, after));
});

test('isStale compares numerically, not lexically', (t) => {
  t.true(isStale('10', '9'));
  t.false(isStale('9', '10'));
  t.false(isStale('10', '10'), 'equal sequences are re-applied (idempotent)');
  t.false(isStale(undefined, '1'));
  t.false(isStale('abc', '1'), 'opaque lastApplied: process the event');
  t.false(isStale('5', 'abc'), 'opaque incoming: process the event');
  t.false(isStale('05', '4'), 'non-canonical values are treated as opaque');
});

test('isStale agrees with BigInt order for any pair', (t) => {
  fc.assert(
    fc.property(fc.bigInt({ min: 0n, max: 2n ** 80n }), fc.bigInt({ min: 0n, max: 2n ** 80n }), (a, b) => {
      return (
        isStale(a.toString(), b.toString()) === b < a &&
        compareSequences(a.toString(), b.toString()) === (a < b ? -1 : a > b ? 1 : 0)
      );
    }),
  );
  t.pass();
});

test('stripForTransport drops managedFields, last-applied and Service status, keeps route status', (t) => {
  const svc = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: 'a',
      namespace: 'n',
      resourceVersion: '3',
      managedFields: [{ manager: 'kubectl' }],
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}', keep: 'me' },
    },
    spec: { ports: [{ port: 80 }] },
    status: { loadBalancer: {} },
  };
  const out = stripForTransport(svc);
  t.deepEqual(out, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'a', namespace: 'n', resourceVersion: '3', annotations: { keep: 'me' } },
    spec: { ports: [{ port: 80 }] },
  });
  t.truthy(svc.metadata.managedFields, 'input is not mutated');
  const route = {
    kind: 'HTTPRoute',
    metadata: { name: 'r', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' } },
    status: { parents: [] },
  };
  t.deepEqual(stripForTransport(route), {
    kind: 'HTTPRoute',
    metadata: { name: 'r' },
    status: { parents: [] },
  });
  t.is(stripForTransport(null), null);
});

test('reconcile ticks accept any body', (t) => {
  const d = { schema: RECONCILE_TICK_SCHEMA };
  t.deepEqual(decodeReconcileTick(undefined), d);
  t.deepEqual(decodeReconcileTick(''), d);
  t.deepEqual(decodeReconcileTick(Buffer.from('hello')), d);
  t.deepEqual(decodeReconcileTick('%%%'), d);
  t.deepEqual(decodeReconcileTick(Buffer.from('{"cluster":"c1","dryRun":true}')), {
    ...d,
    cluster: 'c1',
    dryRun: true,
  });
  t.deepEqual(decodeReconcileTick(encodeReconcileTick({ cluster: 'c2' }).toString('base64')), {
    ...d,
    cluster: 'c2',
  });
  fc.assert(
    fc.property(fc.uint8Array(), (b) => decodeReconcileTick(Buffer.from(b)).schema === RECONCILE_TICK_SCHEMA),
  );
});
