// writeRouteStatuses against the stand-in: other controllers' entries survive, observedGeneration is
// set, unchanged statuses cost no PATCH, conflicts are retried on a fresh read.
import test from 'ava';
import { makeKubeConfig, mergeParentStatuses, writeRouteStatuses } from '../../shared/cluster/index.ts';
import type { RouteParentStatus } from '../../shared/gamma/types.ts';
import type { RouteStatusEntry } from '../../shared/translate/types.ts';
import type { KubeObj } from '../../infra/local/k8s/index.ts';
import { emulatorWithClient, grpcRoute, httpRoute } from '../k8s/support.ts';

const CONTROLLER = 'gamma-csm.dev/controller';
const { emu } = await emulatorWithClient();
const kc = makeKubeConfig({ kubeconfigPath: emu.kubeconfigPath });
test.after.always(() => emu.close());

const svcRef = (name: string, port = 80) => ({ group: '', kind: 'Service', name, port });
const theirs: RouteParentStatus = {
  parentRef: svcRef('reviews'),
  controllerName: 'istio.io/gateway-controller',
  conditions: [
    {
      type: 'Accepted',
      status: 'True',
      reason: 'Accepted',
      message: 'istio',
      lastTransitionTime: '2020-01-01T00:00:00Z',
    },
  ],
};
const accepted = (status: 'True' | 'False', message = 'ok') => [
  { type: 'Accepted', status, reason: status === 'True' ? 'Accepted' : 'UnsupportedValue', message },
  { type: 'ResolvedRefs', status: 'True' as const, reason: 'ResolvedRefs', message: '' },
];
const entry = (
  name: string,
  parents: RouteStatusEntry['parents'],
  kind: RouteStatusEntry['kind'] = 'HTTPRoute',
): RouteStatusEntry => ({ kind, namespace: 'default', name, parents });
const statusPatches = () =>
  emu.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith('/status')).length;
const parentsOf = (kind: string, name: string) =>
  (emu.getObject(kind, 'default', name) as KubeObj).status?.parents as RouteParentStatus[];

function seed(name: string): void {
  const r = emu.apply(httpRoute(name, 'reviews'));
  emu.apply({ ...r, status: { parents: [theirs] } });
}

test.serial(
  'writes our entry, keeps the other controller’s, sets observedGeneration; no PATCH when nothing changed',
  async (t) => {
    seed('r1');
    emu.apply({
      ...httpRoute('r1', 'reviews'),
      spec: { ...(httpRoute('r1', 'reviews').spec as object), hostnames: ['a.example'] },
    }); // generation 2
    const opts = { controllerName: CONTROLLER, fieldManager: 'gamma-csm' };
    const before = statusPatches();
    const first = await writeRouteStatuses(
      kc,
      [
        entry('r1', [
          { parentRef: svcRef('reviews'), controllerName: CONTROLLER, conditions: accepted('True') },
        ]),
      ],
      opts,
    );
    t.deepEqual(first, { written: 1, skipped: 0, failed: [] });
    const parents = parentsOf('HTTPRoute', 'r1');
    t.deepEqual(parents[0], theirs);
    t.is(parents[1].controllerName, CONTROLLER);
    t.true(
      parents[1].conditions.every(
        (c) => c.observedGeneration === 2 && typeof c.lastTransitionTime === 'string',
      ),
    );
    const stamp = parents[1].conditions[0].lastTransitionTime;

    await new Promise((r) => setTimeout(r, 1100)); // a later second, so a new timestamp would differ
    const again = await writeRouteStatuses(
      kc,
      [
        entry('r1', [
          { parentRef: svcRef('reviews'), controllerName: CONTROLLER, conditions: accepted('True') },
        ]),
      ],
      opts,
    );
    t.deepEqual(again, { written: 0, skipped: 1, failed: [] });
    t.is(statusPatches(), before + 1, 'the unchanged status caused no PATCH');

    const msg = await writeRouteStatuses(
      kc,
      [
        entry('r1', [
          {
            parentRef: svcRef('reviews'),
            controllerName: CONTROLLER,
            conditions: accepted('True', 'new message'),
          },
        ]),
      ],
      opts,
    );
    t.is(msg.written, 1);
    t.is(
      parentsOf('HTTPRoute', 'r1')[1].conditions[0].lastTransitionTime,
      stamp,
      'same status: lastTransitionTime kept',
    );
    await writeRouteStatuses(
      kc,
      [
        entry('r1', [
          {
            parentRef: svcRef('reviews'),
            controllerName: CONTROLLER,
            conditions: accepted('False', 'now rejected'),
          },
        ]),
      ],
      opts,
    );
    const flipped = parentsOf('HTTPRoute', 'r1')[1].conditions;
    t.not(flipped[0].lastTransitionTime, stamp, 'status changed: new lastTransitionTime');
    t.is(flipped[1].lastTransitionTime, stamp, 'the other condition kept its time');
    t.deepEqual(parentsOf('HTTPRoute', 'r1')[0], theirs);
  },
);

