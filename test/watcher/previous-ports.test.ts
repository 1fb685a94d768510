// The compatible v1 extension of the route event: optional previousPorts.
import test from 'ava';
import { ROUTE_EVENT_SCHEMA, decodeRouteEvent, encodeRouteEvent } from '../../shared/events/index.ts';
import type { RouteEvent } from '../../shared/events/index.ts';

const base: RouteEvent = {
  schema: ROUTE_EVENT_SCHEMA,
  cluster: 'c1',
  parent: { namespace: 'ns', name: 'svc' },
  sequence: '7',
  emittedAt: '2026-11-26T00:00:00Z',
  reason: ['Service ns/svc deleted'],
  snapshot: { services: [], httpRoutes: [], grpcRoutes: [] },
};

test('previousPorts round-trips; absent stays absent', (t) => {
  const withPorts = { ...base, previousPorts: [80, 8080] };
  t.deepEqual(decodeRouteEvent(encodeRouteEvent(withPorts).data), { ok: true, event: withPorts });
  const decoded = decodeRouteEvent(encodeRouteEvent(base).data);
  t.true(decoded.ok && !('previousPorts' in decoded.event));
});

for (const bad of [[0], [65536], [80.5], ['80'], 80]) {
  test(`previousPorts ${JSON.stringify(bad)} is rejected`, (t) => {
    const r = decodeRouteEvent(Buffer.from(JSON.stringify({ ...base, previousPorts: bad })));
    t.false(r.ok);
    if (!r.ok) t.regex(r.error, /previousPorts must be an array of port numbers/);
  });
}
