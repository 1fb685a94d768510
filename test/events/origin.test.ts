// The compatible v1 extension of the route event: optional origin {run, count} (route-event.ts).
import test from 'ava';
import {
  ROUTE_EVENT_SCHEMA,
  decodeRouteEvent,
  encodeRouteEvent,
  validateRouteEvent,
} from '../../shared/events/index.ts';
import type { RouteEvent } from '../../shared/events/index.ts';

const base: RouteEvent = {
  schema: ROUTE_EVENT_SCHEMA,
  cluster: 'c1',
  parent: { namespace: 'ns', name: 'svc' },
  sequence: '7',
  emittedAt: '2026-11-26T00:00:00Z',
  reason: ['HTTPRoute ns/r modified'],
  snapshot: { services: [], httpRoutes: [], grpcRoutes: [] },
};

test('events with and without origin are accepted and round-trip', (t) => {
  const stamped = { ...base, origin: { run: '0b7c6a4e-1f7e-4c1a-9d55-2a1f3e8b9c10', count: 42 } };
  t.deepEqual(decodeRouteEvent(encodeRouteEvent(stamped).data), { ok: true, event: stamped });
  const plain = decodeRouteEvent(encodeRouteEvent(base).data);
  t.true(plain.ok && !('origin' in plain.event), 'absent stays absent');
});

const malformed: [string, unknown, RegExp][] = [
  ['a string', 'run-1', /origin must be an object \{run, count\}, got "run-1"/],
  ['null', null, /origin must be an object/],
  ['an array', [1], /origin must be an object/],
  ['no run', { count: 1 }, /origin\.run must be 1-64 characters/],
  ['an empty run', { run: '', count: 1 }, /origin\.run must be 1-64 characters/],
  ['a run with a slash', { run: 'a/b', count: 1 }, /origin\.run must be .* got "a\/b"/],
  ['a run of 65 characters', { run: 'x'.repeat(65), count: 1 }, /origin\.run/],
  ['no count', { run: 'r' }, /origin\.count must be a positive integer, got undefined/],
  ['count 0', { run: 'r', count: 0 }, /origin\.count must be a positive integer, got 0/],
  ['a fractional count', { run: 'r', count: 1.5 }, /origin\.count/],
  ['a string count', { run: 'r', count: '2' }, /origin\.count must be a positive integer, got "2"/],
  ['an unsafe count', { run: 'r', count: 2 ** 53 }, /origin\.count/],
];

for (const [what, origin, error] of malformed) {
  test(`origin with ${what} is rejected with a clear error`, (t) => {
    const v = validateRouteEvent({ ...base, origin });
    t.false(v.ok);
    if (!v.ok) t.regex(v.error, error);
    const d = decodeRouteEvent(Buffer.from(JSON.stringify({ ...base, origin })));
    t.false(d.ok, 'decoding refuses it too');
    t.throws(() => encodeRouteEvent({ ...base, origin } as RouteEvent), { message: error });
  });
}
