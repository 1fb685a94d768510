// Gateway API reference semantics (shared/gamma/refs.ts): every module that asks "does this
// parentRef name Service X" or "which Services does this route send to" gets its answer here.
import test from 'ava';
import {
  backendRefsOf,
  forEachBackendRef,
  isServiceBackendRef,
  isServiceParentRef,
  parentRefIdentity,
  parentRefNames,
  parentRefsOf,
  routeTargets,
  routeUses,
} from '../../shared/gamma/refs.ts';
import type { GRPCRoute, HTTPRoute, ParentReference } from '../../shared/gamma/types.ts';

const GW = 'gateway.networking.k8s.io';

// [title, parentRef, is a Service parent, names Service shop/cart from a route in namespace shop]
const parentTable: [string, unknown, boolean, boolean][] = [
  ['group "" + kind Service', { group: '', kind: 'Service', name: 'cart' }, true, true],
  ['group "core" (alias of "")', { group: 'core', kind: 'Service', name: 'cart' }, true, true],
  ['missing group defaults to the Gateway API group', { kind: 'Service', name: 'cart' }, false, false],
  ['explicit Gateway API group', { group: GW, kind: 'Service', name: 'cart' }, false, false],
  ['kind omitted defaults to Gateway', { group: '', name: 'cart' }, false, false],
  ['group and kind omitted: a Gateway', { name: 'cart' }, false, false],
  ['kind Gateway', { group: '', kind: 'Gateway', name: 'cart' }, false, false],
  ['other name', { group: '', kind: 'Service', name: 'other' }, true, false],
  ['namespace given, same', { group: '', kind: 'Service', name: 'cart', namespace: 'shop' }, true, true],
  ['namespace given, other', { group: '', kind: 'Service', name: 'cart', namespace: 'far' }, true, false],
  [
    'empty namespace is the route namespace',
    { group: '', kind: 'Service', name: 'cart', namespace: '' },
    true,
    true,
  ],
  ['with port', { group: '', kind: 'Service', name: 'cart', port: 8080 }, true, true],
  ['with sectionName', { group: '', kind: 'Service', name: 'cart', sectionName: 'http' }, true, true],
  ['no name', { group: '', kind: 'Service' }, false, false],
  ['not an object', null, false, false],
];

for (const [title, ref, isParent, names] of parentTable) {
  test(`parentRef: ${title}`, (t) => {
    t.is(isServiceParentRef(ref), isParent, 'isServiceParentRef');
    if (ref === null) return;
    const named = isServiceParentRef(ref) && parentRefNames(ref, 'shop', { namespace: 'shop', name: 'cart' });
    t.is(named, names, 'names Service shop/cart');
    const route = httpRoute('shop', { parentRefs: [ref as ParentReference] });
    t.is(routeTargets(route, { namespace: 'shop', name: 'cart' }), names, 'routeTargets');
  });
}

test('parentRefNames: other kinds need their own group (default gateway.networking.k8s.io)', (t) => {
  const gw = { name: 'mesh-gw', namespace: 'shop', kind: 'Gateway' };
  t.true(parentRefNames({ name: 'mesh-gw' }, 'shop', gw));
  t.true(parentRefNames({ group: GW, kind: 'Gateway', name: 'mesh-gw' }, 'shop', gw));
  t.false(parentRefNames({ group: '', kind: 'Gateway', name: 'mesh-gw' }, 'shop', gw));
  t.false(
    parentRefNames({ name: 'mesh-gw' }, 'shop', { name: 'mesh-gw', namespace: 'shop' }),
    'not a Service',
  );
  t.true(
    parentRefNames({ group: 'core', kind: 'Service', name: 'a' }, 'ns', {
      name: 'a',
      namespace: 'ns',
      group: '',
    }),
  );
});

test('parentRefIdentity: defaults applied, so the same parent written two ways is one entry', (t) => {
  const full = { group: GW, kind: 'Gateway', name: 'g', namespace: 'ns', sectionName: '', port: 0 };
  t.is(parentRefIdentity({ name: 'g' }, 'ns'), parentRefIdentity(full, 'other'));
  const svc = { group: '', kind: 'Service', name: 'a' };
  t.is(parentRefIdentity(svc, 'ns'), parentRefIdentity({ ...svc, namespace: 'ns' }, 'x'));
  t.not(parentRefIdentity(svc, 'ns'), parentRefIdentity({ ...svc, port: 80 }, 'ns'), 'port matters');
  t.not(parentRefIdentity(svc, 'ns'), parentRefIdentity({ ...svc, sectionName: 'http' }, 'ns'));
  t.not(
    parentRefIdentity(svc, 'ns'),
    parentRefIdentity({ kind: 'Service', name: 'a' }, 'ns'),
    'group matters',
  );
});

