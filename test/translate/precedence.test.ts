import test from 'ava';
import fc from 'fast-check';
import { compareHttpMatches, compareRouteOrder, timestampMs } from '../../shared/translate/precedence.ts';
import { normalizeHttpMatch } from '../../shared/translate/match.ts';
import type { NormalMatch } from '../../shared/translate/match.ts';

function normal(raw: unknown): NormalMatch {
  const result = normalizeHttpMatch(raw);
  if (!result.ok) throw new Error(result.problem.message);
  return result.value;
}

// Each pair: the first takes precedence over the second.
const pairs: [string, unknown, unknown][] = [
  [
    'exact beats prefix',
    { path: { type: 'Exact', value: '/a' } },
    { path: { type: 'PathPrefix', value: '/a/b/c' } },
  ],
  [
    'exact beats regex',
    { path: { type: 'Exact', value: '/a' } },
    { path: { type: 'RegularExpression', value: '/a.*' } },
  ],
  [
    'regex beats prefix',
    { path: { type: 'RegularExpression', value: '/a.*' } },
    { path: { type: 'PathPrefix', value: '/abcdef' } },
  ],
  [
    'longer prefix wins',
    { path: { type: 'PathPrefix', value: '/abc' } },
    { path: { type: 'PathPrefix', value: '/ab' } },
  ],
  [
    'trailing slash does not lengthen a prefix',
    { path: { type: 'PathPrefix', value: '/abc' } },
    { path: { type: 'PathPrefix', value: '/ab/' } },
  ],
  [
    'method beats headers',
    { method: 'GET' },
    {
      headers: [
        { name: 'a', value: '1' },
        { name: 'b', value: '2' },
      ],
    },
  ],
  [
    'more headers win',
    {
      headers: [
        { name: 'a', value: '1' },
        { name: 'b', value: '2' },
      ],
    },
    { headers: [{ name: 'a', value: '1' }] },
  ],
  [
    'headers beat query params',
    { headers: [{ name: 'a', value: '1' }] },
    {
      queryParams: [
        { name: 'a', value: '1' },
        { name: 'b', value: '1' },
      ],
    },
  ],
  [
    'path length beats query params',
    { path: { type: 'PathPrefix', value: '/p' } },
    { queryParams: [{ name: 'a', value: '1' }] },
  ],
  [
    'more query params win',
    {
      queryParams: [
        { name: 'a', value: '1' },
        { name: 'b', value: '1' },
      ],
    },
    { queryParams: [{ name: 'a', value: '1' }] },
  ],
];

for (const [name, a, b] of pairs) {
  test(`http precedence: ${name}`, (t) => {
    t.true(compareHttpMatches(normal(a), normal(b)) < 0);
    t.true(compareHttpMatches(normal(b), normal(a)) > 0);
  });
}

test('route order: older first, missing timestamps last, then namespace/name, rule, match', (t) => {
  const base = { namespace: 'ns', name: 'r', ruleIndex: 0, matchIndex: 0 };
  t.true(
    compareRouteOrder(
      { ...base, creationTimestamp: '2020-01-01T00:00:00Z' },
      { ...base, creationTimestamp: '2021-01-01T00:00:00Z' },
    ) < 0,
  );
  t.true(compareRouteOrder({ ...base, creationTimestamp: '2020-01-01T00:00:00Z' }, base) < 0);
  t.true(compareRouteOrder({ ...base, name: 'a' }, { ...base, name: 'b' }) < 0);
  t.true(
    compareRouteOrder({ ...base, namespace: 'a', name: 'z' }, { ...base, namespace: 'b', name: 'a' }) < 0,
  );
  t.true(compareRouteOrder({ ...base, ruleIndex: 1 }, { ...base, ruleIndex: 2 }) < 0);
  t.true(compareRouteOrder({ ...base, matchIndex: 1 }, { ...base, matchIndex: 0 }) > 0);
});

test('property: creation timestamps read like Date.parse (the RFC 3339 fast path and everything else)', (t) => {
  const reference = (v: string) => {
    const ms = Date.parse(v);
    return Number.isNaN(ms) ? Number.POSITIVE_INFINITY : ms;
  };
  const two = (max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(2, '0'));
  // With or without milliseconds (the API server writes none, toISOString three).
  const fraction = fc.option(fc.integer({ min: 0, max: 999 }), { nil: undefined });
  const stamp = fc
    .tuple(fc.integer({ min: 0, max: 9999 }), two(13), two(32), two(24), two(60), two(60), fraction)
    .map(
      ([y, mo, d, h, mi, s, ms]) =>
        `${String(y).padStart(4, '0')}-${mo}-${d}T${h}:${mi}:${s}${ms === undefined ? '' : `.${String(ms).padStart(3, '0')}`}Z`,
    );
  const mangled = fc
    .tuple(stamp, fc.nat(23), fc.constantFrom('x', '-', ':', '9', ' ', 'T', 'Z', '.'))
    .map(([v, i, c]) => v.slice(0, i) + c + v.slice(i + 1));
  fc.assert(
    fc.property(fc.oneof(stamp, mangled, fc.string()), (v) => timestampMs(v) === reference(v)),
    { numRuns: 20000 },
  );
  for (const v of [
    '2025-01-01T00:00:00Z',
    '2024-02-29T12:00:00Z',
    '2025-02-30T00:00:00Z',
    '0050-01-01T00:00:00Z',
    '2025-01-01T00:00:00.123Z',
    '2025-01-01T00:00:00.-12Z',
    '2025-01-01T00:00:00,123Z',
  ])
    t.is(timestampMs(v), reference(v), v);
  t.is(timestampMs(undefined), Number.POSITIVE_INFINITY);
});