test.serial('a parentRef we no longer answer for is removed; theirs stays', async (t) => {
  seed('r2');
  const opts = { controllerName: CONTROLLER };
  await writeRouteStatuses(
    kc,
    [
      entry('r2', [
        { parentRef: svcRef('reviews'), controllerName: CONTROLLER, conditions: accepted('True') },
        { parentRef: svcRef('ratings'), controllerName: CONTROLLER, conditions: accepted('True') },
      ]),
    ],
    opts,
  );
  t.is(parentsOf('HTTPRoute', 'r2').length, 3);
  await writeRouteStatuses(
    kc,
    [
      entry('r2', [
        { parentRef: svcRef('ratings'), controllerName: CONTROLLER, conditions: accepted('True') },
      ]),
    ],
    opts,
  );
  const parents = parentsOf('HTTPRoute', 'r2');
  t.deepEqual(
    parents.map((p) => `${p.controllerName} ${p.parentRef.name}`),
    [`${theirs.controllerName} reviews`, `${CONTROLLER} ratings`],
  );
  await writeRouteStatuses(kc, [entry('r2', [])], opts);
  t.deepEqual(parentsOf('HTTPRoute', 'r2'), [theirs]);
});

test.serial(
  '409 Conflict between read and write is retried on a fresh read; missing routes are skipped',
  async (t) => {
    seed('r3');
    emu.apply(grpcRoute('g1', 'reviews'));
    let interfered = false;
    emu.onRequest = (e) => {
      if (!interfered && e.method === 'PATCH' && e.path.endsWith('/httproutes/r3/status')) {
        interfered = true;
        // another controller writes between our read and our patch
        const cur = emu.getObject('HTTPRoute', 'default', 'r3') as KubeObj;
        const other = { ...theirs, conditions: [{ ...theirs.conditions[0], message: 'istio v2' }] };
        emu.apply({ ...cur, status: { parents: [other] } });
      }
    };
    const before = statusPatches();
    const res = await writeRouteStatuses(
      kc,
      [
        entry('r3', [
          { parentRef: svcRef('reviews'), controllerName: CONTROLLER, conditions: accepted('True') },
        ]),
        entry(
          'g1',
          [{ parentRef: svcRef('reviews'), controllerName: CONTROLLER, conditions: accepted('True') }],
          'GRPCRoute',
        ),
        entry('gone', [
          { parentRef: svcRef('reviews'), controllerName: CONTROLLER, conditions: accepted('True') },
        ]),
      ],
      { controllerName: CONTROLLER },
    );
    emu.onRequest = undefined;
    t.deepEqual(res, { written: 2, skipped: 1, failed: [] });
    t.is(statusPatches() - before, 3, 'r3 patched twice (409 then success), g1 once');
    const parents = parentsOf('HTTPRoute', 'r3');
    t.is(parents[0].conditions[0].message, 'istio v2', 'the concurrent writer’s entry survived');
    t.is(parents[1].controllerName, CONTROLLER);
    t.is(parentsOf('GRPCRoute', 'g1')[0].controllerName, CONTROLLER);
  },
);

test.serial(
  'onlyParents: two parents of one route written concurrently both end correct; our stale entries go',
  async (t) => {
    const both = httpRoute('r5', 'reviews');
    const spec = both.spec as { parentRefs: unknown[] };
    emu.apply({ ...both, spec: { ...spec, parentRefs: [svcRef('reviews'), svcRef('ratings')] } });
    const cur = emu.getObject('HTTPRoute', 'default', 'r5') as KubeObj;
    const ours = (name: string, status: 'True' | 'False', message = 'old') => ({
      parentRef: svcRef(name),
      controllerName: CONTROLLER,
      conditions: accepted(status, message),
    });
    // Before: stale entries of ours for both parents, one for a parentRef the route no longer has, theirs.
    emu.apply({
      ...cur,
      status: { parents: [ours('reviews', 'False'), theirs, ours('ratings', 'False'), ours('gone', 'True')] },
    });
    // Both writers read the same version before either patches: one meets 409 and retries.
    let reads = 0;
    let release: () => void = () => {};
    const barrier = new Promise<void>((r) => (release = r));
    emu.onRequest = async (e) => {
      if (e.method !== 'GET' || !e.path.endsWith('/httproutes/r5/status') || reads >= 2) return;
      if (++reads === 2) release();
      await barrier;
    };
    const write = (name: string) =>
      writeRouteStatuses(kc, [entry('r5', [ours(name, 'True', `from ${name}`)])], {
        controllerName: CONTROLLER,
        onlyParents: [{ namespace: 'default', name }],
      });
    const conflictsBefore = emu.requests.filter((r) => r.method === 'PATCH' && r.status === 409).length;
    const results = await Promise.all([write('reviews'), write('ratings')]);
    emu.onRequest = undefined;
    t.deepEqual(results, [
      { written: 1, skipped: 0, failed: [] },
      { written: 1, skipped: 0, failed: [] },
    ]);
    const conflicts = emu.requests.filter((r) => r.method === 'PATCH' && r.status === 409).length;
    t.is(conflicts - conflictsBefore, 1, 'the writers did race');
    const parents = parentsOf('HTTPRoute', 'r5');
    t.deepEqual(
      parents.map((p) => [
        p.parentRef.name,
        p.controllerName,
        p.conditions[0].status,
        p.conditions[0].message,
      ]),
      [
        ['reviews', CONTROLLER, 'True', 'from reviews'],
        ['reviews', theirs.controllerName, 'True', 'istio'],
        ['ratings', CONTROLLER, 'True', 'from ratings'],
      ],
      'both entries current, theirs in place, ours for the dropped parentRef removed',
    );
  },
);