test('parentRefsOf: Service parents only, namespace defaulted, deduplicated in order', (t) => {
  const route = httpRoute('shop', {
    parentRefs: [
      { group: '', kind: 'Service', name: 'b', port: 80 },
      { kind: 'Service', name: 'not-a-service' },
      { group: '', kind: 'Service', name: 'a', namespace: 'far' },
      { group: 'core', kind: 'Service', name: 'b', port: 8080 },
      { name: 'gateway' },
    ],
  });
  t.deepEqual(parentRefsOf(route), [
    { namespace: 'shop', name: 'b' },
    { namespace: 'far', name: 'a' },
  ]);
});

// [title, backendRef, names a Service]
const backendTable: [string, unknown, boolean][] = [
  ['group and kind omitted: a core Service', { name: 'a' }, true],
  ['group ""', { group: '', name: 'a' }, true],
  ['kind Service', { kind: 'Service', name: 'a' }, true],
  ['group "core" is not an alias for backends', { group: 'core', name: 'a' }, false],
  ['another group', { group: 'example.com', kind: 'Service', name: 'a' }, false],
  ['another kind', { kind: 'ServiceImport', name: 'a' }, false],
  ['no name', { kind: 'Service' }, false],
  ['empty name', { name: '' }, false],
  ['not an object', 'a', false],
];

for (const [title, ref, isService] of backendTable) {
  test(`backendRef: ${title}`, (t) => {
    t.is(isServiceBackendRef(ref), isService);
  });
}

const mirror = (backendRef: unknown) => ({ type: 'RequestMirror', requestMirror: { backendRef } });

test('forEachBackendRef: backendRefs, then rule mirrors, then backendRef mirrors, rule by rule', (t) => {
  const seen: unknown[] = [];
  forEachBackendRef(
    [
      {
        filters: [mirror({ name: 'rule-mirror' }), { type: 'RequestHeaderModifier', requestMirror: {} }],
        backendRefs: [{ name: 'b1', filters: [mirror({ name: 'b1-mirror' })] }, 'junk', { name: 'b2' }],
      },
      null,
      { backendRefs: [{ name: 'second-rule' }] },
      { filters: [mirror(undefined)] },
    ],
    (ref) => seen.push(ref),
  );
  t.deepEqual(seen, [
    { name: 'b1', filters: [mirror({ name: 'b1-mirror' })] },
    { name: 'b2' },
    { name: 'rule-mirror' },
    { name: 'b1-mirror' },
    { name: 'second-rule' },
    undefined,
  ]);
  forEachBackendRef(undefined, () => t.fail('no rules, no visits'));
});

test('backendRefsOf / routeUses: every Service a route sends or mirrors to (HTTPRoute and GRPCRoute)', (t) => {
  const rules = [
    {
      filters: [mirror({ name: 'm1' })],
      backendRefs: [
        { name: 'a', port: 80 },
        { name: 'b', namespace: 'far', filters: [mirror({ name: 'm2', namespace: 'far' })] },
        { name: 'gw', group: 'example.com', kind: 'Backend' },
        { name: 'a', port: 8080 },
      ],
    },
  ];
  const expected = [
    { namespace: 'shop', name: 'a' },
    { namespace: 'far', name: 'b' },
    { namespace: 'shop', name: 'm1' },
    { namespace: 'far', name: 'm2' },
  ];
  for (const route of [httpRoute('shop', { rules }), grpcRoute('shop', { rules })]) {
    t.deepEqual(backendRefsOf(route), expected, route.kind);
    t.true(routeUses(route, { namespace: 'far', name: 'm2' }), `${route.kind} mirrors to far/m2`);
    t.false(routeUses(route, { namespace: 'shop', name: 'gw' }), 'another kind is not a Service');
  }
});

function httpRoute(namespace: string, spec: object): HTTPRoute {
  return {
    apiVersion: `${GW}/v1`,
    kind: 'HTTPRoute',
    metadata: { name: 'r', namespace },
    spec,
  } as HTTPRoute;
}

function grpcRoute(namespace: string, spec: object): GRPCRoute {
  return { ...httpRoute(namespace, spec), kind: 'GRPCRoute' } as unknown as GRPCRoute;
}
