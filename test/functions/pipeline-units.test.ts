// The pure parts of shared/pipeline: envelope decoding, failure classes, freshness, status scoping,
// sequence labels and log lines.
import test from 'ava';
import { ApiError } from '../../shared/netsvc/errors.ts';
import { ROUTE_EVENT_SCHEMA } from '../../shared/events/index.ts';
import type { RouteEvent } from '../../shared/events/index.ts';
import type { HTTPRoute, Service } from '../../shared/gamma/types.ts';
import type { Plan } from '../../shared/plan/index.ts';
import type { Desired, RouteStatusEntry } from '../../shared/translate/types.ts';
import { MAX_CONDITION_MESSAGE } from '../../shared/translate/status.ts';
import {
  LABEL_SEQUENCE,
  LABEL_SNAPSHOT,
  LABELS_KEY,
  applyFailureKind,
  candidatePorts,
  carrySequences,
  checkFreshness,
  failureKind,
  formatLogLine,
  markRejectedPorts,
  pubsubMessageOf,
  statusesForParent,
  snapshotDigest,
  stampWrites,
} from '../../shared/pipeline/index.ts';
import type { LiveObjects } from '../../shared/pipeline/index.ts';

const CTRL = 'gamma-csm.dev/controller';

function svc(name: string, ports = [80], uid = `uid-${name}`): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'ns', uid, resourceVersion: '5' },
    spec: { ports: ports.map((port) => ({ port })) },
  };
}

function route(name: string, parents: string[], extra: Partial<HTTPRoute['metadata']> = {}): HTTPRoute {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name, namespace: 'ns', uid: `uid-${name}`, resourceVersion: '7', ...extra },
    spec: {
      parentRefs: parents.map((p) => ({ group: '', kind: 'Service', name: p, port: 80 })),
      rules: [{}],
    },
  } as HTTPRoute;
}

function event(services: Service[], routes: HTTPRoute[], extra: Partial<RouteEvent> = {}): RouteEvent {
  return {
    schema: ROUTE_EVENT_SCHEMA,
    cluster: 'c1',
    parent: { namespace: 'ns', name: 'a' },
    sequence: '10',
    emittedAt: '2026-01-01T00:00:00Z',
    reason: [],
    snapshot: { services, httpRoutes: routes, grpcRoutes: [] },
    ...extra,
  };
}

const live = (service: Service | null, routes: [string, HTTPRoute | null][]): LiveObjects => ({
  service,
  routes: new Map(routes.map(([k, r]) => [`HTTPRoute ns/${k}`, r])),
});

test('pubsubMessageOf reads Eventarc envelopes and rejects others as values', (t) => {
  const ok = pubsubMessageOf({
    id: 'ce1',
    data: { message: { data: 'e30=', message_id: '42', attributes: { a: 'b', n: 1 } } },
  });
  t.deepEqual(ok, { ok: true, message: { data: 'e30=', attributes: { a: 'b' }, messageId: '42' } });
  const text = pubsubMessageOf({ id: 'ce2', data: JSON.stringify({ message: { messageId: '7' } }) });
  t.like(text, { ok: true, message: { data: '', messageId: '7' } });
  t.like(pubsubMessageOf({ id: 'ce3', data: { nothing: true } }), { ok: false, messageId: 'ce3' });
  t.like(pubsubMessageOf({ id: 'ce4', data: '{bad' }), { ok: false, error: 'CloudEvent data is not JSON' });
  t.like(pubsubMessageOf({ id: 'ce5', data: { message: { data: 5 } } }), { ok: false });
});

test('only 400 answers are permanent', (t) => {
  t.is(applyFailureKind({ failure: 'permanent' }), 'permanent');
  t.is(applyFailureKind({ failure: 'transient' }), 'transient');
  t.is(applyFailureKind({}), 'transient', 'a skipped item is retried');
  t.is(failureKind(new ApiError(400, 'INVALID_ARGUMENT', 'bad', 't')), 'permanent');
  t.is(failureKind(new ApiError(429, 'RESOURCE_EXHAUSTED', 'slow down', 't')), 'transient');
  t.is(failureKind(new Error('boom')), 'transient');
});

