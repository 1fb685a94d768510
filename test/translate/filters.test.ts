import test from 'ava';
import { convertHeaderModifier } from '../../shared/translate/filters/header-modifier.ts';
import { convertRedirect } from '../../shared/translate/filters/redirect.ts';
import { convertRewrite } from '../../shared/translate/filters/rewrite.ts';
import { prefixReplacement } from '../../shared/translate/filters/path-modifier.ts';
import { mirrorPercent } from '../../shared/translate/filters/mirror.ts';
import { convertCors } from '../../shared/translate/filters/cors.ts';

test('header modifier: set/add/remove maps; empty modifier is omitted', (t) => {
  t.deepEqual(
    convertHeaderModifier({
      set: [{ name: 'A', value: '1' }],
      add: [{ name: 'B', value: '2' }],
      remove: ['C'],
    }),
    {
      set: { A: '1' },
      add: { B: '2' },
      remove: ['C'],
    },
  );
  t.is(convertHeaderModifier({}), undefined);
  t.is(convertHeaderModifier(undefined), undefined);
});

// ReplacePrefixMatch per arm, checked against the Gateway API table: request, prefix, replacement -> result.
function applyArm(request: string, prefix: string, replacement: string): string {
  const p = prefix.replace(/\/+$/, '') || '/';
  if (p !== '/' && request === p) return prefixReplacement(replacement, 'full');
  if (p === '/' && request === '/') return prefixReplacement(replacement, 'full');
  const matched = p === '/' ? '/' : `${p}/`;
  return prefixReplacement(replacement, 'prefix') + request.slice(matched.length);
}
const rows: [string, string, string, string][] = [
  ['/foo/bar', '/foo', '/xyz', '/xyz/bar'],
  ['/foo/bar', '/foo/', '/xyz/', '/xyz/bar'],
  ['/foo', '/foo', '/xyz', '/xyz'],
  ['/foo/', '/foo', '/xyz', '/xyz/'],
  ['/foo/bar', '/foo', '', '/bar'],
  ['/foo/', '/foo', '', '/'],
  ['/foo', '/foo', '', '/'],
  ['/foo/', '/foo', '/', '/'],
  ['/foo', '/foo', '/', '/'],
  ['/bar', '/', '/xyz', '/xyz/bar'],
];
for (const [request, prefix, replacement, result] of rows) {
  test(`ReplacePrefixMatch ${request} prefix ${prefix} -> ${JSON.stringify(replacement)}`, (t) =>
    t.is(applyArm(request, prefix, replacement), result));
}

const redirects: [string, object, number, object][] = [
  ['defaults to 302 and keeps port 80 implicit', {}, 80, { responseCode: 'FOUND' }],
  [
    'hostname + 301',
    { hostname: 'x.example', statusCode: 301 },
    80,
    { hostRedirect: 'x.example', responseCode: 'MOVED_PERMANENTLY_DEFAULT' },
  ],
  ['explicit port', { port: 8083 }, 80, { portRedirect: 8083, responseCode: 'FOUND' }],
  [
    'https implies 443',
    { scheme: 'https' },
    80,
    { httpsRedirect: true, portRedirect: 443, responseCode: 'FOUND' },
  ],
  [
    'http implies 80, explicit when called on another port',
    { scheme: 'http' },
    8080,
    { portRedirect: 80, responseCode: 'FOUND' },
  ],
  ['port 80 from port 80 stays implicit', { port: 80 }, 80, { responseCode: 'FOUND' }],
  ['port 80 from port 8080 is explicit', { port: 80 }, 8080, { portRedirect: 80, responseCode: 'FOUND' }],
  ['no scheme/port keeps the called Service port', {}, 8080, { portRedirect: 8080, responseCode: 'FOUND' }],
  ['303/307/308', { statusCode: 308 }, 80, { responseCode: 'PERMANENT_REDIRECT' }],
  [
    'full path',
    { path: { type: 'ReplaceFullPath', replaceFullPath: '/new' } },
    80,
    { pathRedirect: '/new', responseCode: 'FOUND' },
  ],
];
for (const [name, spec, port, expected] of redirects) {
  test(`redirect: ${name}`, (t) => {
    const result = convertRedirect(spec, 'prefix', port);
    t.true(result.ok);
    if (result.ok) t.deepEqual(result.value, expected);
  });
}

test('redirect rejects unsupported status codes and schemes', (t) => {
  t.false(convertRedirect({ statusCode: 304 }, 'full', 80).ok);
  t.false(convertRedirect({ scheme: 'ftp' as never }, 'full', 80).ok);
  t.false(
    convertRedirect({ path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/x' } }, 'other', 80).ok,
  );
});

test('rewrite: hostname, prefix per arm, full path on arms matching the whole path (exact, regex)', (t) => {
  t.deepEqual(
    convertRewrite(
      { hostname: 'h', path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/v1' } },
      'prefix',
    ),
    {
      ok: true,
      value: { hostRewrite: 'h', pathPrefixRewrite: '/v1/' },
    },
  );
  t.deepEqual(convertRewrite({ path: { type: 'ReplaceFullPath', replaceFullPath: '/x' } }, 'full'), {
    ok: true,
    value: { pathPrefixRewrite: '/x' },
  });
  t.deepEqual(convertRewrite({ path: { type: 'ReplaceFullPath', replaceFullPath: '/x' } }, 'other'), {
    ok: true,
    value: { pathPrefixRewrite: '/x' },
  });
  t.false(convertRewrite({ path: { type: 'ReplaceFullPath', replaceFullPath: '/x' } }, 'prefix').ok);
});

test('mirror percentage from percent, fraction or default', (t) => {
  t.is(mirrorPercent({ backendRef: { name: 'a' } }), 100);
  t.is(mirrorPercent({ backendRef: { name: 'a' }, percent: 42 }), 42);
  t.is(mirrorPercent({ backendRef: { name: 'a' }, fraction: { numerator: 1, denominator: 8 } }), 12.5);
  t.is(mirrorPercent({ backendRef: { name: 'a' }, fraction: { numerator: 3 } }), 3);
  // A proto float: emitted as the API will read it back, so a re-read plans no change.
  t.is(mirrorPercent({ backendRef: { name: 'a' }, fraction: { numerator: 1, denominator: 3 } }), 33.3333321);
});

test('cors: exact origins, wildcard origins as RE2, default maxAge', (t) => {
  t.deepEqual(convertCors({ allowOrigins: ['*'] }), { allowOrigins: ['*'], maxAge: '5' });
  t.deepEqual(
    convertCors({ allowOrigins: ['https://*.a.io'], allowHeaders: ['x'], exposeHeaders: ['y'], maxAge: 60 }),
    {
      allowOriginRegexes: ['https://[a-zA-Z0-9.-]+\\.a\\.io'],
      allowHeaders: ['x'],
      exposeHeaders: ['y'],
      maxAge: '60',
    },
  );
});
