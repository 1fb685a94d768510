import test from 'ava';
import {
  grpcHttpMatch,
  grpcMatchCovers,
  grpcNsMatch,
  normalizeGrpcMatch,
} from '../../shared/translate/grpc-match.ts';
import type { NormalGrpcMatch } from '../../shared/translate/grpc-match.ts';

function normal(raw: unknown): NormalGrpcMatch {
  const result = normalizeGrpcMatch(raw);
  if (!result.ok) throw new Error(result.problem.message);
  return result.value;
}

const table: [string, unknown, unknown, unknown][] = [
  [
    'service and method',
    { method: { service: 'pkg.Svc', method: 'Call' } },
    { method: { type: 'EXACT', grpcService: 'pkg.Svc', grpcMethod: 'Call' } },
    { fullPathMatch: '/pkg.Svc/Call' },
  ],
  [
    'service only',
    { method: { service: 'pkg.Svc' } },
    { method: { type: 'REGULAR_EXPRESSION', grpcService: 'pkg\\.Svc', grpcMethod: '.*' } },
    { prefixMatch: '/pkg.Svc/' },
  ],
  [
    'method only',
    { method: { method: 'Call' } },
    { method: { type: 'REGULAR_EXPRESSION', grpcService: '.*', grpcMethod: 'Call' } },
    { regexMatch: '/[^/]+/Call' },
  ],
  [
    'regex',
    { method: { type: 'RegularExpression', service: 'a|b', method: 'Get.*' } },
    { method: { type: 'REGULAR_EXPRESSION', grpcService: 'a|b', grpcMethod: 'Get.*' } },
    { regexMatch: '/(?:a|b)/(?:Get.*)' },
  ],
  ['no method match', {}, {}, { prefixMatch: '/' }],
  [
    'headers',
    {
      headers: [
        { name: 'X-T', value: 'a' },
        { name: 'x-t', value: 'b' },
        { name: 'y', type: 'RegularExpression', value: 'v.*' },
      ],
    },
    {
      headers: [
        { type: 'EXACT', key: 'x-t', value: 'a' },
        { type: 'REGULAR_EXPRESSION', key: 'y', value: 'v.*' },
      ],
    },
    {
      prefixMatch: '/',
      headers: [
        { header: 'x-t', exactMatch: 'a' },
        { header: 'y', regexMatch: 'v.*' },
      ],
    },
  ],
];

for (const [name, raw, grpc, http] of table) {
  test(`grpc match: ${name}`, (t) => {
    t.deepEqual(grpcNsMatch(normal(raw)), grpc);
    t.deepEqual(grpcHttpMatch(normal(raw)), http);
  });
}

test('grpc match rejects invalid RE2 and unknown types', (t) => {
  t.false(normalizeGrpcMatch({ method: { type: 'RegularExpression', service: '(?<=x)' } }).ok);
  t.false(normalizeGrpcMatch({ method: { type: 'Prefix', service: 'a' } }).ok);
  t.false(normalizeGrpcMatch({ headers: [{ name: 'x', type: 'Fuzzy', value: 'a' }] }).ok);
});

test('grpc covers: service-only covers its methods, not other services', (t) => {
  t.true(
    grpcMatchCovers(
      normal({ method: { service: 'a.S' } }),
      normal({ method: { service: 'a.S', method: 'M' } }),
    ),
  );
  t.false(
    grpcMatchCovers(
      normal({ method: { service: 'a.S' } }),
      normal({ method: { service: 'b.S', method: 'M' } }),
    ),
  );
  t.true(grpcMatchCovers(normal({}), normal({ method: { service: 'b.S' } })));
  t.false(
    grpcMatchCovers(
      normal({ method: { service: 'a.S', method: 'M' } }),
      normal({ method: { service: 'a.S' } }),
    ),
  );
});
