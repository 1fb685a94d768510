import test from 'ava';
import fc from 'fast-check';
import {
  MAX_EVENT_BYTES,
  ROUTE_EVENT_SCHEMA,
  decodeRouteEvent,
  encodeRouteEvent,
  parentKey,
  validateRouteEvent,
  type RouteEvent,
} from '../../shared/events/index.ts';

function sampleEvent(overrides: Partial<RouteEvent> = {}): RouteEvent {
  return {
    schema: ROUTE_EVENT_SCHEMA,
    cluster: 'prod-1',
    parent: { namespace: 'shop', name: 'cart' },
    sequence: '12345',
    emittedAt: '2026-11-26T15:04:09.123Z',
    reason: ['HTTPRoute shop/cart-v2 modified'],
    snapshot: {
      services: [
        {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'cart', namespace: 'shop', resourceVersion: '12000' },
          spec: { ports: [{ port: 80 }] },
        },
      ],
      httpRoutes: [
        {
          apiVersion: 'gateway.networking.k8s.io/v1',
          kind: 'HTTPRoute',
          metadata: { name: 'cart-v2', namespace: 'shop', resourceVersion: '12345' },
          spec: { parentRefs: [{ group: '', kind: 'Service', name: 'cart' }] },
        },
      ],
      grpcRoutes: [],
      serviceNamespacesByName: { cart: ['shop'] },
    },
    ...overrides,
  };
}

function withField(path: string[], value: unknown): unknown {
  const e = structuredClone(sampleEvent()) as unknown as Record<string, unknown>;
  let o = e;
  for (const k of path.slice(0, -1)) o = o[k] as Record<string, unknown>;
  if (value === undefined) delete o[path[path.length - 1]];
  else o[path[path.length - 1]] = value;
  return e;
}

function decodeJson(x: unknown) {
  return decodeRouteEvent(Buffer.from(JSON.stringify(x)));
}

test('encode then decode returns the same event, from bytes and from base64', (t) => {
  const event = sampleEvent();
  const enc = encodeRouteEvent(event);
  t.is(enc.orderingKey, 'prod-1/shop/cart');
  t.deepEqual(enc.attributes, {
    schema: ROUTE_EVENT_SCHEMA,
    cluster: 'prod-1',
    parent: 'shop/cart',
    sequence: '12345',
  });
  t.deepEqual(decodeRouteEvent(enc.data, enc.attributes), { ok: true, event });
  t.deepEqual(decodeRouteEvent(enc.data.toString('base64')), { ok: true, event });
});

test('parentKey joins cluster, namespace and name', (t) => {
  t.is(parentKey('c', 'ns', 'svc'), 'c/ns/svc');
});

test('a string that is not base64 is rejected permanently', (t) => {
  t.deepEqual(decodeRouteEvent('not*base64!'), {
    ok: false,
    error: 'route event data is not valid base64',
    permanent: true,
  });
});

test('bad JSON and bad UTF-8 are named', (t) => {
  const r = decodeRouteEvent(Buffer.from('{"schema":'));
  t.false(r.ok);
  if (!r.ok) t.regex(r.error, /not valid UTF-8 JSON/);
  const r2 = decodeRouteEvent(Buffer.from([0x7b, 0xff, 0x7d]));
  t.false(r2.ok);
  if (!r2.ok) t.regex(r2.error, /not valid UTF-8 JSON/);
  const r3 = decodeRouteEvent(Buffer.alloc(0));
  t.deepEqual(r3, { ok: false, error: 'route event is empty', permanent: true });
});

test('an unknown schema version is distinguished from a foreign schema', (t) => {
  const v2 = decodeJson({ ...sampleEvent(), schema: 'gamma-csm.dev/route-event/v2' });
  t.false(v2.ok);
  if (!v2.ok) t.regex(v2.error, /unknown schema version "gamma-csm.dev\/route-event\/v2"/);
  const other = decodeJson({ ...sampleEvent(), schema: 'something-else' });
  t.false(other.ok);
  if (!other.ok)
    t.regex(other.error, /^schema must be "gamma-csm.dev\/route-event\/v1", got "something-else"/);
  const notObject = decodeJson([1, 2]);
  t.false(notObject.ok);
  if (!notObject.ok) t.is(notObject.error, 'route event must be a JSON object');
});

const badFields: Array<[string, string[], unknown, RegExp]> = [
  ['missing cluster', ['cluster'], undefined, /cluster must be a label-safe cluster id, got undefined/],
  ['cluster with capitals', ['cluster'], 'Prod', /cluster must be a label-safe/],
  ['parent not an object', ['parent'], 'shop/cart', /parent must be an object/],
  ['parent.name missing', ['parent', 'name'], undefined, /parent\.name must be a DNS label/],
  ['parent.namespace invalid', ['parent', 'namespace'], 'Shop_1', /parent\.namespace must be a DNS label/],
  ['sequence as number', ['sequence'], 12345, /sequence must be a decimal integer string, got 12345/],
  ['sequence with leading zero', ['sequence'], '0123', /sequence must be a decimal/],
  ['emittedAt not RFC 3339', ['emittedAt'], '2026-11-26 15:04', /emittedAt must be an RFC 3339 timestamp/],
  ['emittedAt impossible date', ['emittedAt'], '2026-13-40T00:00:00Z', /emittedAt must be an RFC 3339/],
  ['reason not array', ['reason'], 'x', /reason must be an array of strings/],
  ['snapshot missing', ['snapshot'], undefined, /snapshot must be an object/],
  ['services missing', ['snapshot', 'services'], undefined, /snapshot\.services must be an array/],
  ['grpcRoutes wrong type', ['snapshot', 'grpcRoutes'], {}, /snapshot\.grpcRoutes must be an array/],
  [
    'route of wrong kind',
    ['snapshot', 'httpRoutes', '0', 'kind'],
    'GRPCRoute',
    /snapshot\.httpRoutes\[0\]\.kind must be "HTTPRoute"/,
  ],
  [
    'object without namespace',
    ['snapshot', 'services', '0', 'metadata', 'namespace'],
    undefined,
    /snapshot\.services\[0\]\.metadata\.namespace/,
  ],
  [
    'object without metadata',
    ['snapshot', 'services', '0', 'metadata'],
    undefined,
    /snapshot\.services\[0\]\.metadata must be an object/,
  ],
  [
    'serviceNamespacesByName bad',
    ['snapshot', 'serviceNamespacesByName', 'cart'],
    'shop',
    /serviceNamespacesByName\["cart"\] must be an array of strings/,
  ],
];