test('checkFreshness: same content is fresh even when resourceVersions moved (our status writes)', (t) => {
  const e = event([svc('a')], [route('r', ['a'])]);
  t.deepEqual(checkFreshness(e, live(svc('a'), [['r', route('r', ['a'], { resourceVersion: '99' })]])), {
    fresh: true,
  });
  t.like(checkFreshness(e, live(null, [['r', route('r', ['a'])]])), {
    fresh: false,
    why: 'Service ns/a no longer exists',
  });
  t.like(checkFreshness(e, live(svc('a'), [['r', null]])), {
    fresh: false,
    why: 'HTTPRoute ns/r no longer exists',
  });
  t.like(checkFreshness(e, live(svc('a', [80, 81]), [['r', route('r', ['a'])]])), { fresh: false });
  t.like(checkFreshness(e, live(svc('a', [80], 'other-uid'), [['r', route('r', ['a'])]])), { fresh: false });
  t.like(checkFreshness(e, live(svc('a'), [['r', route('r', ['a', 'b'])]])), {
    fresh: false,
    why: 'HTTPRoute ns/r has changed since the snapshot',
  });
  t.like(checkFreshness(event([], []), live(svc('a'), [])), { fresh: false });
  t.deepEqual(checkFreshness(event([], []), live(null, [])), { fresh: true });
});

test('snapshotDigest ignores resourceVersions and status but not content', (t) => {
  const base = snapshotDigest(event([svc('a')], [route('r', ['a'])]));
  t.is(snapshotDigest(event([svc('a')], [route('r', ['a'], { resourceVersion: '123' })])), base);
  t.not(snapshotDigest(event([svc('a')], [route('r', ['a', 'b'])])), base);
  t.not(snapshotDigest(event([svc('a')], [route('r', ['a']), route('r2', ['a'])])), base);
  t.regex(base, /^[0-9a-f]{16}$/);
});

test('candidatePorts: Service ports, previous ports and ports named by routes', (t) => {
  t.deepEqual(
    candidatePorts(event([svc('a', [8080, 80])], [route('r', ['a'])], { previousPorts: [9000] })),
    [80, 8080, 9000],
  );
  t.deepEqual(candidatePorts(event([], [], { previousPorts: [81] })), [81]);
});

test('candidatePorts: a parentRef without group names a Gateway-group object, not the Service', (t) => {
  // Before shared/gamma/refs.ts this copy treated a missing group as core and added port 9090.
  const groupless = route('r', []);
  groupless.spec.parentRefs = [
    { kind: 'Service', name: 'a', port: 9090 },
    { group: 'core', kind: 'Service', name: 'a', port: 8443 },
    { group: '', kind: 'Service', name: 'a', namespace: 'other', port: 7000 },
  ];
  t.deepEqual(candidatePorts(event([svc('a', [80])], [groupless])), [80, 8443]);
});

test("statusesForParent keeps only this parent's refs, and only for routes that still exist", (t) => {
  const cond = (status: 'True' | 'False') => [{ type: 'Accepted', status, reason: 'Accepted', message: '' }];
  const ref = (name: string) => ({ group: '', kind: 'Service', name, port: 80 });
  const entry: RouteStatusEntry = {
    kind: 'HTTPRoute',
    namespace: 'ns',
    name: 'r',
    parents: [
      { parentRef: ref('a'), controllerName: CTRL, conditions: cond('True') },
      { parentRef: ref('b'), controllerName: CTRL, conditions: cond('False') }, // computed without b's Service
    ],
  };
  const other: RouteStatusEntry = { ...entry, name: 'only-b', parents: [entry.parents[1]] };
  const out = statusesForParent(
    [entry, other],
    live(svc('a'), [
      ['r', route('r', ['a', 'b'])],
      ['only-b', route('only-b', ['b'])],
    ]),
    { namespace: 'ns', name: 'a' },
  );
  t.deepEqual(
    out.map((e) => [e.name, e.parents.map((p) => p.parentRef.name)]),
    [['r', ['a']]],
  );
  t.deepEqual(statusesForParent([entry], live(svc('a'), [['r', null]]), { namespace: 'ns', name: 'a' }), []);
});

