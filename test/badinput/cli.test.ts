// Hostile manifests through the real CLI binary (child processes): a clear error naming the file and
// object with a non-zero exit, or a visible rejection in the printed status; never a crash (stack
// trace) and never a write to Network Services.
import test from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { startNetsvcEmulator } from '../../infra/local/netsvc/server.ts';
import type { NetsvcEmulator } from '../../infra/local/netsvc/server.ts';
import { runCli } from '../support/cli.ts';
import { httpRoute, okRule, regexHeaderRule, regexPathRule, service } from './support.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'gamma-badinput-'));
let emulator: NetsvcEmulator;

test.before(async () => {
  emulator = await startNetsvcEmulator({ port: 0, host: '127.0.0.1' });
});
test.after.always(async () => {
  await emulator?.close();
});

function file(name: string, text: string): string {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
}

const yamlDocs = (...docs: unknown[]) => docs.map((d) => stringify(d)).join('---\n');

/** No stack trace, no uncaught error: the CLI answered with a message. */
function assertNoCrash(t: { false(v: boolean, m?: string): void }, stderr: string): void {
  t.false(/\n\s+at .+:\d+:\d+\)?/.test(stderr), `no stack trace in: ${stderr.slice(0, 500)}`);
  t.false(/TypeError|RangeError|ReferenceError/.test(stderr), 'no JavaScript error leaked');
}

const HOSTILE = yamlDocs(
  service('svc', 'ns'),
  { ...httpRoute('Bad_Name', 'ns', 'svc') },
  { ...httpRoute('wrong-types', 'ns', 'svc'), spec: { parentRefs: 'svc', rules: 7 } },
  ['a', 'list', 'not', 'an', 'object'],
  {
    apiVersion: 'gateway.networking.k8s.io',
    kind: 'HTTPRoute',
    metadata: { name: 'no-version', namespace: 'ns' },
  },
);

test('translate: invalid objects are each named with file, kind and name; nothing on stdout; exit 1', async (t) => {
  const f = file('hostile.yaml', HOSTILE);
  const r = await runCli(['translate', '-f', f]);
  t.is(r.code, 1);
  t.is(r.stdout, '');
  assertNoCrash(t, r.stderr);
  t.regex(r.stderr, new RegExp(`${f}: HTTPRoute ns/Bad_Name: metadata.name`));
  t.regex(r.stderr, new RegExp(`${f}: HTTPRoute ns/wrong-types: spec.parentRefs`));
  t.regex(r.stderr, /document 4.*expected a Kubernetes object, got a list/);
  t.regex(r.stderr, /no-version.*has no version/);
  t.regex(r.stderr, /nothing was translated/);
});

test('translate: deep nesting, an alias bomb, binary garbage and broken YAML are clear errors, fast', async (t) => {
  let deep = 'x: 1';
  for (let i = 0; i < 5000; i++) deep = `{a: ${deep}}`.replace('x: 1', '{x: 1}');
  const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    .concat(
      Array.from(
        { length: 8 },
        (_, i) =>
          `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`,
      ),
    )
    .join('\n');
  const files = [
    file('deep.json', `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`),
    file('deep.yaml', `apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: ${deep}\n`),
    file('bomb.yaml', `apiVersion: v1\nkind: Service\nmetadata: {name: s}\n${bomb}\n`),
    file(
      'garbage.yaml',
      Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)).toString('latin1'),
    ),
    file('broken.yaml', 'apiVersion: v1\nkind: Service\nmetadata: {name: [unclosed\n'),
  ];
  const started = Date.now();
  const r = await runCli(['translate', '-f', ...files]);
  t.true(Date.now() - started < 20_000);
  t.is(r.code, 1);
  t.is(r.stdout, '');
  assertNoCrash(t, r.stderr);
  for (const f of files) t.true(r.stderr.includes(f), `${path.basename(f)} is named`);
  t.regex(r.stderr, /nesting is too deep/);
});

test('translate: refused regexes are visible rejections in the output status, not errors', async (t) => {
  const f = file(
    'regex.yaml',
    yamlDocs(
      service('svc', 'ns'),
      httpRoute('r', 'ns', 'svc', [
        regexPathRule('/(?=admin)', 'svc'),
        regexHeaderRule('(a)\\1', 'svc'),
        okRule('svc'),
      ]),
    ),
  );
  const r = await runCli(['translate', '-f', f, '-o', 'text']);
  t.is(r.code, 0, r.stderr);
  assertNoCrash(t, r.stderr);
  t.regex(r.stdout, /partially rejected: PartiallyInvalid=True UnsupportedValue: .*RE2/);
  t.notRegex(r.stdout, /path ~ \/\(\?=admin\)/, 'the refused regex is not routed');
  t.regex(r.stdout, /path prefix \/ok\//, 'the valid rule still is');
});

test.serial('plan and apply: invalid input stops before any request to Network Services', async (t) => {
  const f = file('hostile-plan.yaml', HOSTILE);
  emulator.resetStats();
  const planned = await runCli(['plan', '-f', f, '--endpoint', emulator.url, '--project', 'p']);
  const applied = await runCli([
    'apply',
    '-f',
    f,
    '--endpoint',
    emulator.url,
    '--project',
    'p',
    '--manage-mesh',
    '--yes',
  ]);
  for (const r of [planned, applied]) {
    t.is(r.code, 1);
    assertNoCrash(t, r.stderr);
    // plan/apply stop at the first failing stage (parsing here), naming file and document.
    t.regex(r.stderr, /hostile-plan\.yaml: document 4: expected a Kubernetes object/);
  }
  t.is(emulator.stats().requests, 0, 'not even a read');
  t.is(emulator.stats().writes, 0);
});

test.serial(
  'apply: a route with refused regexes applies only its valid rules; plan writes nothing',
  async (t) => {
    const f = file(
      'regex-apply.yaml',
      yamlDocs(
        service('svc', 'ns'),
        httpRoute('r', 'ns', 'svc', [regexPathRule('/(?!x)', 'svc'), okRule('svc')]),
      ),
    );
    emulator.resetStats();
    const planned = await runCli([
      'plan',
      '-f',
      f,
      '--endpoint',
      emulator.url,
      '--project',
      'p',
      '--manage-mesh',
      '--mesh',
      'm2',
      '--backend-services',
      'off',
    ]);
    t.is(planned.code, 0, planned.stderr);
    t.is(emulator.stats().writes, 0, 'plan never writes');
    const applied = await runCli([
      'apply',
      '-f',
      f,
      '--endpoint',
      emulator.url,
      '--project',
      'p',
      '--manage-mesh',
      '--mesh',
      'm2',
      '--backend-services',
      'off',
      '--yes',
    ]);
    t.is(applied.code, 0, applied.stderr);
    const routes = emulator.resources('httpRoutes').filter((r) => String(r.description).includes('ns/svc'));
    t.is(routes.length, 1);
    t.false(JSON.stringify(routes[0]).includes('(?!x)'), 'the refused regex never reaches the API');
  },
);