for (const [title, path, value, expected] of badFields) {
  test(`rejects ${title}`, (t) => {
    const r = decodeJson(withField(path, value));
    t.false(r.ok);
    if (!r.ok) {
      t.true(r.permanent);
      t.regex(r.error, expected);
    }
    t.false(validateRouteEvent(withField(path, value)).ok);
  });
}

test('all field problems are reported together', (t) => {
  const r = validateRouteEvent({ schema: ROUTE_EVENT_SCHEMA });
  t.false(r.ok);
  if (!r.ok) {
    for (const f of ['cluster', 'parent', 'sequence', 'emittedAt', 'reason', 'snapshot'])
      t.regex(r.error, new RegExp(f));
  }
});

test('attributes that disagree with the body are rejected', (t) => {
  const enc = encodeRouteEvent(sampleEvent());
  const r = decodeRouteEvent(enc.data, { ...enc.attributes, parent: 'shop/other' });
  t.false(r.ok);
  if (!r.ok) t.regex(r.error, /attribute parent="shop\/other" disagrees with the body \("shop\/cart"\)/);
  // Attributes that are absent or unrelated are fine.
  t.true(decodeRouteEvent(enc.data, { foo: 'bar' }).ok);
});

test('UDPRoutes (optional, like TCP and TLS routes) go through encode and decode unchanged', (t) => {
  const udpRoute = {
    apiVersion: 'gateway.networking.k8s.io/v1alpha2',
    kind: 'UDPRoute',
    metadata: { name: 'dns', namespace: 'shop', resourceVersion: '12340', generation: 2 },
    spec: { parentRefs: [{ group: '', kind: 'Service', name: 'cart', port: 53 }] },
    status: { parents: [{ parentRef: { name: 'cart' }, controllerName: 'other.dev/c', conditions: [] }] },
  };
  const base = sampleEvent();
  const event = sampleEvent({ snapshot: { ...base.snapshot, udpRoutes: [udpRoute] } });
  const enc = encodeRouteEvent(event);
  t.deepEqual(decodeRouteEvent(enc.data, enc.attributes), { ok: true, event });
  t.true(decodeRouteEvent(encodeRouteEvent(base).data).ok, 'absent: an older watcher, still valid');
  const r = decodeJson(withField(['snapshot', 'udpRoutes'], [{ ...udpRoute, metadata: { name: 'dns' } }]));
  t.false(r.ok);
  if (!r.ok) t.regex(r.error, /snapshot\.udpRoutes\[0\]\.metadata\.namespace must be a non-empty string/);
});

function bigEvent(bytes: number): RouteEvent {
  const e = sampleEvent();
  e.reason = ['x'.repeat(bytes)];
  return e;
}

test('size limit is enforced when encoding and when decoding', (t) => {
  const justUnder = bigEvent(MAX_EVENT_BYTES - 2000);
  t.true(encodeRouteEvent(justUnder).data.length <= MAX_EVENT_BYTES);
  const over = bigEvent(MAX_EVENT_BYTES);
  t.throws(() => encodeRouteEvent(over), {
    message: /route event for prod-1\/shop\/cart is \d+ bytes, over the 4194304-byte limit/,
  });
  const raw = Buffer.from(JSON.stringify(over));
  const r = decodeRouteEvent(raw);
  t.false(r.ok);
  if (!r.ok) t.regex(r.error, /over the 4194304-byte limit/);
  const r64 = decodeRouteEvent(raw.toString('base64'));
  t.false(r64.ok);
  if (!r64.ok) t.regex(r64.error, /over the 4194304-byte limit/);
});

test('encode refuses an invalid event', (t) => {
  t.throws(() => encodeRouteEvent({ ...sampleEvent(), sequence: 'abc' }), {
    message: /sequence must be a decimal/,
  });
});

test('decode never throws on arbitrary bytes or strings', (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
      const r = decodeRouteEvent(Buffer.from(bytes));
      return r.ok === false && r.permanent === true && r.error.length > 0;
    }),
    { numRuns: 500 },
  );
  fc.assert(
    fc.property(fc.string({ maxLength: 512 }), (s) => {
      const r = decodeRouteEvent(s);
      return r.ok === false && typeof r.error === 'string';
    }),
    { numRuns: 500 },
  );
  fc.assert(
    fc.property(fc.jsonValue(), (v) => {
      const r = decodeRouteEvent(Buffer.from(JSON.stringify(v) ?? ''));
      return r.ok === false;
    }),
    { numRuns: 300 },
  );
  t.pass();
});

test('decode survives mutated valid events without throwing', (t) => {
  const base = Buffer.from(JSON.stringify(sampleEvent()));
  fc.assert(
    fc.property(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 }), (i, b) => {
      const copy = Buffer.from(base);
      copy[i] = b;
      const r = decodeRouteEvent(copy);
      return r.ok ? r.event.schema === ROUTE_EVENT_SCHEMA : r.permanent;
    }),
    { numRuns: 500 },
  );
  t.pass();
});
