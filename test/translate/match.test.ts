import test from 'ava';
import { RE2JS } from 're2js';
import {
  httpMatchArms,
  httpMatchCovers,
  normalHttpMatch,
  normalizeHttpMatch,
  prefixRegex,
} from '../../shared/translate/match.ts';
import type { NormalMatch } from '../../shared/translate/match.ts';

function normal(raw: unknown): NormalMatch {
  const result = normalizeHttpMatch(raw);
  if (!result.ok) throw new Error(result.problem.message);
  return result.value;
}

const arms: [string, unknown, unknown[]][] = [
  ['exact', { path: { type: 'Exact', value: '/a' } }, [{ fullPathMatch: '/a' }]],
  [
    'prefix per segment',
    { path: { type: 'PathPrefix', value: '/a' } },
    [{ fullPathMatch: '/a' }, { prefixMatch: '/a/' }],
  ],
  [
    'prefix trailing slash ignored',
    { path: { type: 'PathPrefix', value: '/a/' } },
    [{ fullPathMatch: '/a' }, { prefixMatch: '/a/' }],
  ],
  ['root prefix', { path: { type: 'PathPrefix', value: '/' } }, [{ prefixMatch: '/' }]],
  ['defaults to root prefix', {}, [{ prefixMatch: '/' }]],
  ['regex', { path: { type: 'RegularExpression', value: '/a/[0-9]+' } }, [{ regexMatch: '/a/[0-9]+' }]],
  [
    'headers lowercased, first per name wins, method as :method',
    {
      path: { type: 'Exact', value: '/a' },
      headers: [
        { name: 'X-A', value: '1' },
        { name: 'x-a', value: '2' },
        { name: 'x-b', type: 'RegularExpression', value: 'b.*' },
      ],
      method: 'POST',
    },
    [
      {
        fullPathMatch: '/a',
        headers: [
          { header: 'x-a', exactMatch: '1' },
          { header: 'x-b', regexMatch: 'b.*' },
          { header: ':method', exactMatch: 'POST' },
        ],
      },
    ],
  ],
  [
    'query params keep case, first per name wins',
    {
      queryParams: [
        { name: 'Q', value: '1' },
        { name: 'Q', value: '2' },
        { name: 'q', type: 'RegularExpression', value: '[a-z]+' },
      ],
    },
    [
      {
        prefixMatch: '/',
        queryParameters: [
          { queryParameter: 'Q', exactMatch: '1' },
          { queryParameter: 'q', regexMatch: '[a-z]+' },
        ],
      },
    ],
  ],
];

for (const [name, raw, expected] of arms) {
  test(`match arms: ${name}`, (t) => {
    t.deepEqual(
      httpMatchArms(normal(raw)).map((a) => a.match),
      expected,
    );
  });
}

test('root prefix is split into full and prefix arms when a prefix replacement needs it', (t) => {
  t.deepEqual(
    httpMatchArms(normal({}), true).map((a) => [a.kind, a.match]),
    [
      ['full', { fullPathMatch: '/' }],
      ['prefix', { prefixMatch: '/' }],
    ],
  );
});

const rejected: [string, unknown, RegExp][] = [
  ['invalid RE2 (lookbehind)', { path: { type: 'RegularExpression', value: '(?<=a)b' } }, /invalid RE2/],
  ['backreference', { headers: [{ name: 'x', type: 'RegularExpression', value: '(a)\\1' }] }, /invalid RE2/],
  ['huge regex', { path: { type: 'RegularExpression', value: `/${'a'.repeat(2000)}` } }, /longer than/],
  ['unknown path type', { path: { type: 'Glob', value: '/a' } }, /not supported/],
  ['unknown header type', { headers: [{ name: 'x', type: 'Prefix', value: 'a' }] }, /not supported/],
  ['unknown method', { method: 'FETCH' }, /method/],
  ['non-string header', { headers: [{ name: 'x', value: 3 }] }, /string/],
];

for (const [name, raw, message] of rejected) {
  test(`match rejected: ${name}`, (t) => {
    const result = normalizeHttpMatch(raw);
    t.false(result.ok);
    if (!result.ok) t.regex(result.problem.message, message);
  });
}

test('covers: broader or identical matches shadow narrower ones only', (t) => {
  const root = normal({});
  const users = normal({ path: { type: 'PathPrefix', value: '/users' } });
  const usersExact = normal({ path: { type: 'Exact', value: '/users/1' } });
  const usersHeader = normal({
    path: { type: 'PathPrefix', value: '/users' },
    headers: [{ name: 'x', value: '1' }],
  });
  const usersx = normal({ path: { type: 'PathPrefix', value: '/usersx' } });
  t.true(httpMatchCovers(root, users));
  t.true(httpMatchCovers(users, usersExact));
  t.true(httpMatchCovers(users, usersHeader));
  t.false(httpMatchCovers(usersHeader, users));
  t.false(httpMatchCovers(users, usersx));
  t.true(httpMatchCovers(users, users));
  t.false(httpMatchCovers(normal({ method: 'GET' }), root));
});

test('hostile regular expressions are refused quickly', (t) => {
  const started = Date.now();
  for (const value of ['a{1000}b{1000}c{1000}', 'x{999}'.repeat(100)]) {
    t.false(normalizeHttpMatch({ path: { type: 'RegularExpression', value } }).ok, value.slice(0, 20));
  }
  t.true(Date.now() - started < 2000);
});

test('prefixRegex matches exactly the paths a PathPrefix matches, segment-wise, with RE2 metacharacters escaped', (t) => {
  const full = (pattern: string, path: string) => RE2JS.compile(pattern).matcher(path).matches();
  const cases: [string, string[], string[]][] = [
    ['/a', ['/a', '/a/', '/a/b/c'], ['/ab', '/', '/b/a']],
    ['/v1.0', ['/v1.0', '/v1.0/x'], ['/v1x0', '/v1.00']],
    ['/(x)+', ['/(x)+', '/(x)+/y'], ['/xx', '/x']],
    ['/', ['/', '/anything/at/all'], []],
  ];
  for (const [prefix, yes, no] of cases) {
    const pattern = prefixRegex(prefix);
    for (const p of yes) t.true(full(pattern, p), `${pattern} should match ${p}`);
    for (const p of no) t.false(full(pattern, p), `${pattern} should not match ${p}`);
  }
  t.is(prefixRegex('/a.b'), '^/a\\.b(/.*)?$');
});

test('under URLRewrite ReplaceFullPath a PathPrefix is one regexMatch arm; otherwise two arms', (t) => {
  const normal = normalHttpMatch({ path: { type: 'PathPrefix', value: '/api/' } });
  if (typeof normal === 'string') return t.fail(normal);
  t.deepEqual(
    httpMatchArms(normal).map((a) => a.match),
    [{ fullPathMatch: '/api' }, { prefixMatch: '/api/' }],
  );
  t.deepEqual(
    httpMatchArms(normal, false, true).map((a) => [a.kind, a.match]),
    [['other', { regexMatch: '^/api(/.*)?$' }]],
  );
});