test('markRejectedPorts turns Accepted False only for the parent and ports concerned', (t) => {
  const entry: RouteStatusEntry = {
    kind: 'HTTPRoute',
    namespace: 'ns',
    name: 'r',
    parents: [
      {
        parentRef: { kind: 'Service', group: '', name: 'a', port: 80 },
        controllerName: CTRL,
        conditions: [
          { type: 'Accepted', status: 'True', reason: 'Accepted', message: '' },
          { type: 'ResolvedRefs', status: 'True', reason: 'ResolvedRefs', message: '' },
        ],
      },
      {
        parentRef: { kind: 'Service', group: '', name: 'a', port: 81 },
        controllerName: CTRL,
        conditions: [{ type: 'Accepted', status: 'True', reason: 'Accepted', message: '' }],
      },
      {
        parentRef: { kind: 'Service', group: '', name: 'b', port: 80 },
        controllerName: CTRL,
        conditions: [{ type: 'Accepted', status: 'True', reason: 'Accepted', message: '' }],
      },
    ],
  };
  const [out] = markRejectedPorts(
    [entry],
    { namespace: 'ns', name: 'a' },
    new Map([[80, '400 INVALID_ARGUMENT: no']]),
  );
  const accepted = out.parents.map((p) => p.conditions.find((c) => c.type === 'Accepted'));
  t.like(accepted[0], { status: 'False', reason: 'UnsupportedValue' });
  t.regex(accepted[0]?.message ?? '', /400 INVALID_ARGUMENT: no/);
  t.is(accepted[1]?.status, 'True');
  t.is(accepted[2]?.status, 'True');
  t.truthy(out.parents[0].conditions.find((c) => c.type === 'ResolvedRefs'));
  const [long] = markRejectedPorts(
    [entry],
    { namespace: 'ns', name: 'a' },
    new Map([[80, 'x'.repeat(MAX_CONDITION_MESSAGE)]]),
  );
  t.is(long.parents[0].conditions.at(-1)?.message.length, MAX_CONDITION_MESSAGE, 'cut to the API limit');
});

test('sequence labels: carried when unchanged, stamped on writes, never lowered', (t) => {
  const name = 'projects/p/locations/global/httpRoutes/r1';
  const desired: Desired = {
    mesh: {},
    httpRoutes: [
      { name, labels: { a: 'b' } },
      { name: `${name}-new`, labels: {} as Record<string, string> },
    ],
    grpcRoutes: [],
    tcpRoutes: [],
    tlsRoutes: [],
    backends: [],
    statuses: [],
  };
  const actual = {
    meshes: [],
    httpRoutes: [{ name, labels: { a: 'b', [LABEL_SEQUENCE]: '50', [LABEL_SNAPSHOT]: 'd1' } }],
    grpcRoutes: [],
    tcpRoutes: [],
    tlsRoutes: [],
    complete: true,
  };
  const carried = carrySequences(desired, actual, { sequence: '60', digest: 'd2' });
  t.deepEqual(carried.httpRoutes[0].labels, { a: 'b', [LABEL_SEQUENCE]: '50', [LABEL_SNAPSHOT]: 'd1' });
  t.deepEqual(carried.httpRoutes[1].labels, { [LABEL_SEQUENCE]: '60', [LABEL_SNAPSHOT]: 'd2' });
  const plan: Plan = {
    creates: [
      { kind: 'httpRoutes', id: 'x', name: 'x', body: { name: 'x', labels: { [LABEL_SEQUENCE]: '90' } } },
    ],
    updates: [
      { kind: 'httpRoutes', id: 'y', name: 'y', body: { name: 'y' }, updateMask: ['rules'], diff: [] },
    ],
    deletes: [],
    refused: [],
    unchanged: 0,
    errors: [],
  };
  const stamped = stampWrites(plan, '70');
  t.is(stamped.creates[0].body.labels?.[LABEL_SEQUENCE], '90', 'never lowered');
  t.is(stamped.updates[0].body.labels?.[LABEL_SEQUENCE], '70');
  t.deepEqual(stamped.updates[0].updateMask, ['rules', 'labels']);
});

test('log lines: JSON with severity and Cloud Logging labels, or text', (t) => {
  const when = new Date('2026-01-02T03:04:05Z');
  const json = JSON.parse(
    formatLogLine('json', when, 'WARNING', 'hi', { parent: 'c/ns/a', eventId: '9' }, { n: 1 }),
  ) as Record<string, unknown>;
  t.deepEqual(json, {
    severity: 'WARNING',
    message: 'hi',
    time: '2026-01-02T03:04:05.000Z',
    [LABELS_KEY]: { parent: 'c/ns/a', eventId: '9' },
    n: 1,
  });
  t.is(
    formatLogLine('text', when, 'INFO', 'hi', { parent: 'c/ns/a' }, { n: 1 }),
    '2026-01-02T03:04:05.000Z INFO    hi parent=c/ns/a n=1',
  );
});