test('mergeParentStatuses with onlyParents ignores entries outside the scope and keeps ours for other parents', (t) => {
  const mine = (name: string, status: 'True' | 'False') => ({
    parentRef: svcRef(name),
    controllerName: CONTROLLER,
    conditions: accepted(status),
  });
  const now = '2026-01-01T00:00:00Z';
  const out = mergeParentStatuses(
    [mine('a', 'False'), mine('b', 'False')],
    [mine('a', 'True'), mine('b', 'True')],
    {
      controllerName: CONTROLLER,
      routeNamespace: 'default',
      now,
      onlyParents: [{ namespace: 'default', name: 'a' }],
      parentRefs: [svcRef('a'), svcRef('b')],
    },
  );
  t.deepEqual(
    out.map((p) => [p.parentRef.name, p.conditions[0].status]),
    [
      ['a', 'True'],
      ['b', 'False'],
    ],
  );
  const gateway = { parentRef: { name: 'a' }, controllerName: CONTROLLER, conditions: accepted('False') };
  t.deepEqual(
    mergeParentStatuses([gateway], [], {
      controllerName: CONTROLLER,
      routeNamespace: 'default',
      now,
      onlyParents: [{ namespace: 'default', name: 'a' }],
    }),
    [gateway],
    'a Gateway named like the Service is another parent',
  );
  // Before shared/gamma/refs.ts this scope check treated a missing group as core: such an entry was
  // rewritten (here: removed) by a sync of Service a. It names a Gateway-group object, so it is kept.
  const groupless = {
    parentRef: { kind: 'Service', name: 'a' },
    controllerName: CONTROLLER,
    conditions: accepted('False'),
  };
  t.deepEqual(
    mergeParentStatuses([groupless], [], {
      controllerName: CONTROLLER,
      routeNamespace: 'default',
      now,
      onlyParents: [{ namespace: 'default', name: 'a' }],
    }),
    [groupless],
    'kind Service without group is not the Service',
  );
  const core = { ...groupless, parentRef: { group: 'core', kind: 'Service', name: 'a' } };
  t.deepEqual(
    mergeParentStatuses([core], [], {
      controllerName: CONTROLLER,
      routeNamespace: 'default',
      now,
      onlyParents: [{ namespace: 'default', name: 'a' }],
    }),
    [],
    'group core is the Service: our stale entry for it goes',
  );
});

test.serial('failures are values naming the route', async (t) => {
  seed('r4');
  emu.goDown(300);
  const res = await writeRouteStatuses(
    kc,
    [
      entry('r4', [
        { parentRef: svcRef('reviews'), controllerName: CONTROLLER, conditions: accepted('True') },
      ]),
    ],
    { controllerName: CONTROLLER },
  );
  t.is(res.failed.length, 1);
  t.like(res.failed[0], { kind: 'HTTPRoute', namespace: 'default', name: 'r4', code: 503 });
  t.regex(res.failed[0].error, /HTTP 503/);
  await new Promise((r) => setTimeout(r, 350));
});

test('mergeParentStatuses keeps positions of foreign entries and defaults parentRef fields for identity', (t) => {
  const ours = {
    parentRef: { group: '', kind: 'Service', name: 'a', namespace: 'default', port: 80 },
    controllerName: CONTROLLER,
    conditions: [],
  };
  const current: RouteParentStatus[] = [
    { ...ours, parentRef: { group: '', kind: 'Service', name: 'a', port: 80 } },
    theirs,
  ];
  const out = mergeParentStatuses(current, [ours], {
    controllerName: CONTROLLER,
    routeNamespace: 'default',
    generation: 3,
    now: 'T',
  });
  t.is(out.length, 2, 'namespace defaulted to the route namespace: same entry, replaced in place');
  t.is(out[0].controllerName, CONTROLLER);
  t.deepEqual(out[1], theirs);
});
